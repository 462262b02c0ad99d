// An HTTP proxy in front of the real MinIO that can stop answering writes: while held, every PUT or POST
// (an upload, a multipart step) is kept waiting with no response, as a hung S3 endpoint does, and reads go
// through. Released requests are forwarded as they came.
//
// With `readBodies`, a held write's body is read in full while it waits, as by a server that received the
// request and hangs before it answers: on release it is carried out even when its client gave up meanwhile
// (an abandoned upload lands late). Without, the body stays unread in the client's socket. `beforeRead` runs
// before a GET or HEAD is forwarded (to change the store between a client's listing and its read).

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
  /** Released writes not yet answered by the store. */
  forwarding(): number;
  close(): Promise<void>;
}

export async function startS3HoldProxy(
  target: string,
  options: { readBodies?: boolean; beforeRead?: (path: string) => Promise<void> } = {},
): Promise<S3HoldProxy> {
  const upstream = new URL(target);
  let holding = false;
  let forwarding = 0;
  const waiting: (() => void)[] = [];
  const forward = (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    body?: Promise<Buffer>,
  ): http.ClientRequest => {
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
    response.on('error', () => undefined);
    if (body === undefined) request.pipe(out);
    else
      void body.then(
        (bytes) => out.end(bytes),
        () => out.destroy(),
      );
    return out;
  };
  const readBody = (request: http.IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve(Buffer.concat(chunks)));
      request.on('error', reject);
      request.on('close', () => {
        if (!request.complete) reject(new Error('the client went away before its body was read'));
      });
    });
  const server = http.createServer((request, response) => {
    const write = request.method === 'PUT' || request.method === 'POST';
    if (holding && write) {
      const body = options.readBodies === true ? readBody(request) : undefined;
      body?.catch(() => undefined);
      // Without readBodies, not read while held: the client's body stays in its socket, as with a stalled
      // server.
      if (body === undefined) request.pause();
      waiting.push(() => {
        if (body === undefined) request.resume();
        forwarding++;
        forward(request, response, body).on('close', () => forwarding--);
      });
      return;
    }
    const { beforeRead } = options;
    if (beforeRead !== undefined && (request.method === 'GET' || request.method === 'HEAD')) {
      request.pause();
      void beforeRead(request.url ?? '').then(
        () => {
          request.resume();
          forward(request, response);
        },
        () => response.destroy(),
      );
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
    forwarding: () => forwarding,
    close: async () => {
      waiting.length = 0;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
