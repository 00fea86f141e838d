import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 (port 0) standing in for a provider: it records every request
 * and answers what the test says. The channels' tests talk to it over the loopback, so what is
 * checked is what went over the wire.
 */
/** `body` is the bytes read as UTF-8; `raw` the bytes themselves (an encrypted push payload). */
export type RecordedRequest = { method: string; path: string; headers: IncomingHttpHeaders; body: string; raw: Buffer };

export type Reply = { status: number; headers?: Record<string, string>; body?: string | object; delayMs?: number };
export type Responder = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export type LoopbackServer = {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: RecordedRequest[];
  respond(responder: Responder): void;
  close(): Promise<void>;
};

export async function startLoopbackServer(responder: Responder = () => ({ status: 200 })): Promise<LoopbackServer> {
  let current = responder;
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw.toString('utf8'), raw };
      const index = requests.push(recorded) - 1;
      void Promise.resolve(current(recorded, index)).then(async (reply) => {
        if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        if (res.destroyed) return;
        const json = reply.body !== undefined && typeof reply.body !== 'string';
        const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status, { ...(json ? { 'content-type': 'application/json' } : {}), ...reply.headers });
        res.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
