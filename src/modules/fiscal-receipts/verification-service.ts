import type { HttpAnswer, HttpClient, HttpFailure } from '../messaging/index.ts';
import { canonicalQr, type FiscalQr } from './qr.ts';
import type { FiscalSettingsBody, ServiceLine } from './fiscal-types.ts';

/**
 * The verification service adapter: asks a check service (proverkacheka.com's API, or one of
 * your own speaking the generic JSON shape) for a fiscal receipt's lines. What it answers:
 * found with the lines; not found or invalid (final: the receipt is rejected); or a temporary
 * failure (a timeout, a 5xx, a 429, an answer not understood, the token refused), tried again later.
 *
 * proverkacheka: POST application/x-www-form-urlencoded `token`, `qrraw` (the QR text); the
 * answer `{code, data}`: code 1 found (`data.json.items`: name, price and sum in kopecks,
 * quantity), 0 not valid, 5 no data, 2 not received from the operator yet, 3 and 4 too many
 * requests (the last three: later).
 * generic: POST application/json `{qr, t, s, fn, i, fp, n}` (s in kopecks) with the token as
 * `Authorization: Bearer`; the answer `{status: "found", items: [{name, price, quantity, sum,
 * barcode?}]}`, `{status: "not_found"}` or `{status: "invalid", reason?}`; HTTP 404 is not
 * found, 400 and 422 invalid.
 */
export type Verification =
  | { kind: 'found'; lines: ServiceLine[]; totalMinor: number | null }
  | { kind: 'not_found'; reason: string }
  | { kind: 'invalid'; reason: string }
  | { kind: 'retry'; reason: string; retryAfterMs: number | null };

const MAX_LINES = 1000;

export async function verifyReceipt(http: HttpClient, settings: FiscalSettingsBody, token: string | null, qr: FiscalQr): Promise<Verification> {
  if (settings.serviceUrl === null) return { kind: 'retry', reason: 'no verification service is set (serviceUrl)', retryAfterMs: null };
  const url = new URL(settings.serviceUrl);
  const raw = canonicalQr(qr);
  const answer =
    settings.serviceFormat === 'proverkacheka'
      ? await http.request({
          url,
          method: 'POST',
          timeoutMs: settings.timeoutMs,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ ...(token !== null ? { token } : {}), qrraw: raw }).toString(),
        })
      : await http.request({
          url,
          method: 'POST',
          timeoutMs: settings.timeoutMs,
          headers: { 'content-type': 'application/json', accept: 'application/json', ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ qr: raw, t: qr.localTime, s: qr.totalMinor, fn: qr.fn, i: qr.i, fp: qr.fp, n: qr.operation }),
        });
  const outcome = answer.kind === 'answer' ? interpret(settings.serviceFormat, answer) : failure(answer);
  // A reason is stored and shown: never with the token in it, whatever a service echoes.
  return token !== null && token.length > 0 && 'reason' in outcome ? { ...outcome, reason: outcome.reason.split(token).join('***') } : outcome;
}

function failure(failed: HttpFailure): Verification {
  const what = failed.kind === 'timeout' ? 'the verification service did not answer in time' : failed.kind === 'blocked' ? 'the verification service is on a private network (allowPrivateNetwork is off)' : 'the verification service could not be reached';
  return { kind: 'retry', reason: `${what}: ${failed.reason}`.slice(0, 300), retryAfterMs: null };
}

function retryAfter(answer: HttpAnswer): number | null {
  const value = answer.headers['retry-after'];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return null;
  const seconds = Number(text);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

function interpret(format: FiscalSettingsBody['serviceFormat'], answer: HttpAnswer): Verification {
  const { status } = answer;
  if (status === 429 || status === 408 || status >= 500) return { kind: 'retry', reason: `the verification service answered ${status}`, retryAfterMs: retryAfter(answer) };
  if (status === 401 || status === 403) return { kind: 'retry', reason: `the verification service refused the token (${status}): check the token in the settings`, retryAfterMs: null };
  if (format === 'generic' && status === 404) return { kind: 'not_found', reason: 'the verification service found no such receipt' };
  if (format === 'generic' && (status === 400 || status === 422)) return { kind: 'invalid', reason: `the verification service says the receipt is not valid (${status})` };
  if (status < 200 || status > 299) return { kind: 'retry', reason: `the verification service answered ${status}`, retryAfterMs: retryAfter(answer) };
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return { kind: 'retry', reason: 'the verification service answered something that is not JSON', retryAfterMs: null };
  }
  return format === 'proverkacheka' ? proverkacheka(body) : generic(body);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const notUnderstood = (what: string): Verification => ({ kind: 'retry', reason: `the verification service's answer is not understood: ${what}`, retryAfterMs: null });

function proverkacheka(body: unknown): Verification {
  if (!isObject(body) || typeof body.code !== 'number') return notUnderstood('no code');
  switch (body.code) {
    case 1: {
      const data = isObject(body.data) && isObject(body.data.json) ? body.data.json : null;
      if (!data) return notUnderstood('code 1 without data.json');
      return found(data.items, data.totalSum);
    }
    case 0:
      return { kind: 'invalid', reason: 'the verification service says the receipt is not valid (its QR data match no receipt)' };
    case 5:
      return { kind: 'not_found', reason: 'the verification service found no such receipt' };
    case 2:
      return { kind: 'retry', reason: "the receipt has not reached the verification service from the fiscal data operator yet", retryAfterMs: null };
    case 3:
    case 4:
      return { kind: 'retry', reason: `the verification service asks to wait (code ${body.code}: too many requests)`, retryAfterMs: null };
    default:
      return notUnderstood(`code ${body.code}`);
  }
}

function generic(body: unknown): Verification {
  if (!isObject(body) || typeof body.status !== 'string') return notUnderstood('no status');
  if (body.status === 'not_found') return { kind: 'not_found', reason: 'the verification service found no such receipt' };
  if (body.status === 'invalid') {
    const said = typeof body.reason === 'string' && body.reason.trim() !== '' ? `: ${body.reason.trim().slice(0, 200)}` : '';
    return { kind: 'invalid', reason: `the verification service says the receipt is not valid${said}` };
  }
  if (body.status === 'found') return found(body.items, body.totalSum);
  return notUnderstood(`status ${JSON.stringify(body.status).slice(0, 40)}`);
}

const isMinor = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= 1e12;

function barcodeOf(item: Record<string, unknown>): string | null {
  if (typeof item.barcode === 'string' && /^\d{8,14}$/.test(item.barcode)) return item.barcode;
  // proverkacheka's marked goods: productCodeNew.{ean13, ean8, gs1m, …}.gtin
  if (isObject(item.productCodeNew)) {
    for (const code of Object.values(item.productCodeNew)) {
      if (isObject(code) && typeof code.gtin === 'string' && /^\d{8,14}$/.test(code.gtin)) return code.gtin.replace(/^0+(?=\d{8})/, '');
    }
  }
  return null;
}

function found(items: unknown, totalSum: unknown): Verification {
  if (!Array.isArray(items)) return notUnderstood('no list of items');
  if (items.length > MAX_LINES) return notUnderstood(`${items.length} items, more than ${MAX_LINES}`);
  const lines: ServiceLine[] = [];
  for (const [index, item] of items.entries()) {
    if (!isObject(item) || typeof item.name !== 'string' || !isMinor(item.price) || !isMinor(item.sum)) return notUnderstood(`item ${index + 1} lacks a name, a price or a sum in kopecks`);
    const quantity = item.quantity;
    if (typeof quantity !== 'number' || !Number.isFinite(quantity) || quantity <= 0 || quantity > 100_000) return notUnderstood(`item ${index + 1} has no quantity above 0`);
    lines.push({ name: item.name.slice(0, 500), priceMinor: item.price, quantity, sumMinor: item.sum, barcode: barcodeOf(item) });
  }
  return { kind: 'found', lines, totalMinor: isMinor(totalSum) ? totalSum : null };
}
