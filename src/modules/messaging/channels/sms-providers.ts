import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OutgoingMessage, SendOutcome } from './channel.ts';
import type { SmsChannelConfig } from './channels.schemas.ts';
import type { HttpAnswer } from './http-client.ts';
import { rejected, retry } from './outcomes.ts';

/**
 * The request shapes of the SMS gateways, one preset each: how a message becomes a request, how
 * the answer becomes an outcome, and how the gateway's delivery report reads. Written from the
 * providers' public API documentation:
 *
 * - `generic`: a JSON gateway of our own definition (below), for in-house or aggregator proxies.
 * - `sms.ru`: SMS.ru `POST /sms/send` (form: api_id, to, msg, from, json=1; https://sms.ru/api/send);
 *   delivery reports are POSTed as `data[]` entries "sms_status\n<sms_id>\n<status code>", and
 *   SMS.ru wants the body "100" back.
 * - `twilio`: Twilio Programmable Messaging `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`
 *   (form: To, From or MessagingServiceSid, Body, StatusCallback; HTTP Basic with the SID and
 *   auth token); status callbacks are form posts with MessageSid and MessageStatus, signed in
 *   X-Twilio-Signature (verifyTwilioSignature).
 * - `custom`: method, URL and body templates with {to} {toDigits} {text} {sender} {messageId}
 *   {apiKey}, and a field mapping for its delivery reports.
 *
 * The status codes and fields named here are the providers' documented ones; where a provider
 * answers something unlisted, the HTTP status decides (429/5xx retry, other 4xx reject).
 */
export type SmsHttpRequest = { url: URL; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string };

export type SmsProvider = {
  build(message: OutgoingMessage): SmsHttpRequest;
  /** A 2xx or 4xx answer (429, 5xx and 3xx are handled before, the same for every preset). */
  read(answer: HttpAnswer, parts: number): SendOutcome;
  /** Every secret this preset puts on the wire, in the forms it puts them. */
  secrets: string[];
};

export type SmsDeliveryStatus = 'delivered' | 'failed' | 'sent';
/** One delivery report: the provider's id (or ours, when the gateway echoes it), and what became of the message. */
export type SmsDeliveryReport = { providerId?: string; messageId?: string; status: SmsDeliveryStatus; at?: Date; error?: string };
/** A callback request as the route received it: the query, and the body parsed (object) or raw (string). */
export type SmsCallbackRequest = { query?: Record<string, string | string[] | undefined>; body?: unknown };

type Json = Record<string, unknown>;

const digits = (phone: string) => phone.replace(/^\+/, '');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A dotted path into a JSON value: "data.id", "messages.0.id". */
function pick(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Json)[key];
  }
  return current;
}

const idOf = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null);

/** A provider's short explanation, for the reason string. */
function snippet(body: string): string {
  const parsed = parseJson(body) as Json | undefined;
  const text = parsed && typeof parsed === 'object' ? idOf(parsed.message) ?? idOf(parsed.error) ?? idOf(parsed.status_text) ?? idOf(parsed.description) : body;
  return text ? `: ${text.slice(0, 200)}` : '';
}

/** 4xx with nothing more specific: the channel's fault for 401/403, otherwise the message's. */
function clientError(answer: HttpAnswer, who: string): SendOutcome {
  if (answer.status === 401 || answer.status === 403) return rejected(`${who} refused our credentials (${answer.status})${snippet(answer.body)}`, false, true);
  return rejected(`${who} answered ${answer.status}${snippet(answer.body)}`, false);
}

// ---------------------------------------------------------------- generic

function genericProvider(config: Extract<SmsChannelConfig, { preset: 'generic' }>): SmsProvider {
  return {
    secrets: [config.apiKey],
    build: (message) => ({
      url: new URL(config.url),
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: `Bearer ${config.apiKey}`,
        // A gateway that honours it will not send twice when our retry follows a lost answer.
        'idempotency-key': message.messageId,
      },
      body: JSON.stringify({ to: message.to, text: message.text, sender: config.sender ?? null, messageId: message.messageId, callbackUrl: config.callbackUrl ?? null }),
    }),
    read(answer, parts) {
      if (answer.status >= 400) return clientError(answer, 'the gateway');
      const body = parseJson(answer.body) as Json | undefined;
      const billed = typeof body?.parts === 'number' && body.parts > 0 ? body.parts : parts;
      return { status: 'accepted', providerId: idOf(body?.id), parts: billed };
    },
  };
}

// ---------------------------------------------------------------- SMS.ru

// SMS.ru status codes (sms.ru/api/status): which mean "later", which "never", which "our account".
const SMS_RU_RETRY = new Set([201, 206, 220, 230, 231, 232, 233]); // no money, daily limits, service down, per-number limits
const SMS_RU_ACCOUNT = new Set([200, 204, 300, 301, 302]); // api_id wrong, sender name not approved, account not confirmed
const SMS_RU_DEAD_NUMBER = new Set([202, 209]); // not a phone number, number on the stop list

function smsRuProvider(config: Extract<SmsChannelConfig, { preset: 'sms.ru' }>): SmsProvider {
  const base = (config.baseUrl ?? 'https://sms.ru').replace(/\/+$/, '');
  return {
    secrets: [config.apiId],
    build(message) {
      const form = new URLSearchParams({ api_id: config.apiId, to: digits(message.to), msg: message.text, json: '1' });
      if (config.sender) form.set('from', config.sender);
      if (config.test) form.set('test', '1');
      return { url: new URL(`${base}/sms/send`), method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: form.toString() };
    },
    read(answer, parts) {
      if (answer.status >= 400) return clientError(answer, 'SMS.ru');
      const body = parseJson(answer.body) as { status?: string; status_code?: number; status_text?: string; sms?: Record<string, { status?: string; status_code?: number; status_text?: string; sms_id?: string }> } | undefined;
      if (!body) return retry('SMS.ru answered something that is not JSON');
      // The request as a whole may fail (account), or the one number in it.
      const entry = body.status === 'OK' ? Object.values(body.sms ?? {})[0] : body;
      if (!entry) return retry('SMS.ru answered OK without the message');
      if (entry.status === 'OK' && 'sms_id' in entry && entry.sms_id) return { status: 'accepted', providerId: entry.sms_id, parts };
      const code = Number(entry.status_code);
      const reason = `SMS.ru answered ${code}${entry.status_text ? `: ${entry.status_text}` : ''}`;
      if (SMS_RU_RETRY.has(code)) return retry(reason);
      if (SMS_RU_ACCOUNT.has(code)) return rejected(reason, false, true);
      return rejected(reason, SMS_RU_DEAD_NUMBER.has(code));
    },
  };
}

/** SMS.ru delivery codes: 102 sent to the operator, 103 delivered, 110 read (Viber); 104–108 and 150 failed. */
function smsRuStatus(code: number): SmsDeliveryStatus | null {
  if (code === 103 || code === 110) return 'delivered';
  if (code === 102) return 'sent';
  if ((code >= 104 && code <= 108) || code === 150) return 'failed';
  return null; // 100, 101: still on SMS.ru's side
}

/** SMS.ru: form field `data[]` (or data[0], data[1] …), each "sms_status\n<sms_id>\n<code>[\n<unix time>]". */
export function parseSmsRuCallback(request: SmsCallbackRequest): SmsDeliveryReport[] {
  const fields = fieldsOf(request);
  const entries: string[] = [];
  for (const [key, value] of fields) if (key === 'data' || /^data\[\d*\]$/.test(key)) entries.push(value);
  const reports: SmsDeliveryReport[] = [];
  for (const entry of entries) {
    const lines = entry.split(/\r?\n/).map((l) => l.trim());
    if (lines[0] !== 'sms_status' || !lines[1]) continue;
    const status = smsRuStatus(Number(lines[2]));
    if (!status) continue;
    const at = lines[3] && /^\d{9,11}$/.test(lines[3]) ? new Date(Number(lines[3]) * 1000) : undefined;
    reports.push({ providerId: lines[1], status, ...(at ? { at } : {}), ...(status === 'failed' ? { error: `SMS.ru status ${lines[2]}` } : {}) });
  }
  return reports;
}

// ---------------------------------------------------------------- Twilio

// Twilio error codes (twilio.com/docs/api/errors): the number is dead or opted out / our account.
const TWILIO_DEAD_NUMBER = new Set([21211, 21610, 21614]); // invalid To, unsubscribed (STOP), not a mobile number
const TWILIO_ACCOUNT = new Set([20003, 20404, 21606, 21659, 21660, 30007]); // auth, no such account, From not ours or not allowed
const TWILIO_LATER = new Set([20429, 30001, 30003]); // too many requests, queue overflow, unreachable handset

function twilioProvider(config: Extract<SmsChannelConfig, { preset: 'twilio' }>): SmsProvider {
  const base = (config.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
  const basic = Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64');
  return {
    secrets: [config.authToken, basic],
    build(message) {
      const form = new URLSearchParams({ To: message.to, Body: message.text });
      if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
      if (config.sender) form.set('From', config.sender);
      if (config.statusCallbackUrl) form.set('StatusCallback', config.statusCallbackUrl);
      return {
        url: new URL(`${base}/2010-04-01/Accounts/${config.accountSid}/Messages.json`),
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', authorization: `Basic ${basic}` },
        body: form.toString(),
      };
    },
    read(answer, parts) {
      const body = parseJson(answer.body) as { sid?: string; num_segments?: string; code?: number; message?: string } | undefined;
      if (answer.status < 300) {
        const billed = Number(body?.num_segments);
        return { status: 'accepted', providerId: body?.sid ?? null, parts: Number.isInteger(billed) && billed > 0 ? billed : parts };
      }
      const code = Number(body?.code);
      if (!Number.isInteger(code)) return clientError(answer, 'Twilio');
      const reason = `Twilio answered ${answer.status} (error ${code})${body?.message ? `: ${body.message}` : ''}`;
      if (TWILIO_LATER.has(code)) return retry(reason);
      if (TWILIO_ACCOUNT.has(code) || answer.status === 401) return rejected(reason, false, true);
      return rejected(reason, TWILIO_DEAD_NUMBER.has(code));
    },
  };
}

/** Twilio MessageStatus: delivered/read, sent; undelivered/failed/canceled. queued, sending … are not reported. */
export function parseTwilioCallback(request: SmsCallbackRequest): SmsDeliveryReport[] {
  const fields = new Map(fieldsOf(request));
  const sid = fields.get('MessageSid') ?? fields.get('SmsSid');
  const raw = fields.get('MessageStatus') ?? fields.get('SmsStatus');
  if (!sid || !raw) return [];
  const status: SmsDeliveryStatus | null =
    raw === 'delivered' || raw === 'read' ? 'delivered' : raw === 'sent' ? 'sent' : raw === 'undelivered' || raw === 'failed' || raw === 'canceled' ? 'failed' : null;
  if (!status) return [];
  const error = fields.get('ErrorCode');
  return [{ providerId: sid, status, ...(status === 'failed' ? { error: error ? `Twilio error ${error}` : raw } : {}) }];
}

/**
 * X-Twilio-Signature: base64 HMAC-SHA1 (auth token) of the full callback URL followed by every
 * POST parameter, sorted by name, as name then value (twilio.com/docs/usage/security).
 */
export function verifyTwilioSignature(authToken: string, url: string, params: Record<string, string>, signature: string): boolean {
  const data = url + Object.keys(params).sort().map((key) => key + params[key]).join('');
  const expected = createHmac('sha1', authToken).update(data, 'utf8').digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// ---------------------------------------------------------------- custom

type CustomConfig = Extract<SmsChannelConfig, { preset: 'custom' }>;

function customProvider(config: CustomConfig): SmsProvider {
  const contentType = config.contentType ?? 'json';
  // One pass over the template: a customer's text holding "{apiKey}" stays that text.
  const fill = (template: string, values: Record<string, string>, escape: (value: string) => string) =>
    template.replace(/\{(to|toDigits|text|sender|messageId|apiKey)\}/g, (_all, name: string) => escape(values[name] ?? ''));
  const jsonEscape = (value: string) => JSON.stringify(value).slice(1, -1);
  return {
    secrets: config.apiKey ? [config.apiKey] : [],
    build(message) {
      const values = { to: message.to, toDigits: digits(message.to), text: message.text, sender: config.sender ?? '', messageId: message.messageId, apiKey: config.apiKey ?? '' };
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(config.headers ?? {})) headers[name.toLowerCase()] = fill(value, values, (v) => v);
      const request: SmsHttpRequest = { url: new URL(fill(config.url, values, encodeURIComponent)), method: config.method, headers };
      if (config.method === 'POST' && contentType !== 'none' && config.bodyTemplate) {
        request.body = fill(config.bodyTemplate, values, contentType === 'json' ? jsonEscape : encodeURIComponent);
        headers['content-type'] ??= contentType === 'json' ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded; charset=utf-8';
      }
      return request;
    },
    read(answer, parts) {
      if (answer.status >= 400) return clientError(answer, 'the gateway');
      const providerId = config.idField ? idOf(pick(parseJson(answer.body), config.idField)) : null;
      return { status: 'accepted', providerId, parts };
    },
  };
}

/** A custom gateway's report, read through the channel's field mapping. */
export function parseCustomSmsCallback(mapping: NonNullable<CustomConfig['callback']>, request: SmsCallbackRequest): SmsDeliveryReport[] {
  const items = Array.isArray(request.body) ? (request.body as unknown[]) : [objectOf(request)];
  const reports: SmsDeliveryReport[] = [];
  for (const item of items) {
    const id = idOf(pick(item, mapping.idField));
    const raw = idOf(pick(item, mapping.statusField));
    if (!id || !raw) continue;
    const status: SmsDeliveryStatus | null = mapping.delivered.includes(raw) ? 'delivered' : mapping.failed.includes(raw) ? 'failed' : mapping.sent?.includes(raw) ? 'sent' : null;
    if (!status) continue;
    const at = mapping.atField ? parseAt(pick(item, mapping.atField)) : undefined;
    reports.push({ providerId: id, status, ...(at ? { at } : {}), ...(status === 'failed' ? { error: raw } : {}) });
  }
  return reports;
}

/** The generic gateway's report: {id or messageId, status: delivered|failed|sent, at?, error?}, one or a list. */
export function parseGenericSmsCallback(request: SmsCallbackRequest): SmsDeliveryReport[] {
  const items = Array.isArray(request.body) ? (request.body as unknown[]) : [objectOf(request)];
  const reports: SmsDeliveryReport[] = [];
  for (const item of items) {
    const record = (item ?? {}) as Json;
    const providerId = idOf(record.id);
    const messageId = idOf(record.messageId);
    const status = record.status;
    if ((!providerId && !messageId) || (status !== 'delivered' && status !== 'failed' && status !== 'sent')) continue;
    const at = parseAt(record.at);
    const error = idOf(record.error);
    reports.push({ ...(providerId ? { providerId } : {}), ...(messageId ? { messageId } : {}), status, ...(at ? { at } : {}), ...(error ? { error } : {}) });
  }
  return reports;
}

// ---------------------------------------------------------------- shared

export function smsProvider(config: SmsChannelConfig): SmsProvider {
  switch (config.preset) {
    case 'generic': return genericProvider(config);
    case 'sms.ru': return smsRuProvider(config);
    case 'twilio': return twilioProvider(config);
    case 'custom': return customProvider(config);
  }
}

/** The delivery reports in a callback request, read the way the channel's preset writes them. */
export function parseSmsCallback(config: SmsChannelConfig, request: SmsCallbackRequest): SmsDeliveryReport[] {
  switch (config.preset) {
    case 'generic': return parseGenericSmsCallback(request);
    case 'sms.ru': return parseSmsRuCallback(request);
    case 'twilio': return parseTwilioCallback(request);
    case 'custom': return config.callback ? parseCustomSmsCallback(config.callback, request) : [];
  }
}

/** What the callback route answers: SMS.ru resends its reports until it reads "100". */
export function smsCallbackAnswer(config: SmsChannelConfig): { status: number; contentType: string; body: string } {
  if (config.preset === 'sms.ru') return { status: 200, contentType: 'text/plain', body: '100' };
  return { status: 200, contentType: 'text/plain', body: '' };
}

/** Name/value pairs of the query and the body (form text, JSON text, or an object). */
function fieldsOf(request: SmsCallbackRequest): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const add = (key: string, value: unknown) => {
    if (Array.isArray(value)) for (const v of value) add(key, v);
    else if (typeof value === 'string' || typeof value === 'number') pairs.push([key, String(value)]);
  };
  for (const [key, value] of Object.entries(request.query ?? {})) add(key, value);
  const { body } = request;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString();
    const json = parseJson(text);
    if (json && typeof json === 'object') for (const [key, value] of Object.entries(json)) add(key, value);
    else for (const [key, value] of new URLSearchParams(text)) pairs.push([key, value]);
  } else if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) add(key, value);
  }
  return pairs;
}

/** The query and body as one object (the body's fields win); a JSON body keeps its nesting. */
function objectOf(request: SmsCallbackRequest): Json {
  const { body } = request;
  let parsed: unknown = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString();
    parsed = parseJson(text) ?? Object.fromEntries(new URLSearchParams(text));
  }
  return { ...Object.fromEntries(fieldsOf({ query: request.query })), ...(parsed && typeof parsed === 'object' ? (parsed as Json) : {}) };
}

/** ISO 8601 or unix seconds. */
function parseAt(value: unknown): Date | undefined {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{9,11}$/.test(value))) {
    const at = new Date(Number(value) * 1000);
    return Number.isNaN(at.getTime()) ? undefined : at;
  }
  if (typeof value === 'string') {
    const at = new Date(value);
    return Number.isNaN(at.getTime()) ? undefined : at;
  }
  return undefined;
}
