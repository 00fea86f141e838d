import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docExamples, exampleDrawnValues, exampleIds } from '../src/docs-examples.ts';
import { createTestApp, type TestApp } from './helpers/test-app.ts';

/**
 * The worked examples of /docs (src/docs-examples.ts) sent, in order, to a fresh server at their
 * time (2026-03-01T09:00:00Z): each answer is the one the example shows, the ids the server made
 * aside — each example id stands for the id the server returned in its place, the same one
 * everywhere.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const exampleIdSet = new Set<string>([...Object.values(exampleIds), ...Object.keys(exampleDrawnValues)]);
/** An id is of its example's kind by its prefix; a drawn value (a referral code) by its pattern. */
const sameKind = (expected: string, actual: string) => exampleDrawnValues[expected]?.test(actual) ?? actual.slice(0, 4) === expected.slice(0, 4);
const realIds = new Map<string, string>();

/** The request with the example ids the server has already named replaced by its ids. */
function toReal<T>(value: T): T {
  let text = JSON.stringify(value);
  for (const [example, real] of realIds) text = text.replaceAll(example, real);
  return text === undefined ? value : JSON.parse(text);
}

/** Where `actual` differs from `expected`; an example id matches the id the server made in its place. */
function differences(expected: unknown, actual: unknown, where = '$'): string[] {
  if (typeof expected === 'string' && exampleIdSet.has(expected)) {
    if (typeof actual !== 'string' || !sameKind(expected, actual)) return [`${where}: ${JSON.stringify(actual)} is not an id like ${expected}`];
    const known = realIds.get(expected);
    if (known === undefined) realIds.set(expected, actual);
    return known === undefined || known === actual ? [] : [`${where}: ${actual}, where the example's ${expected} was ${known} before`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${where}: ${JSON.stringify(actual)} is not ${expected.length} items`];
    return expected.flatMap((item, i) => differences(item, actual[i], `${where}[${i}]`));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return [`${where}: ${JSON.stringify(actual)} is not an object`];
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys].flatMap((key) => differences((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${where}.${key}`));
  }
  // A string that embeds an example id or drawn value (a link with a referral code) holds the server's in its place.
  const wanted = typeof expected === 'string' ? toReal(expected) : expected;
  return Object.is(wanted, actual) ? [] : [`${where}: ${JSON.stringify(actual)}, the example says ${JSON.stringify(wanted)}`];
}

/** The cookie and CSRF token of the last console sign-in, for the examples marked `session`. */
let consoleSession: Record<string, string> = {};

describe('the worked examples, run', () => {
  // One after another: each builds on the ones before (the customer, the receipt, the balance).
  it.each(docExamples.map((example, index) => [`${index + 1}. ${example.route}: ${example.summary}`, example] as const))('%s', async (_name, example) => {
    const [method, route] = example.route.split(' ') as [string, string];
    const params = toReal(example.params ?? {});
    const path = route.replace(/\{(\w+)\}/g, (_all, name: string) => encodeURIComponent(params[name] ?? ''));
    const query = new URLSearchParams(toReal(example.query ?? {})).toString();
    // Recomputes and runs (RFM, clusters, recommendations, CLV fits) go on in the background: a reader of the docs reads their results after they finished.
    await t.services.segments.recomputes.idle();
    await t.services.segments.rfm.idle();
    await t.services.clusters.runs.idle();
    await t.services.recommendations.runs.idle();
    await t.services.whatIf.runs.idle();
    await t.services.clv.runs.idle();
    const headers = { ...example.headers, ...(example.session ? consoleSession : {}) };
    const response = await t.call({
      method: method as 'GET',
      url: query ? `${path}?${query}` : path,
      role: example.role,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(example.body !== undefined ? { payload: toReal(example.body) as object } : {}),
    });
    expect(response.statusCode, response.body).toBe(example.status);
    if (example.route === 'POST /v1/console/session' && response.statusCode === 200) {
      // The browser keeps the session cookie; the console sends the CSRF token with each change.
      const cookie = response.cookies.find((c) => c.name === 'patron_console')!;
      consoleSession = { cookie: `patron_console=${cookie.value}`, 'x-csrf-token': (response.json() as { csrfToken: string }).csrfToken };
    }
    if (example.responseType === 'redirect') {
      expect(response.headers.location).toBe(toReal(example.response));
      return;
    }
    if (example.responsePart === 'main') {
      // A customer page: its <main>, with the form's token (signed with this server's secret) as FORM_TOKEN.
      expect(String(response.headers['content-type'])).toMatch(/^text\/html\b/);
      const main = /<main id="main">[\s\S]*<\/main>/.exec(response.body)?.[0] ?? response.body;
      expect(main.replace(/(name="form" value=")[^"]+"/g, '$1FORM_TOKEN"')).toBe(toReal(example.response));
      return;
    }
    if (example.responseType) {
      // A page or an image: its media type, and its text (an image's bytes in base64) exactly.
      expect(String(response.headers['content-type'])).toMatch(new RegExp(`^${example.responseType}\\b`));
      expect(example.responseType.startsWith('image/') ? response.rawPayload.toString('base64') : response.body).toBe(toReal(example.response));
      return;
    }
    expect(differences(example.response, response.json())).toEqual([]);
  });
});
