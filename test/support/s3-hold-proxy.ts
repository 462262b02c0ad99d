// An HTTP proxy in front of the real MinIO that can stop answering writes: while held, every PUT or POST
// (an upload, a multipart step) is kept waiting with no response, as a hung S3 endpoint does, and reads go
// through. Released requests are forwarded as they came.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3HoldProxy {
  /** An S3 endpoint URL that goes through the proxy. */
  endpoint: string;
  /** From now on, writes wait. */
  hold(): void;
  /** Writes held so far go on, and new ones pass. */
  release(): void;
  /** Writes waiting right now. */
  held(): number;
  close(): Promise<void>;
}

export async function startS3HoldProxy(target: string): Promise<S3HoldProxy> {
  const upstream = new URL(target);
  let holding = false;
  const waiting: (() => void)[] = [];
  const forward = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    out.on('error', () => response.destroy());
    request.pipe(out);
  };
  const server = http.createServer((request, response) => {
    const write = request.method === 'PUT' || request.method === 'POST';
    if (holding && write) {
      // Not read while held: the client's body stays in its socket, as with a stalled server.
      request.pause();
      waiting.push(() => {
        request.resume();
        forward(request, response);
      });
      return;
    }
    forward(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const go of waiting.splice(0)) go();
    },
    held: () => waiting.length,
    close: async () => {
      waiting.length = 0;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
