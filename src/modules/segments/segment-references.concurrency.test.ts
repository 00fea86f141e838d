import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

/**
 * A segment's delete racing saves that name it, on real PostgreSQL (PGlite serves one
 * connection at a time, so it cannot race): whatever the order, no earning rule or promotion is
 * left naming a segment that is gone, and each answer agrees with what was stored.
 */
describe.runIf(onPostgres)('segment references under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  const ROUNDS = 60;
  const AT_ONCE = 15;

  /** Segment ids named now and not there: by the current earning rules, by any promotion. */
  const dangling = async () => {
    const rules = await sql<{ id: string; segment: string }>`
      select r ->> 'id' as id, s.segment
      from (select body from loyalty_config where kind = 'earning_rules' order by version desc limit 1) c,
        jsonb_array_elements(c.body -> 'rules') r, jsonb_array_elements_text(coalesce(r -> 'conditions' -> 'segments', '[]')) s(segment)
      where not exists (select 1 from segments g where g.id = s.segment)`.execute(t.database.db);
    const promotions = await sql<{ id: string; segment: string }>`
      select p.id, s.segment
      from promotions p, jsonb_array_elements_text(coalesce(p.definition -> 'audience' -> 'segments', '[]')) s(segment)
      where not exists (select 1 from segments g where g.id = s.segment)`.execute(t.database.db);
    return [...rules.rows.map((r) => `rule ${r.id} → ${r.segment}`), ...promotions.rows.map((p) => `promotion ${p.id} → ${p.segment}`)];
  };

  it(`${ROUNDS} deletes, each racing a rule save and a promotion create naming the segment: none leaves a dangling id`, async () => {
    const outcomes: Array<{ deleted: number; rule: number; promotion: number; patched: number }> = [];
    for (let start = 0; start < ROUNDS; start += AT_ONCE) {
      const rounds = Array.from({ length: Math.min(AT_ONCE, ROUNDS - start) }, (_, k) => start + k);
      // Each round: a segment, and a promotion for everyone that the race will PATCH to name it.
      const prepared = await Promise.all(
        rounds.map(async (round) => {
          const segment = await t.call({ method: 'POST', url: '/v1/segments', payload: { name: `Race ${round}`, rules: { field: 'identifier', kind: 'email', op: 'eq', value: true } } });
          expect(segment.statusCode, segment.body).toBe(201);
          const promotion = await t.call({ method: 'POST', url: '/v1/promotions', payload: { name: `Race ${round} patched`, benefit: { kind: 'percent_off', percentBp: 500 } } });
          expect(promotion.statusCode, promotion.body).toBe(201);
          return { round, segmentId: segment.json().id as string, promotionId: promotion.json().id as string };
        }),
      );
      await t.services.segments.recomputes.idle();
      const answers = await Promise.all(
        prepared.map(async ({ round, segmentId, promotionId }) => {
          const del = () => t.call({ method: 'DELETE', url: `/v1/segments/${segmentId}` });
          const saves = [
            () =>
              t.call({
                method: 'PUT',
                url: `/v1/earning-rules/race-${round}`,
                payload: { name: `Race ${round}`, kind: 'percent', rateBp: 100, conditions: { segments: [segmentId] }, priority: 0, stacking: 'sum', active: true },
              }),
            () => t.call({ method: 'POST', url: '/v1/promotions', payload: { name: `Race ${round}`, audience: { kind: 'segments', segments: [segmentId] }, benefit: { kind: 'percent_off', percentBp: 500 } } }),
            () =>
              t.call({
                method: 'PATCH',
                url: `/v1/promotions/${promotionId}`,
                headers: { 'content-type': 'application/merge-patch+json' },
                payload: JSON.stringify({ audience: { kind: 'segments', segments: [segmentId] } }),
              }),
          ];
          // Each request starts after its own delay (spread over the rounds), so some deletes find
          // the saves committed, some find them in flight, some come first.
          const after = <T>(k: number, send: () => Promise<T>) =>
            new Promise<T>((resolve, reject) => setTimeout(() => send().then(resolve, reject), (round * 37 + k * 13) % 40));
          const [deleted, rule, promotion, patched] = await Promise.all([after(0, del), after(1, saves[0]!), after(2, saves[1]!), after(3, saves[2]!)]);
          return { deleted, rule, promotion, patched };
        }),
      );
      for (const a of answers) {
        for (const response of [a.deleted, a.rule, a.promotion, a.patched]) expect(response.statusCode, response.body).toBeLessThan(500);
        const saved = [a.rule, a.promotion, a.patched].filter((r) => r.statusCode < 300).length;
        if (a.deleted.statusCode === 200) {
          // Deleted: every save came after and was refused as naming no segment.
          expect(saved).toBe(0);
          for (const r of [a.rule, a.promotion, a.patched]) expect(r.json().detail).toMatch(/no segment seg_/);
        } else {
          expect(a.deleted.statusCode, a.deleted.body).toBe(409);
          expect(a.deleted.json().code).toBe('segment.in_use');
          expect(saved).toBe(3);
        }
        outcomes.push({ deleted: a.deleted.statusCode, rule: a.rule.statusCode, promotion: a.promotion.statusCode, patched: a.patched.statusCode });
      }
      expect(await dangling()).toEqual([]);
    }
    expect(outcomes).toHaveLength(ROUNDS);
    // Both outcomes happened, so the race was run, not one side always first.
    expect(outcomes.some((o) => o.deleted === 200)).toBe(true);
    expect(outcomes.some((o) => o.deleted === 409)).toBe(true);
  });
});
