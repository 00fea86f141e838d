import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The QR reader the account page's camera scan starts as a Web Worker: jsQR's own published
 * build (node_modules/jsqr, a QR decoder in plain JavaScript), then the few lines that read the
 * frames the page sends (assets/qr-reader-worker.js). Served from this origin only when a
 * customer presses "Scan with the camera" (no CDN), compressed (brotli, 35 kB, or gzip, 57 kB; made once, on the
 * first request), and cached by the browser for a year under an address that names the
 * file's version, so a new jsQR gets a new address.
 */
const require = createRequire(import.meta.url);
const file = Buffer.from(`${readFileSync(require.resolve('jsqr'), 'utf8')}\n${readFileSync(new URL('./assets/qr-reader-worker.js', import.meta.url), 'utf8')}`);
const version = createHash('sha256').update(file).digest('base64url').slice(0, 16);

export const QR_READER_PATH = '/pages/qr-reader.js';
/** The address the page starts the worker from. */
export const qrReaderUrl = `${QR_READER_PATH}?v=${version}`;

type Encoding = 'br' | 'gzip';
const compressors: Record<Encoding, () => Promise<Buffer>> = {
  br: () => promisify(zlib.brotliCompress)(file, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 10, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: file.length } }),
  gzip: () => promisify(zlib.gzip)(file, { level: 9 }),
};
const compressed = new Map<Encoding, Promise<Buffer>>();
const compressedAs = (encoding: Encoding) => {
  let made = compressed.get(encoding);
  if (!made) compressed.set(encoding, (made = compressors[encoding]()));
  return made;
};

/** The encodings an Accept-Encoding header takes (a `q=0` one refused). */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const taken = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!name) continue;
    const q = params.find((param) => param.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) taken.add(name);
  }
  return taken;
}

export function qrReaderRoute(app: FastifyInstance): void {
  // A file, not an API operation: out of the OpenAPI document like the console's files.
  app.get(QR_READER_PATH, { schema: { hide: true } }, async (request: FastifyRequest, reply) => {
    const asked = (request.query as { v?: unknown } | undefined)?.v;
    const etag = `W/"${version}"`;
    reply.header('cache-control', asked === version ? 'public, max-age=31536000, immutable' : 'public, no-cache');
    reply.header('etag', etag);
    reply.header('vary', 'accept-encoding');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (String(request.headers['if-none-match'] ?? '').split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) return reply.status(304).send();
    reply.type('text/javascript; charset=utf-8');
    const accepted = acceptedEncodings(request.headers['accept-encoding']);
    const encoding: Encoding | null = accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
    if (!encoding) return reply.send(file);
    reply.header('content-encoding', encoding);
    return reply.send(await compressedAs(encoding));
  });
}
