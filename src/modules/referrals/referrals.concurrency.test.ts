import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';
import { platformTx } from '../../platform/db-views.ts';
import { referralSteps } from './referral-test-steps.ts';

/**
 * On real PostgreSQL (PGlite serves one connection at a time, so it cannot race): the reward job
 * run by many instances at once pays each referral exactly once, and a referrer's caps hold when
 * many friends name the code at the same moment.
 */
describe.runIf(onPostgres)('referrals under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  const s = referralSteps(() => t);
  beforeAll(async () => {
    t = await createTestApp();
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
  });
  afterAll(async () => t?.close());

  it('20 job runs at once reward each of 30 referrals exactly once', async () => {
    t.clock.set('2026-03-01T09:00:00Z');
    const referrals: Array<{ anna: string; boris: string; id: string }> = [];
    for (let i = 0; i < 30; i++) {
      const [anna, boris] = [await s.customer(), await s.customer()];
      const named = await s.name(boris, { code: await s.code(anna) });
      expect(named.statusCode, named.body).toBe(201);
      await s.confirm(boris, 100_000 + i);
      referrals.push({ anna, boris, id: named.json().id });
    }
    expect((await s.runJob()).qualified).toBe(30);
    t.clock.set('2026-03-15T09:00:00Z');
    const runs = await Promise.all(Array.from({ length: 20 }, () => t.services.referrals.runJob()));
    expect(runs.reduce((sum, run) => sum + run.rewarded, 0)).toBe(30);
    expect(runs.reduce((sum, run) => sum + run.failed, 0)).toBe(0);
    for (const r of referrals) expect(await s.awards(r.id)).toEqual({ [r.anna]: 500, [r.boris]: 300 });
    const entries = await sql<{ n: number }>`select count(*)::int as n from point_entries where kind = 'award'`.execute(t.database.db);
    expect(entries.rows[0]!.n).toBe(60);
    await expectLedgerConsistent(t.database.db);
  });

  it('a refund racing the reward: either the reward went out on a receipt that stood, or none at all', async () => {
    t.clock.set('2026-04-01T09:00:00Z');
    const pairs: Array<{ id: string; receiptId: string }> = [];
    for (let i = 0; i < 10; i++) {
      const [anna, boris] = [await s.customer(), await s.customer()];
      const named = await s.name(boris, { code: await s.code(anna) });
      const receipt = await s.confirm(boris, 100_000);
      pairs.push({ id: named.json().id, receiptId: receipt.id });
    }
    await s.runJob();
    t.clock.set('2026-04-15T09:00:00Z');
    const [job, ...refunds] = await Promise.all([
      t.services.referrals.runJob(),
      ...pairs.map((p) => t.call({ method: 'POST', url: `/v1/receipts/${p.receiptId}/refunds`, payload: { refundId: 'late', lines: [{ sku: 'A', qty: 1 }] } })),
    ]);
    for (const refund of refunds) expect(refund.statusCode, refund.body).toBe(201);
    expect(job!.failed).toBe(0);
    // The job reads each receipt under a share lock, so each refund came wholly before the check
    // (the referral went back to invited, no points) or wholly after the reward: never a reward
    // computed from a receipt a committed refund had already taken below the threshold.
    const rows = await sql<{ id: string; status: string }>`select id, status from referrals where id in (${sql.join(pairs.map((p) => p.id))})`.execute(t.database.db);
    expect(rows.rows).toHaveLength(10);
    for (const row of rows.rows) {
      expect(['rewarded', 'invited']).toContain(row.status);
      if (row.status === 'rewarded') expect(Object.keys(await s.awards(row.id))).toHaveLength(2);
      else expect(await s.awards(row.id)).toEqual({});
    }
    expect(job!.rewarded + job!.requalified).toBe(10);
    await expectLedgerConsistent(t.database.db);
  });

  it('a refund arriving while the reward job holds the balance lock waits for it, no deadlock', async () => {
    t.clock.set('2026-04-16T09:00:00Z');
    const [anna, boris] = [await s.customer(), await s.customer()];
    await s.name(boris, { code: await s.code(anna) });
    const receipt = await s.confirm(boris, 100_000);
    // What the reward job does: the balance lock first, then (after a pause in which the refund
    // arrives) the receipt under a share lock. A refund taking the receipt's lock before the
    // balance's would hold what the job wants next while waiting for what it holds: a deadlock,
    // which PostgreSQL breaks by failing one of the two (a 503 for the till).
    let refund: ReturnType<TestApp['call']> | undefined;
    await t.database.db.transaction().execute(async (tx) => {
      await t.services.loyalty.points.lock(platformTx(tx), boris);
      refund = t.call({ method: 'POST', url: `/v1/receipts/${receipt.id}/refunds`, payload: { refundId: 'while-locked', lines: [{ sku: 'A', qty: 1 }] } });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await sql`select id from receipts where id = ${receipt.id} for share`.execute(tx);
    });
    const answer = await refund!;
    expect(answer.statusCode, answer.body).toBe(201);
    await expectLedgerConsistent(t.database.db);
  });

  it('the reward job and a merge holding a balance lock: they take turns, no deadlock', async () => {
    t.clock.set('2026-04-20T09:00:00Z');
    const [anna, boris] = [await s.customer(), await s.customer()];
    const named = await s.name(boris, { code: await s.code(anna) });
    expect(named.statusCode, named.body).toBe(201);
    await s.confirm(boris, 100_000);
    expect((await s.runJob()).qualified).toBeGreaterThanOrEqual(1);
    t.clock.set('2026-05-05T09:00:00Z');
    // What a merge does: both balance locks first, then the referrals. The job starts in between.
    let job: Promise<{ rewarded: number; failed: number }> | undefined;
    await t.database.db.transaction().execute(async (tx) => {
      for (const id of [anna, boris].sort()) await t.services.loyalty.points.lock(platformTx(tx), id);
      job = t.services.referrals.runJob();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await sql`update referrals set updated_at = updated_at where id = ${named.json().id}`.execute(tx);
    });
    const report = await job!;
    expect(report.failed).toBe(0);
    expect(await s.awards(named.json().id)).toEqual({ [anna]: 500, [boris]: 300 });
    await expectLedgerConsistent(t.database.db);
  });

  it('40 friends naming one code at once: the monthly cap of 5 holds', async () => {
    t.clock.set('2026-05-01T09:00:00Z');
    await t.call({ method: 'PATCH', url: '/v1/referral-program', payload: { capPerReferrerPerMonth: 5, capPerReferrerTotal: 100 } });
    const anna = await s.customer();
    const code = await s.code(anna);
    const friends = await Promise.all(Array.from({ length: 40 }, () => s.customer()));
    const answers = await Promise.all(friends.map((friend) => s.name(friend, { code })));
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(5);
    expect(answers.filter((a) => a.statusCode === 409).every((a) => a.json().code === 'referral.cap_reached')).toBe(true);
    const stored = await sql<{ n: number }>`select count(*)::int as n from referrals where referrer_id = ${anna}`.execute(t.database.db);
    expect(stored.rows[0]!.n).toBe(5);
  });

  it('one friend naming 10 codes at once: one referral, the others refused', async () => {
    const boris = await s.customer();
    const codes = await Promise.all(Array.from({ length: 10 }, async () => s.code(await s.customer())));
    const answers = await Promise.all(codes.map((code) => s.name(boris, { code })));
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409).map((a) => a.json().code)).toEqual(Array(9).fill('referral.already_referred'));
  });

  it('one device naming codes for 10 new accounts at once: exactly one account gets through', async () => {
    const anna = await s.customer();
    const code = await s.code(anna);
    const accounts = await Promise.all(Array.from({ length: 10 }, () => s.customer()));
    const answers = await Promise.all(accounts.map((account) => s.name(account, { code, deviceId: 'farm-phone-1' })));
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409).map((a) => a.json().code)).toEqual(Array(9).fill('referral.device_used'));
  });
});
