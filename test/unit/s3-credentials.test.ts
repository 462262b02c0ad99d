import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../core/config.ts';
import { expiresSoon, REFRESH_BEFORE_EXPIRY_MS, s3Credentials } from '../../core/s3-credentials.ts';

describe('S3 credentials', () => {
  test('static keys resolve as configured, with the session token when one is given', async () => {
    expect(await s3Credentials(resolveConfig({}))).toEqual({
      accessKeyId: 'cdclake',
      secretAccessKey: 'cdclake-secret',
    });
    const config = resolveConfig({
      S3_ACCESS_KEY_ID: 'ASIA1',
      S3_SECRET_ACCESS_KEY: 'temporary-secret',
      S3_SESSION_TOKEN: 'token',
    });
    expect(await s3Credentials(config)).toEqual({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'temporary-secret',
      sessionToken: 'token',
    });
  });

  test('credentials are renewed only when less than 5 minutes remain', () => {
    const now = Date.UTC(2026, 0, 1);
    const expiring = (inMs: number) => ({
      accessKeyId: 'a',
      secretAccessKey: 'b',
      expiration: new Date(now + inMs),
    });
    expect(expiresSoon({ accessKeyId: 'a', secretAccessKey: 'b' }, now)).toBe(false);
    expect(expiresSoon(expiring(REFRESH_BEFORE_EXPIRY_MS + 1000), now)).toBe(false);
    expect(expiresSoon(expiring(REFRESH_BEFORE_EXPIRY_MS - 1000), now)).toBe(true);
    expect(expiresSoon(expiring(-1000), now)).toBe(true);
  });
});
