import net from 'node:net';
import type { InjectOptions } from 'fastify';
import type { Role } from '../../src/platform/roles.ts';
import type { Rng } from './fuzz-random.ts';
import type { FuzzOperation, Generator, ValuePool } from './fuzz-schema.ts';
import type { Schema } from './schema-failures.ts';

/** Who sends a request: a key of a role, no key, or a key that is no key. */
export type Principal = Role | 'no key' | 'bad key';

export type FuzzBody =
  | { kind: 'json'; value: unknown; contentType: string }
  /** An upload's rows, written as its file format (so mutations change rows, not bytes). */
  | { kind: 'rows'; value: unknown; format: 'csv' | 'ndjson'; contentType: string }
  | { kind: 'raw'; payload: string | Buffer; contentType: string | null };

/** One request, before it is sent; mutations change its parts. */
export type FuzzRequest = {
  op: FuzzOperation;
  method: string;
  /** Path parameters as they go into the URL: already escaped, so a mutation can put `%00` or `../` there as is. */
  params: Record<string, string>;
  /** The query string as sent, without `?`. */
  query: string;
  /** The whole path as sent, when a mutation rewrites more than a parameter. */
  path?: string;
  headers: Record<string, string>;
  principal: Principal;
  body?: FuzzBody;
  /** Sent over a real socket, so Node's HTTP parser and its limits see it (app.inject skips them). */
  socket?: { raw?: string; halfClose?: boolean };
  /** What was done to it, for the report. */
  labels: string[];
};

export type Answer = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Over a socket: bytes that came after the answer (a second answer to one request). */
  extra?: string;
};

export const urlOf = (request: FuzzRequest): string => {
  const path = request.path ?? request.op.path.replace(/\{([^}]+)\}/g, (_all, name: string) => request.params[name] ?? '');
  return request.query === '' ? path : `${path}?${request.query}`;
};

export function payloadOf(body: FuzzBody): { payload: string | Buffer; contentType: string | null } {
  if (body.kind === 'json') return { payload: JSON.stringify(body.value) ?? 'null', contentType: body.contentType };
  if (body.kind === 'rows') return { payload: encodeRows(body.format, body.value), contentType: body.contentType };
  return body;
}

/** Rows as an upload's file: CSV, or one JSON document a line. */
export function encodeRows(format: 'csv' | 'ndjson', value: unknown): string {
  const rows = Array.isArray(value) ? value : [value];
  if (format === 'ndjson') return `${rows.map((row) => JSON.stringify(row) ?? 'null').join('\n')}\n`;
  return toCsv(rows.map((row) => (row && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : { value: row })));
}

export function injectOptions(request: FuzzRequest, authorization: string | null): InjectOptions {
  const headers: Record<string, string> = { ...request.headers };
  if (authorization !== null && !('authorization' in headers)) headers.authorization = authorization;
  const options: InjectOptions = { method: request.method as InjectOptions['method'], url: urlOf(request), headers };
  if (request.body) {
    const { payload, contentType } = payloadOf(request.body);
    if (contentType !== null && !('content-type' in headers)) headers['content-type'] = contentType;
    options.payload = payload;
  }
  return options;
}

/** Whether the request's Content-Length says more than its body holds. */
export function promisesMoreThanSent(request: FuzzRequest): boolean {
  const declared = Number(request.headers['content-length']);
  if (!Number.isFinite(declared)) return false;
  const sent = request.body ? Buffer.byteLength(payloadOf(request.body).payload) : 0;
  return declared > sent;
}

/** The request as bytes on the wire (for the socket): a raw one as given, otherwise built from its parts. */
export function wireBytes(request: FuzzRequest, authorization: string | null): Buffer {
  // A raw request writes `authorization: Bearer {auth}` itself: {auth} is the key alone.
  if (request.socket?.raw !== undefined) return Buffer.from(request.socket.raw.replaceAll('{auth}', (authorization ?? '').replace(/^Bearer /, '')), 'latin1');
  const { headers = {}, payload } = injectOptions(request, authorization) as { headers?: Record<string, string>; payload?: string | Buffer };
  const body = payload === undefined ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const lines = [`${request.method} ${urlOf(request)} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (payload !== undefined && !('content-length' in headers)) lines.push(`content-length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/**
 * Sends bytes to the server and reads one HTTP/1.1 answer: complete when its body has arrived
 * (Content-Length or the last chunk) or when the server closes. The client half-closes only when
 * asked (a body that never comes): Node's server aborts a request whose client half-closed.
 */
export function sendRaw(port: number, bytes: Buffer, options: { halfClose?: boolean; head?: boolean; timeoutMs?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    // Chunks kept as they come (an export can be megabytes: joined once, at the end).
    const chunks: Buffer[] = [];
    let received = 0;
    let tail = Buffer.alloc(0);
    let head: Head | null = null;
    let answerBytes = -1;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(quiet);
      socket.destroy();
      const data = Buffer.concat(chunks);
      const answer = parseAnswer(answerBytes >= 0 ? data.subarray(0, answerBytes) : data);
      resolve(answerBytes >= 0 && data.length > answerBytes ? { ...answer, extra: data.subarray(answerBytes).toString('latin1') } : answer);
    };
    // After a whole answer, a moment for anything more the server writes (it closes, or nothing comes).
    let quiet: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      done = true;
      socket.destroy();
      reject(new Error(`no answer in ${options.timeoutMs ?? 20_000} ms`));
    }, options.timeoutMs ?? 20_000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      tail = Buffer.concat([tail, chunk]).subarray(-8);
      head ??= headOf(Buffer.concat(chunks));
      if (answerBytes < 0 && head && isComplete(head, received, tail, options.head === true)) {
        answerBytes = received;
        quiet = setTimeout(finish, 30);
      }
    });
    socket.on('error', () => {
      // The server may reset after answering a request it refused; what arrived is read on close.
    });
    socket.on('close', finish);
    socket.write(bytes, () => {
      if (options.halfClose) socket.end();
    });
  });
}

type Head = { end: number; text: string };

/** The answer's head (after any 100 Continue), once it has all arrived. */
function headOf(data: Buffer): Head | null {
  let start = 0;
  let end = data.indexOf('\r\n\r\n');
  while (end >= 0 && /^HTTP\/1\.[01] 1\d\d/.test(data.subarray(start, start + 12).toString('latin1'))) {
    start = end + 4;
    end = data.indexOf('\r\n\r\n', start);
  }
  return end < 0 ? null : { end, text: data.subarray(start, end).toString('latin1') };
}

function isComplete(head: Head, received: number, tail: Buffer, isHead: boolean): boolean {
  if (isHead || /^HTTP\/1\.[01] (204|304)/.test(head.text)) return true;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head.text);
  if (length) return received >= head.end + 4 + Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head.text)) return received > head.end + 4 && tail.toString('latin1').endsWith('0\r\n\r\n');
  return false;
}

function parseAnswer(data: Buffer): Answer {
  let text = data.toString('utf8');
  while (/^HTTP\/1\.[01] 1\d\d/.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = split >= 0 ? text.slice(split + 4) : '';
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(body);
  return { status, headers, body };
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd < 0) return out;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/**
 * Files for the upload routes, by the kind of rows the module imports: rows made from the
 * document's schema of the same thing sent as JSON elsewhere. An upload kind missing here is
 * reported by the coverage check.
 */
export const uploadRows: Record<string, { schema: string; format: 'csv' | 'ndjson'; fix?: (row: Record<string, unknown>, now: Date) => void }> = {
  customers: { schema: 'CustomerCreate', format: 'csv' },
  receipts: {
    schema: 'ConfirmRequest',
    format: 'ndjson',
    // A historical receipt: a time of its own, no redemption or codes (receipt-ndjson-format.ts).
    fix: (row, now) => {
      delete row.redeemPoints;
      delete row.promoCodes;
      row.occurredAt = new Date(now.getTime() - 86_400_000).toISOString();
    },
  },
};

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const csvCell = (value: unknown) => {
  const text = Array.isArray(value) ? value.join(';') : value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Rows as CSV: camelCase keys as snake_case columns, nested records as `attr.<key>` / `external_id.<key>`, lists joined. */
export function toCsv(rows: Array<Record<string, unknown>>): string {
  const flat = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const prefix = key === 'attributes' ? 'attr' : key === 'externalIds' ? 'external_id' : null;
        if (prefix) for (const [k, v] of Object.entries(value)) out[`${prefix}.${k}`] = v;
      } else if (Array.isArray(value) && value.some((v) => v && typeof v === 'object')) {
        continue;
      } else {
        out[snake(key) === 'category_path' ? 'category_path' : snake(key)] = key === 'categoryPath' && Array.isArray(value) ? value.join('/') : value;
      }
    }
    return out;
  });
  const columns = [...new Set(flat.flatMap((row) => Object.keys(row)))];
  if (columns.length === 0) columns.push('phone');
  return [columns.join(','), ...flat.map((row) => columns.map((c) => csvCell(row[c])).join(','))].join('\n') + '\n';
}

/** The body of an upload route: a few rows of its kind, or null when its kind has no row schema here. */
export function uploadBody(upload: { kind: string; contentTypes: string[] }, g: Generator, rng: Rng, schemas: Record<string, Schema>, now: Date): FuzzBody | null {
  const spec = uploadRows[upload.kind];
  const schema = spec ? schemas[spec.schema] : undefined;
  if (!spec || !schema) return null;
  const rows = Array.from({ length: rng.int(1, 6) }, () => {
    const row = g.valid(schema, rng) as Record<string, unknown>;
    spec.fix?.(row, now);
    return row;
  });
  return { kind: 'rows', value: rows, format: spec.format, contentType: upload.contentTypes[0]! };
}

/** A JSON value's scalars go into the pool, and path parameters under their names. */
export function rememberRequest(pool: ValuePool, request: FuzzRequest): void {
  for (const [name, value] of Object.entries(request.params)) {
    try {
      pool.remember(name, decodeURIComponent(value));
    } catch {
      // An escape that is no escape: nothing worth remembering.
    }
  }
  if (request.body?.kind === 'json' || request.body?.kind === 'rows') pool.harvest(request.body.value);
}
