import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * Earning rules and promotions name segments by id: a save naming one that is not there is a 400
 * in the saver's own code, and a segment still named cannot be deleted (409 segment.in_use).
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const MISSING = 'seg_0000000000000000000000000000dead';
const mergePatch = { 'content-type': 'application/merge-patch+json' };

let names = 0;
const segment = async () => {
  const response = await t.call({ method: 'POST', url: '/v1/segments', payload: { name: `Refs ${++names}`, rules: { field: 'identifier', kind: 'email', op: 'eq', value: true } } });
  expect(response.statusCode, response.body).toBe(201);
  await t.services.segments.recomputes.idle();
  return response.json().id as string;
};
const rule = (id: string, segments: string[]) => ({ id, name: `Rule ${id}`, kind: 'percent', rateBp: 300, conditions: { segments }, priority: 0, stacking: 'sum', active: true });
const deleteSegment = (id: string) => t.call({ method: 'DELETE', url: `/v1/segments/${id}` });
const segmentExists = async (id: string) => (await t.call({ method: 'GET', url: `/v1/segments/${id}` })).statusCode === 200;

describe('segments named by earning rules', () => {
  it('a rule naming an unknown segment is refused in plain words, by PUT and PATCH of the set and of one rule; nothing is saved', async () => {
    const known = await segment();
    const before = (await t.call({ method: 'GET', url: '/v1/earning-rules' })).json();
    const put = await t.call({ method: 'PUT', url: '/v1/earning-rules', payload: { rules: [rule('base', []), rule('club', [known, MISSING])] } });
    expect(put.statusCode, put.body).toBe(400);
    expect(put.json().code).toBe('config.invalid');
    expect(put.json().detail).toBe(`rules.1.conditions.segments.1: no segment ${MISSING}; GET /v1/segments lists them`);
    expect(put.json().errors).toEqual([{ field: 'rules.1.conditions.segments.1', reason: `no segment ${MISSING}; GET /v1/segments lists them` }]);

    const one = await t.call({ method: 'PUT', url: '/v1/earning-rules/club', payload: rule('club', [MISSING]) });
    expect(one.statusCode, one.body).toBe(400);
    expect(one.json().detail).toContain(`conditions.segments.0: no segment ${MISSING}`);

    const saved = await t.call({ method: 'PUT', url: '/v1/earning-rules/club', payload: rule('club', [known]) });
    expect(saved.statusCode, saved.body).toBe(201);
    const patchOne = await t.call({ method: 'PATCH', url: '/v1/earning-rules/club', headers: mergePatch, payload: JSON.stringify({ conditions: { segments: [MISSING] } }) });
    expect(patchOne.statusCode, patchOne.body).toBe(400);
    expect(patchOne.json().code).toBe('config.invalid');
    const patchSet = await t.call({ method: 'PATCH', url: '/v1/earning-rules', headers: mergePatch, payload: JSON.stringify({ rules: [rule('club', [MISSING])] }) });
    expect(patchSet.statusCode, patchSet.body).toBe(400);
    expect(patchSet.json().detail).toContain(`rules.0.conditions.segments.0: no segment ${MISSING}`);

    const after = (await t.call({ method: 'GET', url: '/v1/earning-rules' })).json();
    expect(after.version).toBe(before.version + 1);
    expect(after.rules.find((r: { id: string }) => r.id === 'club').conditions.segments).toEqual([known]);
    expect((await t.call({ method: 'DELETE', url: '/v1/earning-rules/club' })).statusCode).toBe(200);
  });

  it('a segment a rule names cannot be deleted; once the rule no longer names it, it can', async () => {
    const club = await segment();
    expect((await t.call({ method: 'PUT', url: '/v1/earning-rules/coffee-club', payload: rule('coffee-club', [club]) })).statusCode).toBe(201);
    const refused = await deleteSegment(club);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().code).toBe('segment.in_use');
    expect(refused.json().detail).toBe(`Segment ${club} is named by earning rule "coffee-club"; change or delete them first`);
    expect(await segmentExists(club)).toBe(true);

    // An inactive rule still names it: setting it active again would bring it back.
    const inactive = await t.call({ method: 'PATCH', url: '/v1/earning-rules/coffee-club', headers: mergePatch, payload: JSON.stringify({ active: false }) });
    expect(inactive.statusCode, inactive.body).toBe(200);
    expect((await deleteSegment(club)).statusCode).toBe(409);

    const freed = await t.call({ method: 'PATCH', url: '/v1/earning-rules/coffee-club', headers: mergePatch, payload: JSON.stringify({ conditions: { segments: null } }) });
    expect(freed.statusCode, freed.body).toBe(200);
    const deleted = await deleteSegment(club);
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(await segmentExists(club)).toBe(false);
    expect((await t.call({ method: 'DELETE', url: '/v1/earning-rules/coffee-club' })).statusCode).toBe(200);
  });
});

describe('segments named by promotions', () => {
  const promotion = (audience: object, extra: object = {}) =>
    t.call({ method: 'POST', url: '/v1/promotions', payload: { name: 'Coffee 15%', status: 'active', audience, benefit: { kind: 'percent_off', percentBp: 1500 }, ...extra } });

  it('a promotion naming an unknown segment is refused on create, replace and patch; nothing is saved', async () => {
    const known = await segment();
    const created = await promotion({ kind: 'segments', segments: [MISSING, known] });
    expect(created.statusCode, created.body).toBe(400);
    expect(created.json().code).toBe('promotion.invalid');
    expect(created.json().detail).toBe(`audience.segments.0: no segment ${MISSING}; GET /v1/segments lists them`);
    expect((await t.call({ method: 'GET', url: '/v1/promotions?q=coffee' })).json().items).toEqual([]);

    const ok = await promotion({ kind: 'segments', segments: [known] });
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json().id as string;
    const { id: _id, usage: _usage, version: _version, createdAt: _c, updatedAt: _u, ...body } = ok.json();
    const replaced = await t.call({ method: 'PUT', url: `/v1/promotions/${id}`, payload: { ...body, audience: { kind: 'segments', segments: [known, MISSING] } } });
    expect(replaced.statusCode, replaced.body).toBe(400);
    expect(replaced.json().detail).toBe(`audience.segments.1: no segment ${MISSING}; GET /v1/segments lists them`);
    const patched = await t.call({ method: 'PATCH', url: `/v1/promotions/${id}`, headers: mergePatch, payload: JSON.stringify({ audience: { segments: [MISSING] } }) });
    expect(patched.statusCode, patched.body).toBe(400);
    expect(patched.json().code).toBe('promotion.invalid');
    const stored = (await t.call({ method: 'GET', url: `/v1/promotions/${id}` })).json();
    expect(stored.audience).toEqual({ kind: 'segments', segments: [known] });
    expect(stored.version).toBe(1);
    expect((await t.call({ method: 'DELETE', url: `/v1/promotions/${id}` })).statusCode).toBe(200);
  });

  it('a segment a promotion names cannot be deleted, even with the promotion archived; once it is deleted or names another audience, it can', async () => {
    const regulars = await segment();
    const first = (await promotion({ kind: 'segments', segments: [regulars] })).json().id as string;
    const second = (await promotion({ kind: 'segments', segments: [regulars] }, { name: 'Regulars: free croissant', status: 'archived' })).json().id as string;
    const refused = await deleteSegment(regulars);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().code).toBe('segment.in_use');
    const [low, high] = [first, second].sort();
    const nameOf = (id: string) => (id === first ? 'Coffee 15%' : 'Regulars: free croissant');
    expect(refused.json().detail).toBe(`Segment ${regulars} is named by promotion "${nameOf(low!)}" (${low}), promotion "${nameOf(high!)}" (${high}); change or delete them first`);

    expect((await t.call({ method: 'DELETE', url: `/v1/promotions/${first}` })).statusCode).toBe(200);
    const still = await deleteSegment(regulars);
    expect(still.statusCode).toBe(409);
    expect(still.json().detail).toBe(`Segment ${regulars} is named by promotion "Regulars: free croissant" (${second}); change or delete them first`);
    const everyone = await t.call({ method: 'PATCH', url: `/v1/promotions/${second}`, headers: mergePatch, payload: JSON.stringify({ audience: { kind: 'everyone', segments: null } }) });
    expect(everyone.statusCode, everyone.body).toBe(200);
    expect((await deleteSegment(regulars)).statusCode).toBe(200);
    expect(await segmentExists(regulars)).toBe(false);
  });

  it('a rule and a promotion naming one segment are both named in the refusal', async () => {
    const both = await segment();
    expect((await t.call({ method: 'PUT', url: '/v1/earning-rules/both', payload: rule('both', [both]) })).statusCode).toBe(201);
    const id = (await promotion({ kind: 'segments', segments: [both] }, { name: 'Both' })).json().id as string;
    const refused = await deleteSegment(both);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toBe(`Segment ${both} is named by earning rule "both", promotion "Both" (${id}); change or delete them first`);
  });
});
