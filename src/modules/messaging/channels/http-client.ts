import dns from 'node:dns';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * The HTTP calls of the SMS, push, Telegram and webhook channels. node:http rather than fetch,
 * for three things fetch does not give: redirects are never followed (a 3xx is an answer, not
 * an invitation), the address a host name resolves to is checked on the very connection that
 * uses it (no DNS-rebinding window between check and connect), and one deadline covers
 * connect, headers and body.
 */
export type HttpRequest = {
  url: URL;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
};

export type HttpAnswer = { kind: 'answer'; status: number; headers: IncomingHttpHeaders; body: string };
/**
 * timeout: no answer in time (the request may or may not have arrived: callers retry, and
 * providers that take an idempotency key get ours); network: no connection or it broke;
 * blocked: the address is on a private network and the client may not go there.
 */
export type HttpFailure = { kind: 'timeout' | 'network' | 'blocked'; reason: string };

export type HttpClient = {
  request(request: HttpRequest): Promise<HttpAnswer | HttpFailure>;
  close(): void;
};

export type HttpClientOptions = {
  /**
   * Off by default: a webhook URL is typed in over the API and a push endpoint comes from a
   * browser, so either could point at the cloud metadata service or an admin port inside our
   * network. Tests and single-host installs that post to localhost turn it on.
   */
  allowPrivateNetwork?: boolean;
  /** Bodies beyond this are cut (a provider's answer is a few hundred bytes; a hostile one is not). */
  maxBodyBytes?: number;
};

// Loopback, RFC 1918, CGNAT, link-local (cloud metadata), benchmarking, multicast, reserved;
// IPv6 loopback, unique-local, link-local, multicast; IPv4-mapped IPv6 is checked by BlockList.
const privateNetworks = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) privateNetworks.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  privateNetworks.addSubnet(address, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  return privateNetworks.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** dns.lookup that fails for private addresses, for the socket that is about to connect. */
export function publicOnlyLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) {
      const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to a private network address`);
      refused.code = 'EPRIVATEADDRESS';
      return callback(refused, '');
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
    callback(null, first.address, first.family);
  });
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const allowPrivate = options.allowPrivateNetwork ?? false;
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  const lookup = allowPrivate ? undefined : (publicOnlyLookup as unknown as net.LookupFunction);
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
  };

  return {
    request(request) {
      const { url } = request;
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return Promise.resolve({ kind: 'blocked', reason: `${url.protocol} URLs are not allowed; use http or https` });
      }
      const host = url.hostname.replace(/^\[|\]$/g, '');
      // An address literal never goes through lookup, so it is checked here.
      if (!allowPrivate && isPrivateAddress(host)) {
        return Promise.resolve({ kind: 'blocked', reason: `${host} is a private network address` });
      }
      if (!allowPrivate && /^localhost\.?$|\.localhost\.?$/i.test(host)) {
        return Promise.resolve({ kind: 'blocked', reason: 'localhost is a private network address' });
      }
      return new Promise((resolve) => {
        let settled = false;
        const finish = (result: HttpAnswer | HttpFailure) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(result);
        };
        const headers: Record<string, string> = { ...request.headers };
        if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
        const transport = url.protocol === 'https:' ? https : http;
        const req = transport.request(url, { method: request.method, headers, agent: agents[url.protocol as 'http:' | 'https:'], lookup }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size >= maxBody) return;
            chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', () => finish({ kind: 'answer', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, maxBody).toString('utf8') }));
          res.on('error', (error) => finish({ kind: 'network', reason: describeNetworkError(error) }));
        });
        const timer = setTimeout(() => {
          finish({ kind: 'timeout', reason: `no answer within ${request.timeoutMs} ms` });
          req.destroy();
        }, request.timeoutMs);
        req.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code === 'EPRIVATEADDRESS') finish({ kind: 'blocked', reason: error.message });
          else finish({ kind: 'network', reason: describeNetworkError(error) });
        });
        req.end(request.body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function describeNetworkError(error: NodeJS.ErrnoException): string {
  return error.code ? `${error.code}: ${error.message}` : error.message;
}

/** A header's single value (node gives arrays for repeated ones). */
export function headerValue(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}
