/**
 * Just enough MIME (RFC 2045–2047, 2231 left out) to read a bounce or a complaint: headers
 * unfolded and decoded, multipart bodies split, base64 and quoted-printable undone, nested
 * message/rfc822 parts parsed. No attachments to disk, no streaming: a report is a few KB.
 * mailparser would do more, but it is not a dependency and this is all a report needs.
 */
export type MimePart = {
  /** Header fields in order, names lowercased, values unfolded but not decoded. */
  headers: Array<[name: string, value: string]>;
  /** The first value of a header, unfolded and with RFC 2047 encoded words decoded. */
  header(name: string): string | undefined;
  /** "multipart/report", lowercased; text/plain when absent (RFC 2045 §5.2). */
  type: string;
  params: Record<string, string>;
  /** The body with its transfer encoding undone (for multiparts: the raw body). */
  body: Buffer;
  /** The body as text in its charset. */
  text(): string;
  /** The parts of a multipart, or the one message of a message/rfc822 (message/global …) part. */
  parts: MimePart[];
};

const MAX_DEPTH = 8;

export function parseMime(raw: string | Buffer, depth = 0): MimePart {
  const buffer = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  // latin1 keeps one char per byte, so offsets found in the text are offsets in the buffer.
  const latin = buffer.toString('latin1');
  const split = /\r?\n\r?\n/.exec(latin);
  const headerText = split ? latin.slice(0, split.index) : latin;
  const bodyStart = split ? split.index + split[0].length : latin.length;
  // Header bytes may be raw UTF-8 (RFC 6532): read them as UTF-8 once split.
  const headers = parseHeaders(Buffer.from(headerText, 'latin1').toString('utf8'));
  const first = (name: string) => headers.find(([n]) => n === name)?.[1];
  const { type, params } = parseContentType(first('content-type'));
  const encoding = (first('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  const rawBody = buffer.subarray(bodyStart);
  const body = type.startsWith('multipart/') ? rawBody : decodeTransfer(rawBody, encoding);

  let parts: MimePart[] = [];
  if (depth < MAX_DEPTH) {
    if (type.startsWith('multipart/') && params.boundary) parts = splitMultipart(rawBody, params.boundary).map((p) => parseMime(p, depth + 1));
    else if (type === 'message/rfc822' || type === 'message/global' || type === 'text/rfc822-headers' || type === 'message/global-headers') parts = [parseMime(body, depth + 1)];
  }
  return {
    headers,
    header: (name) => {
      const value = first(name.toLowerCase());
      return value === undefined ? undefined : decodeEncodedWords(value);
    },
    type,
    params,
    body,
    text: () => decodeCharset(body, params.charset),
    parts,
  };
}

/** Every part of the tree, depth first, the root included. */
export function walkParts(part: MimePart): MimePart[] {
  return [part, ...part.parts.flatMap(walkParts)];
}

export function parseHeaders(text: string): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      const last = headers[headers.length - 1]!;
      last[1] = `${last[1]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return headers;
}

function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  if (!value) return { type: 'text/plain', params: {} };
  const [head, ...rest] = splitParams(value);
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq <= 0) continue;
    let v = param.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[param.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { type: (head ?? '').trim().toLowerCase() || 'text/plain', params };
}

/** Splits on semicolons outside quotes. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i]!;
    if (c === '\\' && quoted) {
      current += c + (value[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  out.push(current);
  return out;
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const parts: Buffer[] = [];
  let start = -1;
  let at = 0;
  for (;;) {
    const found = text.indexOf(delimiter, at);
    if (found === -1) break;
    // A delimiter stands at the start of a line.
    if (found !== 0 && text[found - 1] !== '\n') {
      at = found + delimiter.length;
      continue;
    }
    if (start !== -1) {
      // The CRLF before the delimiter belongs to it (RFC 2046 §5.1.1).
      const end = text[found - 2] === '\r' ? found - 2 : found - 1;
      parts.push(body.subarray(start, Math.max(start, end)));
    }
    const after = found + delimiter.length;
    if (text.startsWith('--', after)) break;
    const lineEnd = text.indexOf('\n', after);
    if (lineEnd === -1) break;
    start = lineEnd + 1;
    at = start;
  }
  return parts;
}

function decodeTransfer(body: Buffer, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body.toString('latin1'));
  return body;
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const clean = text.replace(/[ \t]+(?=\r?\n)/g, '').replace(/=\r?\n/g, '');
  for (let i = 0; i < clean.length; i += 1) {
    const c = clean[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(clean.slice(i + 1, i + 3))) {
      bytes.push(parseInt(clean.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(c.charCodeAt(0) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  const name = (charset ?? 'utf-8').trim().toLowerCase();
  try {
    return new TextDecoder(name === 'us-ascii' || name === 'ascii' ? 'utf-8' : name).decode(bytes);
  } catch {
    return bytes.toString('utf8');
  }
}

/**
 * RFC 2047 encoded words ("=?UTF-8?B?0J/RgNC40LLQtdGC?="). Adjacent words are joined without the
 * whitespace between them, and their bytes are decoded together: an encoder may split one
 * multi-byte character across two words.
 */
export function decodeEncodedWords(value: string): string {
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = () => {
    if (pending) out += decodeCharset(Buffer.concat(pending.bytes), pending.charset.replace(/\*.*$/, ''));
    pending = null;
  };
  for (let match = word.exec(value); match; match = word.exec(value)) {
    const between = value.slice(last, match.index);
    if (!(pending && /^\s*$/.test(between))) {
      flush();
      out += between;
    }
    const [, charset, mode, data] = match;
    const bytes = mode!.toUpperCase() === 'B' ? Buffer.from(data!, 'base64') : decodeQuotedPrintable(data!.replace(/_/g, ' '));
    const current: { charset: string; bytes: Buffer[] } | null = pending;
    if (current && current.charset.toLowerCase() === charset!.toLowerCase()) current.bytes.push(bytes);
    else {
      flush();
      pending = { charset: charset!, bytes: [bytes] };
    }
    last = match.index + match[0].length;
  }
  flush();
  return out + value.slice(last);
}
