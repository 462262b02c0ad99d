// The S3 client of cdclake, built from configuration (MinIO and other S3-compatible stores: path style).

import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from './config.ts';

export function createS3Client(config: Config): S3Client {
  return new S3Client({
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    credentials: { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY },
  });
}
