import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGiftCardLedgerConsistent } from '../../../tests/helpers/gift-card-ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { CODE_ALPHABET, maskCode } from './gift-card-codes.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const issue = async (body: object = {}) => {
  const response = await t.call({ method: 'POST', url: '/v1/gift-cards', payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; code: string; status: string; balanceMinor: number; expiresAt: string | null };
};
const card = (code: string, role: 'owner' | 'pos' | 'analyst' = 'owner') => t.call({ method: 'GET', url: `/v1/gift-cards/${code}`, role });
const post = (url: string, payload: object, headers: Record<string, string> = {}, role: 'owner' | 'pos' | 'support' = 'owner') => t.call({ method: 'POST', url, payload, headers, role });

describe('issuing and reading a card', () => {
  it('makes a 16-character code of the look-alike-free alphabet, shown in full once and masked in lists', async () => {
    const made = await issue({ amountMinor: 300000 });
    expect(made.code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{16}$`));
    expect(made).toMatchObject({ status: 'issued', balanceMinor: 300000, expiresAt: null });
    const list = (await t.call({ method: 'GET', url: '/v1/gift-cards?limit=500' })).json().items as Array<{ id: string; code: string }>;
    expect(list.find((c) => c.id === made.id)?.code).toBe(maskCode(made.code));
    expect(JSON.stringify(list)).not.toContain(made.code);
    // By its code the caller sees it (it typed it); by id, masked.
    expect((await card(made.code)).json().code).toBe(made.code);
    expect((await card(made.id)).json().code).toBe(`************${made.code.slice(-4)}`);
    // Typed as printed, in groups and lower case.
    expect((await card(made.code.toLowerCase().replace(/(.{4})(?=.)/g, '$1-'))).json().id).toBe(made.id);
  });

  it('the till checks a balance; it may not list cards nor read a ledger', async () => {
    const made = await issue({ amountMinor: 5000, activate: true });
    const checked = await card(made.code, 'pos');
    expect(checked.statusCode).toBe(200);
    expect(checked.json()).toMatchObject({ status: 'active', balanceMinor: 5000, currency: 'RUB' });
    expect((await t.call({ method: 'GET', url: '/v1/gift-cards', role: 'pos' })).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: `/v1/gift-cards/${made.code}/entries`, role: 'pos' })).statusCode).toBe(403);
  });

  it('takes a code printed elsewhere only if it is as hard to guess, and never twice', async () => {
    const short = await post('/v1/gift-cards', { code: 'ABCD-EFGH-JKLM' });
    expect([short.statusCode, short.json().code]).toEqual([400, 'request.invalid']);
    const misread = await post('/v1/gift-cards', { code: 'ABCD-EFGH-JKLM-N0PQ' });
    expect([misread.statusCode, misread.json().code]).toEqual([400, 'gift_card.invalid']);
    expect(misread.json().detail).toContain('no 0, 1, I or O');
    const made = await issue({ code: 'abcd-efgh-jklm-npqr' });
    expect(made.code).toBe('ABCDEFGHJKLMNPQR');
    const again = await post('/v1/gift-cards', { code: 'ABCDEFGHJKLMNPQR' });
    expect([again.statusCode, again.json().code]).toEqual([409, 'gift_card.taken']);
    expect((await card('NOSUCHCARDNOSUCH')).json().code).toBe('gift_card.not_found');
  });

  it('a keyed issue replays: the same key and body answer 200 with the first card (code in full) and make no other; another body is a 409', async () => {
    const key = { 'idempotency-key': 'back-office-issue-1' };
    const first = await post('/v1/gift-cards', { amountMinor: 150000, activate: true }, key);
    const replay = await post('/v1/gift-cards', { amountMinor: 150000, activate: true }, key);
    expect([first.statusCode, replay.statusCode]).toEqual([201, 200]);
    expect(replay.json()).toEqual(first.json());
    expect(first.json().code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{16}$`));
    const other = await post('/v1/gift-cards', { amountMinor: 999900, activate: true }, key);
    expect([other.statusCode, other.json().code]).toEqual([409, 'gift_card.idempotency_conflict']);
    expect(other.json().detail).toBe(`This Idempotency-Key was used to issue gift card ${first.json().id} with a different body; use a new key for a new request`);
    const cards = await t.database.db.selectFrom('giftCards').select('id').where('balanceMinor', '=', 150000).execute();
    expect(cards.map((c) => c.id)).toEqual([first.json().id]);
    // A request refused (a code taken) leaves its key free for the corrected one.
    const taken = await post('/v1/gift-cards', { code: 'TAKENTAKENTAKEN2' }, { 'idempotency-key': 'retry-me' });
    expect(taken.statusCode).toBe(201);
    const clash = await post('/v1/gift-cards', { code: 'TAKENTAKENTAKEN2' }, { 'idempotency-key': 'retry-me-2' });
    expect([clash.statusCode, clash.json().code]).toEqual([409, 'gift_card.taken']);
    const fixed = await post('/v1/gift-cards', { code: 'TAKENTAKENTAKEN3' }, { 'idempotency-key': 'retry-me-2' });
    expect(fixed.statusCode, fixed.body).toBe(201);
  });

  it('refuses an expiry that has passed', async () => {
    const past = await post('/v1/gift-cards', { expiresAt: '2026-02-01T00:00:00Z' });
    expect([past.statusCode, past.json().code]).toEqual([400, 'gift_card.invalid']);
  });
});

describe('activation, blocking, adjustments', () => {
  it('activation at a till sale loads what was paid, starts the validity in days, and happens once', async () => {
    const made = await issue({ validDays: 365 });
    const activated = await post(`/v1/gift-cards/${made.code}/activate`, { amountMinor: 250000 }, {}, 'pos');
    expect(activated.statusCode, activated.body).toBe(200);
    expect(activated.json()).toMatchObject({ status: 'active', balanceMinor: 250000, activatedAt: '2026-03-01T09:00:00.000Z', expiresAt: '2027-03-01T09:00:00.000Z' });
    const again = await post(`/v1/gift-cards/${made.code}/activate`, { amountMinor: 250000 }, {}, 'pos');
    expect([again.statusCode, again.json().code]).toEqual([409, 'gift_card.wrong_status']);
    expect(again.json().detail).toContain('is active since 2026-03-01T09:00:00.000Z');
    expect((await card(made.code)).json().balanceMinor).toBe(250000);
  });

  it('a keyed activation replays: the same key and body answer the card and load nothing more; another body is a 409', async () => {
    const made = await issue();
    const key = { 'idempotency-key': 'till-7-sale-1' };
    const first = await post(`/v1/gift-cards/${made.code}/activate`, { amountMinor: 100000 }, key, 'pos');
    const replay = await post(`/v1/gift-cards/${made.code}/activate`, { amountMinor: 100000 }, key, 'pos');
    expect([first.statusCode, replay.statusCode]).toEqual([200, 200]);
    expect(replay.json().balanceMinor).toBe(100000);
    const other = await post(`/v1/gift-cards/${made.code}/activate`, { amountMinor: 900000 }, key, 'pos');
    expect([other.statusCode, other.json().code]).toEqual([409, 'gift_card.idempotency_conflict']);
  });

  it('a blocked card keeps its money and goes back to active when unblocked; an issued one back to issued', async () => {
    const active = await issue({ amountMinor: 7000, activate: true });
    const blocked = await post(`/v1/gift-cards/${active.code}/block`, { reason: 'reported lost' }, {}, 'support');
    expect(blocked.json()).toMatchObject({ status: 'blocked', balanceMinor: 7000, blockReason: 'reported lost', blockedAt: '2026-03-01T09:00:00.000Z' });
    expect((await post(`/v1/gift-cards/${active.code}/block`, {})).json().code).toBe('gift_card.wrong_status');
    expect((await post(`/v1/gift-cards/${active.code}/unblock`, {})).json()).toMatchObject({ status: 'active', blockReason: null });
    const issued = await issue();
    await post(`/v1/gift-cards/${issued.id}/block`, {});
    expect((await post(`/v1/gift-cards/${issued.id}/unblock`, {})).json().status).toBe('issued');
    expect((await post(`/v1/gift-cards/${issued.id}/unblock`, {})).json().code).toBe('gift_card.wrong_status');
  });

  it('an adjustment moves money with a reason, never below zero, and replays on its key', async () => {
    const made = await issue({ amountMinor: 10000, activate: true });
    const key = { 'idempotency-key': 'support-42' };
    const up = await post(`/v1/gift-cards/${made.code}/adjustments`, { amountMinor: 2550, reason: 'goodwill' }, key, 'support');
    expect([up.statusCode, up.json().balanceMinor]).toEqual([201, 12550]);
    const replay = await post(`/v1/gift-cards/${made.code}/adjustments`, { amountMinor: 2550, reason: 'goodwill' }, key, 'support');
    expect([replay.statusCode, replay.json().balanceMinor]).toEqual([200, 12550]);
    const over = await post(`/v1/gift-cards/${made.code}/adjustments`, { amountMinor: -12551, reason: 'correction' });
    expect([over.statusCode, over.json().code]).toEqual([409, 'gift_card.insufficient_balance']);
    const down = await post(`/v1/gift-cards/${made.code}/adjustments`, { amountMinor: -12550, reason: 'correction' });
    expect(down.json().balanceMinor).toBe(0);
    const entries = (await t.call({ method: 'GET', url: `/v1/gift-cards/${made.code}/entries` })).json().items;
    expect(entries.map((e: { kind: string; amountMinor: number; balanceAfterMinor: number }) => [e.kind, e.amountMinor, e.balanceAfterMinor])).toEqual([
      ['adjust', -12550, 0],
      ['adjust', 2550, 12550],
      ['issue', 10000, 10000],
    ]);
    const zero = await post(`/v1/gift-cards/${made.code}/adjustments`, { amountMinor: 0, reason: 'nothing' });
    expect(zero.statusCode).toBe(400);
  });
});

describe('expiry', () => {
  it('the daily job expires cards past their date and takes what was left off with an entry; a card not due stays', async () => {
    const soon = await issue({ amountMinor: 4200, activate: true, expiresAt: '2026-03-02T00:00:00Z' });
    const later = await issue({ amountMinor: 1000, activate: true, expiresAt: '2026-06-01T00:00:00Z' });
    t.clock.set('2026-03-02T00:00:01Z');
    try {
      const run = await t.call({ method: 'POST', url: '/v1/jobs/expire-gift-cards/run' });
      expect(run.statusCode, run.body).toBe(200);
      expect(run.json()).toMatchObject({ cards: 1, minor: 4200 });
      expect((await card(soon.code)).json()).toMatchObject({ status: 'expired', balanceMinor: 0 });
      expect((await card(later.code)).json()).toMatchObject({ status: 'active', balanceMinor: 1000 });
      const again = await t.call({ method: 'POST', url: '/v1/jobs/expire-gift-cards/run' });
      expect(again.json()).toMatchObject({ cards: 0, minor: 0 });
      const entries = (await t.call({ method: 'GET', url: `/v1/gift-cards/${soon.id}/entries` })).json().items;
      expect(entries[0]).toMatchObject({ kind: 'expire', amountMinor: -4200, balanceAfterMinor: 0 });
    } finally {
      t.clock.set('2026-03-01T09:00:00Z');
    }
  });
});

describe('a card past its expiry takes no money', () => {
  it('activation and a top-up answer 409 gift_card.expired and load nothing, before the job has run; taking money off still works', async () => {
    const unsold = await issue({ expiresAt: '2026-03-02T00:00:00Z' });
    const active = await issue({ amountMinor: 1000, activate: true, expiresAt: '2026-03-02T00:00:00Z' });
    t.clock.set('2026-03-02T00:00:00Z');
    try {
      const sold = await post(`/v1/gift-cards/${unsold.code}/activate`, { amountMinor: 300000 }, { 'idempotency-key': 'late-sale' }, 'pos');
      expect([sold.statusCode, sold.json().code]).toEqual([409, 'gift_card.expired']);
      expect(sold.json().detail).toBe(`Gift card ${maskCode(unsold.code)} expired at 2026-03-02T00:00:00.000Z; it cannot be activated: money loaded on it could never be spent; sell another card`);
      expect((await card(unsold.code)).json()).toMatchObject({ status: 'issued', balanceMinor: 0 });
      const topUp = await post(`/v1/gift-cards/${active.code}/adjustments`, { amountMinor: 500, reason: 'goodwill' }, {}, 'support');
      expect([topUp.statusCode, topUp.json().code]).toEqual([409, 'gift_card.expired']);
      expect(topUp.json().detail).toContain('no money can be put on it');
      const off = await post(`/v1/gift-cards/${active.code}/adjustments`, { amountMinor: -400, reason: 'correction' }, {}, 'support');
      expect([off.statusCode, off.json().balanceMinor]).toEqual([201, 600]);
      const entries = (await t.call({ method: 'GET', url: `/v1/gift-cards/${unsold.code}/entries` })).json().items;
      expect(entries).toEqual([]);
    } finally {
      t.clock.set('2026-03-01T09:00:00Z');
    }
  });
});

describe('batches', () => {
  it('makes its cards in the background, issued with the face value, and exports their codes as CSV', async () => {
    const created = await post('/v1/gift-cards/batches', { count: 25, amountMinor: 100000, prefix: 'gc', validDays: 180 });
    expect(created.statusCode, created.body).toBe(202);
    expect(created.json()).toMatchObject({ status: 'queued', count: 25, generated: 0, prefix: 'GC', currency: 'RUB' });
    await t.services.giftCards.batches.idle();
    const batch = (await t.call({ method: 'GET', url: `/v1/gift-cards/batches/${created.json().id}` })).json();
    expect(batch).toMatchObject({ status: 'completed', generated: 25, progress: 1 });
    const cards = (await t.call({ method: 'GET', url: `/v1/gift-cards?batchId=${batch.id}&limit=100` })).json().items;
    expect(cards).toHaveLength(25);
    expect(cards.every((c: { status: string; balanceMinor: number; validDays: number }) => c.status === 'issued' && c.balanceMinor === 100000 && c.validDays === 180)).toBe(true);
    const csv = await t.call({ method: 'GET', url: `/v1/gift-cards/batches/${batch.id}/export` });
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = csv.body.trim().split('\n');
    expect(rows[0]).toBe('code,id,amount_minor,currency,expires_at,valid_days');
    expect(rows).toHaveLength(26);
    const codes = rows.slice(1).map((row) => row.split(',')[0]!);
    expect(new Set(codes).size).toBe(25);
    for (const code of codes) expect(code).toMatch(new RegExp(`^GC[${CODE_ALPHABET}]{2}(-[${CODE_ALPHABET}]{4}){3}-[${CODE_ALPHABET}]{2}$`));
    // A printed code activates as typed.
    const sold = await post(`/v1/gift-cards/${codes[0]}/activate`, {}, {}, 'pos');
    expect(sold.json()).toMatchObject({ status: 'active', balanceMinor: 100000, expiresAt: '2026-08-28T09:00:00.000Z' });
    // The till may not export codes; an analyst may not either.
    expect((await t.call({ method: 'GET', url: `/v1/gift-cards/batches/${batch.id}/export`, role: 'analyst' })).statusCode).toBe(403);
  });
});

describe('a keyed batch', () => {
  it('replays: the same key and body answer 200 with the first batch and make no other; another body is a 409', async () => {
    const key = { 'idempotency-key': 'print-run-2026-03' };
    const body = { count: 3, amountMinor: 70000, prefix: 'KEY' };
    const first = await post('/v1/gift-cards/batches', body, key);
    const replay = await post('/v1/gift-cards/batches', body, key);
    expect([first.statusCode, replay.statusCode]).toEqual([202, 200]);
    expect(replay.json().id).toBe(first.json().id);
    const other = await post('/v1/gift-cards/batches', { ...body, count: 4 }, key);
    expect([other.statusCode, other.json().code]).toEqual([409, 'gift_card.idempotency_conflict']);
    await t.services.giftCards.batches.idle();
    const batches = await t.database.db.selectFrom('giftCardBatches').select('id').where('prefix', '=', 'KEY').execute();
    expect(batches.map((b) => b.id)).toEqual([first.json().id]);
    expect((await t.call({ method: 'GET', url: `/v1/gift-cards?batchId=${first.json().id}` })).json().items).toHaveLength(3);
    expect((await post('/v1/gift-cards/batches', body, key)).json()).toMatchObject({ id: first.json().id, status: 'completed', generated: 3 });
  });
});

describe('the ledger', () => {
  it('a customer merge finds the payments to move by an index on customer_id', async () => {
    const indexes = await sql<{ def: string }>`select indexdef as def from pg_indexes where tablename = 'gift_card_payments'`.execute(t.database.db);
    expect(indexes.rows.map((r) => r.def).filter((d) => /\(customer_id\)/.test(d))).toEqual([
      expect.stringMatching(/gift_card_payments_customer .*\(customer_id\) WHERE \(customer_id IS NOT NULL\)/),
    ]);
  });

  it('every card: its entries add up to its balance', async () => {
    expect(await expectGiftCardLedgerConsistent(t.database.db)).toBeGreaterThan(30);
  });
});
