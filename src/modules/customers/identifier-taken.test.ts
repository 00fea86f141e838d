import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
let holderId: string;
beforeAll(async () => {
  t = await createTestApp();
  const holder = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161112233', email: 'holder@example.com' } });
  expect(holder.statusCode).toBe(201);
  holderId = holder.json().id;
});
afterAll(async () => t.close());

describe('a taken identifier (409 customer.identifier_taken)', () => {
  it.each(['owner', 'marketer', 'support'] as const)('names the holder to %s, who may read customers', async (role) => {
    const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+7 916 111-22-33' }, role });
    expect(response.statusCode).toBe(409);
    const problem = response.json();
    expect(problem.code).toBe('customer.identifier_taken');
    expect(problem.holderId).toBe(holderId);
    expect(problem.errors).toEqual([{ field: 'phone', reason: 'belongs to another customer' }]);
  });

  it('does not name the holder to a till (pos may not read customers)', async () => {
    const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161112233' }, role: 'pos' });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('customer.identifier_taken');
    expect(response.json()).not.toHaveProperty('holderId');
    expect(response.body).not.toContain(holderId);
  });

  it('names the holder when a change takes another customer\'s email', async () => {
    const other = await t.call({ method: 'POST', url: '/v1/customers', payload: { email: 'other@example.com' } });
    const response = await t.call({ method: 'PATCH', url: `/v1/customers/${other.json().id}`, payload: { email: 'HOLDER@example.com' } });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'customer.identifier_taken', holderId });
  });
});
