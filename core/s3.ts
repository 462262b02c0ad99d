// The S3 client of cdclake, built from configuration (MinIO and other S3-compatible stores: path style),
// with the credentials of s3-credentials.ts and bounded requests (timeouts, attempts).

import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from './config.ts';
import { s3CredentialProvider } from './s3-credentials.ts';
import { s3RequestHandler } from './s3-request-handler.ts';

export function createS3Client(config: Config): S3Client {
  return new S3Client({
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    credentials: s3CredentialProvider(config),
    requestHandler: s3RequestHandler(config),
    maxAttempts: config.S3_MAX_ATTEMPTS,
  });
}
