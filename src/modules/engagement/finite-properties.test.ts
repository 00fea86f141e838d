import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * A number JSON cannot hold once parsed (-1e400 is -Infinity) is refused in words, and nothing is
 * stored: a rule saved with it came back unreadable (a 500 on every read of it, found by the fuzz suite).
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('numbers in event properties', () => {
  it('an action rule\'s condition with -1e400 is a 400, and no rule is written', async () => {
    const body = '{"name":"Five stars","eventType":"review.posted","points":50,"conditions":{"properties":{"rating":-1e400}}}';
    const refused = await t.call({ method: 'POST', url: '/v1/action-rules', headers: { 'content-type': 'application/json' }, payload: body });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toContain('conditions.properties.rating');
    expect((await t.call({ method: 'GET', url: '/v1/action-rules' })).json().items).toEqual([]);
  });

  it('an event\'s property of 1e400 is a 400', async () => {
    const customer = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161114401' } })).json();
    const body = `{"eventId":"e-1","customer":{"id":"${customer.id}"},"type":"review.posted","properties":{"rating":1e400}}`;
    const refused = await t.call({ method: 'POST', url: '/v1/events', headers: { 'content-type': 'application/json' }, payload: body });
    expect(refused.statusCode).toBe(400);
  });
});
