// Uploading a finished Parquet file to S3: one PUT when small, multipart when large, abortable so a
// consumer that loses its partition stops writing at once. A store that stops answering fails the upload
// after S3_MAX_ATTEMPTS bounded attempts, with an error naming the object.

import fs from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Config } from '../core/config.ts';
import { s3Failure } from '../core/s3-failure.ts';

const PART_SIZE = 16 * 1024 * 1024;

export async function uploadFile(
  s3: S3Client,
  config: Pick<Config, 'S3_BUCKET' | 'S3_REQUEST_TIMEOUT_MS' | 'S3_CONNECT_TIMEOUT_MS' | 'S3_MAX_ATTEMPTS'>,
  key: string,
  path: string,
  signal: AbortSignal,
  /** User metadata of the object (x-amz-meta-*). */
  metadata: Record<string, string> = {},
): Promise<number> {
  const size = fs.statSync(path).size;
  const bucket = config.S3_BUCKET;
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: bucket,
      Key: key,
      Body: size <= PART_SIZE ? fs.readFileSync(path) : fs.createReadStream(path),
      Metadata: metadata,
    },
    partSize: PART_SIZE,
    queueSize: 2,
    leavePartsOnError: false,
  });
  const abort = (): void => void upload.abort().catch(() => undefined);
  signal.addEventListener('abort', abort, { once: true });
  const started = performance.now();
  try {
    await upload.done();
  } catch (error: unknown) {
    throw signal.aborted ? error : s3Failure(error, 'upload of', { bucket, key }, config, started);
  } finally {
    signal.removeEventListener('abort', abort);
  }
  return size;
}
