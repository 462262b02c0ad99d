// Uploading a finished Parquet file to S3: one PUT when small, multipart when large, abortable so a
// consumer that loses its partition stops writing at once.

import fs from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const PART_SIZE = 16 * 1024 * 1024;

export async function uploadFile(
  s3: S3Client,
  bucket: string,
  key: string,
  path: string,
  signal: AbortSignal,
): Promise<number> {
  const size = fs.statSync(path).size;
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: bucket,
      Key: key,
      Body: size <= PART_SIZE ? fs.readFileSync(path) : fs.createReadStream(path),
    },
    partSize: PART_SIZE,
    queueSize: 2,
    leavePartsOnError: false,
  });
  const abort = (): void => void upload.abort().catch(() => undefined);
  signal.addEventListener('abort', abort, { once: true });
  try {
    await upload.done();
  } finally {
    signal.removeEventListener('abort', abort);
  }
  return size;
}
