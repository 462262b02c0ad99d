// The real stack answers: Kafka, MinIO, PostgreSQL, DuckDB's httpfs and DuckLake, each exercised for real.

import { postgresConninfo } from '../../core/postgres-conninfo.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  GetObjectCommand,
  PutObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, test } from 'vitest';
import { attachLake, openDuckDB } from '../../core/duckdb.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { createS3Client } from '../../core/s3.ts';
import { quotedString } from '../../core/sql.ts';
import { createTestDatabase, testConfig, uniqueId } from '../support/fixtures.ts';

const config = testConfig();
const prefix = `tests/${uniqueId('smoke')}/`;
const s3 = createS3Client(config);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-smoke-'));

afterAll(async () => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: config.S3_BUCKET, Prefix: prefix }));
  const keys = (listed.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]));
  if (keys.length > 0)
    await s3.send(new DeleteObjectsCommand({ Bucket: config.S3_BUCKET, Delete: { Objects: keys } }));
  s3.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the real stack', () => {
  test('a record produced to Kafka is consumed back', async () => {
    const kafka = new Kafka({
      clientId: 'smoke',
      brokers: config.KAFKA_BROKERS,
      logLevel: logLevel.NOTHING,
    });
    const topic = uniqueId('smoke');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k1', value: 'hello lake' }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueId('group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          resolve({ key: String(message.key), value: String(message.value) });
        },
      });
    });
    await consumer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    expect(received).toEqual({ key: 'k1', value: 'hello lake' });
  });

  test('an object put on MinIO reads back byte for byte', async () => {
    const key = `${prefix}hello.txt`;
    await s3.send(new PutObjectCommand({ Bucket: config.S3_BUCKET, Key: key, Body: 'hello s3' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: config.S3_BUCKET, Key: key }));
    expect(await got.Body?.transformToString()).toBe('hello s3');
  });

  test('DuckDB reads a Parquet file straight from s3:// with exact types', async () => {
    const local = path.join(tmp, 'rows.parquet');
    const writer = await DuckDBInstance.create(':memory:');
    const w = await writer.connect();
    await w.run(
      `COPY (SELECT i AS id, (i * 1.25)::DECIMAL(10,2) AS price, TIMESTAMP '2026-01-01 00:00:00.000001' AS ts
             FROM range(1000) t(i)) TO ${quotedString(local)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    w.closeSync();
    writer.closeSync();
    const key = `${prefix}rows.parquet`;
    await s3.send(new PutObjectCommand({ Bucket: config.S3_BUCKET, Key: key, Body: fs.readFileSync(local) }));

    const duck = await openDuckDB(config);
    try {
      const reader = await duck.connection.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, sum(price)::VARCHAR AS total, max(ts)::VARCHAR AS last,
                typeof(any_value(price)) AS price_type
           FROM read_parquet(${quotedString(`s3://${config.S3_BUCKET}/${key}`)})`,
      );
      expect(reader.getRowObjects()).toEqual([
        { n: 1000, total: '624375.00', last: '2026-01-01 00:00:00.000001', price_type: 'DECIMAL(10,2)' },
      ]);
    } finally {
      duck.close();
    }
  });

  test('a DuckLake lake with its data on MinIO keeps rows across close and reopen (DuckDB catalog)', async () => {
    const catalog = `duckdb:${path.join(tmp, 'catalog.ducklake')}`;
    const dataPath = `s3://${config.S3_BUCKET}/${prefix}lake-duckdb/`;
    await writeThenReadLake(catalog, dataPath);
  });

  test('a DuckLake lake with its catalog in PostgreSQL keeps rows across close and reopen', async () => {
    const database = await createTestDatabase(config);
    try {
      const conninfo = postgresConninfo(database.url, database.name);
      await writeThenReadLake(`postgres:${conninfo}`, `s3://${config.S3_BUCKET}/${prefix}lake-pg/`);
      const client = await connectPostgres(database.url);
      const tables = await client.query(
        "select count(*)::int as n from information_schema.tables where table_name like 'ducklake_%'",
      );
      await client.end();
      expect(tables.rows[0].n).toBeGreaterThan(5);
    } finally {
      await database.drop();
    }
  });

  test('an altered extension file is refused: signatures are checked', async () => {
    const source = path.join(config.DUCKDB_EXTENSION_DIR, 'v1.5.5', 'linux_amd64', 'httpfs.duckdb_extension');
    const bytes = fs.readFileSync(source);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    const altered = path.join(tmp, 'httpfs.duckdb_extension');
    fs.writeFileSync(altered, bytes);
    const instance = await DuckDBInstance.create(':memory:', { extension_directory: path.join(tmp, 'ext') });
    const connection = await instance.connect();
    try {
      await expect(connection.run(`LOAD ${quotedString(altered)}`)).rejects.toThrow(/signature/i);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

async function writeThenReadLake(catalog: string, dataPath: string): Promise<void> {
  const first = await openDuckDB(config);
  try {
    await attachLake(first.connection, config, 'lake', { catalog, dataPath });
    await first.connection.run(
      'CREATE TABLE lake.main.orders (order_id BIGINT, total DECIMAL(12,2), status VARCHAR)',
    );
    await first.connection.run(
      "INSERT INTO lake.main.orders SELECT i, i * 10.5, CASE WHEN i % 2 = 0 THEN 'paid' ELSE 'new' END FROM range(100) t(i)",
    );
  } finally {
    first.close();
  }
  const second = await openDuckDB(config);
  try {
    await attachLake(second.connection, config, 'lake', { catalog, dataPath });
    const result = await second.connection.runAndReadAll(
      `SELECT count(*)::INTEGER AS n, sum(total)::VARCHAR AS total, count(*) FILTER (status = 'paid')::INTEGER AS paid
         FROM lake.main.orders`,
    );
    expect(result.getRowObjects()).toEqual([{ n: 100, total: '51975.00', paid: 50 }]);
    const files = await second.connection.runAndReadAll(
      "SELECT data_file FROM ducklake_list_files('lake', 'orders')",
    );
    const paths = files.getRowObjects().map((r) => String(r['data_file']));
    expect(paths.length).toBeGreaterThan(0);
    for (const file of paths) expect(file.startsWith(dataPath)).toBe(true);
  } finally {
    second.close();
  }
}
