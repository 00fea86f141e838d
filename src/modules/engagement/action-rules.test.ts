import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const patch = (id: string, body: object) =>
  t.call({ method: 'PATCH', url: `/v1/action-rules/${id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify(body) });

describe('/v1/action-rules', () => {
  it('PUT takes back what GET answers; PATCH merges; a stale version is 409; every change is audited', async () => {
    const created = await t.call({ method: 'POST', url: '/v1/action-rules', payload: { name: 'Story shared', eventType: 'story.shared', points: 25, validFrom: '2026-03-01T00:00:00Z', limits: { perCustomerTotal: 3 } } });
    expect(created.statusCode, created.body).toBe(201);
    const rule = created.json();
    expect(rule).toMatchObject({ status: 'active', validFrom: '2026-03-01T00:00:00.000Z', limits: { perCustomerTotal: 3 }, conditions: {}, version: 1 });
    const same = await t.call({ method: 'PUT', url: `/v1/action-rules/${rule.id}`, payload: rule });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json().version).toBe(1);
    const paused = await patch(rule.id, { status: 'paused', limits: { oncePerCustomer: true, perCustomerTotal: null }, version: 1 });
    expect(paused.json()).toMatchObject({ status: 'paused', limits: { oncePerCustomer: true }, version: 2 });
    expect(paused.json().limits).toEqual({ oncePerCustomer: true });
    expect((await patch(rule.id, { points: 30, version: 1 })).json()).toMatchObject({ status: 409, code: 'action_rule.version_conflict' });
    expect((await t.call({ method: 'PUT', url: `/v1/action-rules/${rule.id}`, payload: { ...rule, id: 'acr_0190c0ffee00700080000000000000ab' } })).json()).toMatchObject({ status: 400, code: 'action_rule.invalid' });
    const bad = await patch(rule.id, { validTo: '2026-02-01T00:00:00Z' });
    expect(bad.json()).toMatchObject({ status: 400, code: 'action_rule.invalid', errors: [{ field: 'validTo', reason: 'must be after validFrom' }] });
    const audit = (await t.call({ method: 'GET', url: `/v1/audit-log?entityId=${rule.id}` })).json().items as Array<{ action: string }>;
    expect(audit.map((a) => a.action).sort()).toEqual(['action_rule.create', 'action_rule.update']);
    const list = (await t.call({ method: 'GET', url: '/v1/action-rules?status=paused&eventType=story.shared' })).json();
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([rule.id]);
  });

  it('a rule that awarded cannot be deleted (archive it) nor have its budget set below what it gave; one that never did can', async () => {
    const rule = (await t.call({ method: 'POST', url: '/v1/action-rules', payload: { name: 'Quiz', eventType: 'quiz.passed', points: 40, limits: { totalPoints: 100 } } })).json();
    const anna = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79125550101' } })).json().id;
    const posted = await t.call({ method: 'POST', url: '/v1/events', payload: { eventId: 'quiz-1', customer: { customerId: anna }, type: 'quiz.passed' } });
    expect(posted.json().awards).toEqual([{ ruleId: rule.id, points: 40 }]);
    expect((await t.call({ method: 'DELETE', url: `/v1/action-rules/${rule.id}` })).json()).toMatchObject({ status: 409, code: 'action_rule.in_use' });
    const low = await patch(rule.id, { limits: { totalPoints: 39 } });
    expect(low.json()).toMatchObject({ status: 400, errors: [{ field: 'limits.totalPoints', reason: 'must be at least the points already given (40)' }] });
    expect((await patch(rule.id, { status: 'archived' })).json()).toMatchObject({ status: 'archived', usage: { awards: 1, points: 40, budgetLeft: 60 } });
    const unused = (await t.call({ method: 'POST', url: '/v1/action-rules', payload: { name: 'Never', eventType: 'never.happens', points: 1 } })).json();
    expect((await t.call({ method: 'DELETE', url: `/v1/action-rules/${unused.id}?version=2` })).json()).toMatchObject({ status: 409, code: 'action_rule.version_conflict' });
    expect((await t.call({ method: 'DELETE', url: `/v1/action-rules/${unused.id}?version=1` })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: `/v1/action-rules/${unused.id}` })).json()).toMatchObject({ status: 404, code: 'action_rule.not_found' });
  });
});
