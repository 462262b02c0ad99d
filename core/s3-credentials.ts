// Where cdclake's S3 credentials come from: static keys or the AWS default chain, optionally a role assumed
// through STS on top. One provider per configuration feeds both the S3 client and DuckDB's secret.

import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { Config } from './config.ts';
import { CdcError, ErrorCode } from './errors.ts';
import { s3RequestHandler } from './s3-request-handler.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; absent for long-lived keys. */
  expiration?: Date;
}

/** Temporary credentials are renewed when less than this remains, as the AWS SDK does. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

export interface ResolveOptions {
  /** The clock to judge expiry by (tests move it forward instead of waiting). */
  now?: number;
  /** Ask the source again even when the credentials held are still fresh. */
  forceRefresh?: boolean;
}

export type S3CredentialProvider = (options?: ResolveOptions) => Promise<S3Credentials>;

/** The AWS SDK's credential provider shape (what its credential providers return and its clients take). */
type AwsCredentialIdentityProvider = ReturnType<typeof fromNodeProviderChain>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;

const providers = new WeakMap<Config, S3CredentialProvider>();

/** The credentials of `config` now: held ones while they have more than 5 minutes left, else fresh ones. */
export function s3Credentials(config: Config, options?: ResolveOptions): Promise<S3Credentials> {
  return s3CredentialProvider(config)(options);
}

/** The one provider of `config` (memoised per configuration object), in the shape the AWS SDK takes. */
export function s3CredentialProvider(config: Config): S3CredentialProvider {
  let provider = providers.get(config);
  if (provider === undefined) {
    provider = memoise(describeFailures(config, source(config)));
    providers.set(config, provider);
  }
  return provider;
}

/** True when `credentials` expire within the refresh window as of `now`. */
export function expiresSoon(credentials: S3Credentials, now = Date.now()): boolean {
  return (
    credentials.expiration !== undefined && credentials.expiration.getTime() - now < REFRESH_BEFORE_EXPIRY_MS
  );
}

function source(config: Config): AwsCredentialIdentityProvider {
  const base: AwsCredentialIdentityProvider =
    config.S3_CREDENTIALS === 'chain'
      ? fromNodeProviderChain()
      : () =>
          Promise.resolve({
            accessKeyId: config.S3_ACCESS_KEY_ID,
            secretAccessKey: config.S3_SECRET_ACCESS_KEY,
            ...(config.S3_SESSION_TOKEN === undefined ? {} : { sessionToken: config.S3_SESSION_TOKEN }),
          });
  if (config.S3_ROLE_ARN === undefined) return base;
  return fromTemporaryCredentials({
    params: {
      RoleArn: config.S3_ROLE_ARN,
      RoleSessionName: config.S3_ROLE_SESSION_NAME,
      DurationSeconds: config.S3_ROLE_DURATION_SECONDS,
    },
    masterCredentials: base,
    clientConfig: {
      region: config.S3_REGION,
      ...(config.S3_STS_ENDPOINT === undefined ? {} : { endpoint: config.S3_STS_ENDPOINT }),
      requestHandler: s3RequestHandler(config),
      maxAttempts: config.S3_MAX_ATTEMPTS,
    },
  });
}

function describeFailures(
  config: Config,
  provider: AwsCredentialIdentityProvider,
): AwsCredentialIdentityProvider {
  const from =
    config.S3_ROLE_ARN !== undefined
      ? `assuming ${config.S3_ROLE_ARN} through STS${config.S3_STS_ENDPOINT === undefined ? '' : ` at ${config.S3_STS_ENDPOINT}`}`
      : config.S3_CREDENTIALS === 'chain'
        ? 'the AWS default credential chain (AWS_* variables, AWS_PROFILE, web identity, container, instance)'
        : 'S3_ACCESS_KEY_ID';
  return async (properties) => {
    try {
      return await provider(properties);
    } catch (error: unknown) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CdcError(ErrorCode.S3_CREDENTIALS, `no S3 credentials from ${from}: ${reason}`, {
        cause: error,
        retriable: true,
        facts: {
          credentials: config.S3_CREDENTIALS,
          ...(config.S3_ROLE_ARN === undefined ? {} : { roleArn: config.S3_ROLE_ARN }),
        },
      });
    }
  };
}

function toCredentials(identity: AwsCredentialIdentity): S3Credentials {
  return {
    accessKeyId: identity.accessKeyId,
    secretAccessKey: identity.secretAccessKey,
    ...(identity.sessionToken === undefined ? {} : { sessionToken: identity.sessionToken }),
    ...(identity.expiration === undefined ? {} : { expiration: identity.expiration }),
  };
}

/**
 * Holds the last credentials until they near expiry; concurrent callers share one request. The AWS SDK
 * passes its own identity properties, which carry no `now`, so it judges by the real clock.
 */
function memoise(provider: AwsCredentialIdentityProvider): S3CredentialProvider {
  let held: S3Credentials | undefined;
  let pending: Promise<S3Credentials> | undefined;
  return async (options = {}) => {
    const now = typeof options.now === 'number' ? options.now : Date.now();
    if (held !== undefined && options.forceRefresh !== true && !expiresSoon(held, now)) return held;
    pending ??= provider({ forceRefresh: true })
      .then((identity) => (held = toCredentials(identity)))
      .finally(() => (pending = undefined));
    return pending;
  };
}
