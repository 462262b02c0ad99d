// The HTTP settings of every S3 and STS request: a connect timeout, and an inactivity timeout so a store
// that stops answering fails the request (then the SDK retries it) instead of holding it forever.

import type { Config } from './config.ts';

/** Options for the SDK's NodeHttpHandler (a client's `requestHandler` takes them as they are). */
export function s3RequestHandler(config: Config): {
  connectionTimeout: number;
  socketTimeout: number;
} {
  return {
    connectionTimeout: config.S3_CONNECT_TIMEOUT_MS,
    // Inactivity rather than a whole-request cap (`requestTimeout`): a 16 MB part on a slow link is not a
    // stall, a socket with no byte moving is.
    socketTimeout: config.S3_REQUEST_TIMEOUT_MS,
  };
}
