// Vitest global setup for integration and e2e tests: resolve the real services once, make sure the
// DuckDB extensions and the bucket exist, and hand the endpoints to every test through `inject('env')`.

import type { TestProject } from 'vitest/node';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { resolveConfig } from '../../core/config.ts';
import { createS3Client } from '../../core/s3.ts';
import { installDuckdbExtensions } from '../../scripts/services/duckdb-extensions.ts';
import { Home } from '../../scripts/services/home.ts';
import { installTestTools } from '../../scripts/services/test-tools.ts';
import { resolveEndpoints, type Endpoints, type ServiceEnv } from './endpoints.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    env: ServiceEnv;
  }
}

let endpoints: Endpoints | undefined;

export async function setup(project: TestProject): Promise<void> {
  endpoints = await resolveEndpoints();
  const config = resolveConfig({ ...process.env, ...endpoints.env });
  const home = new Home(config.CDCLAKE_HOME);
  await installDuckdbExtensions(home, config.DUCKDB_EXTENSION_DIR);
  // Debezium's jars and promtool, for the tests that run them (fetched and built once).
  await installTestTools(home);
  const s3 = createS3Client(config);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: config.S3_BUCKET }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: config.S3_BUCKET }));
  } finally {
    s3.destroy();
  }
  process.stderr.write(`[tests] services from ${endpoints.source}\n`);
  project.provide('env', { ...endpoints.env, DUCKDB_EXTENSION_DIR: config.DUCKDB_EXTENSION_DIR });
}

export async function teardown(): Promise<void> {
  await endpoints?.stop();
}
