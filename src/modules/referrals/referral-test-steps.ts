import { sql } from 'kysely';
import { expect } from 'vitest';
import type { TestApp } from '../../../tests/helpers/test-app.ts';

/** What the referral tests do over and over: customers, codes, namings, receipts and the job. */
export function referralSteps(t: () => TestApp) {
  let receiptNo = 0;
  let contactNo = 0;
  const steps = {
    async customer(body: object = {}): Promise<string> {
      contactNo += 1;
      const response = await t().call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916${String(1_000_000 + contactNo).slice(1)}0`, ...body } });
      expect(response.statusCode, response.body).toBe(201);
      return response.json().id as string;
    },
    async code(customerId: string): Promise<string> {
      const response = await t().call({ method: 'GET', url: `/v1/customers/${customerId}/referral` });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().code as string;
    },
    name: (refereeId: string, body: object) => t().call({ method: 'PUT', url: `/v1/customers/${refereeId}/referrer`, payload: body }),
    async confirm(customerId: string, priceMinor: number): Promise<{ id: string; posReceiptId: string }> {
      const posReceiptId = `R-${++receiptNo}`;
      const response = await t().call({
        method: 'POST',
        url: '/v1/checkout/confirm',
        payload: { storeId: 's1', posReceiptId, customer: { customerId }, lines: [{ sku: 'A', qty: 1, price: priceMinor }] },
      });
      expect(response.statusCode, response.body).toBe(201);
      return { id: response.json().receiptId as string, posReceiptId };
    },
    async runJob(): Promise<Record<string, number>> {
      const response = await t().call({ method: 'POST', url: '/v1/jobs/reward-referrals/run' });
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    },
    async referral(customerId: string) {
      const response = await t().call({ method: 'GET', url: `/v1/customers/${customerId}/referral` });
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    },
    /** Points credited for a referral, per customer, straight from the ledger. */
    async awards(referralId: string): Promise<Record<string, number>> {
      const rows = await sql<{ customerId: string; points: number }>`
        select customer_id, sum(available_delta + pending_delta)::int as points from point_entries
        where kind = 'award' and receipt_id = ${referralId} group by customer_id`.execute(t().database.db);
      return Object.fromEntries(rows.rows.map((row) => [row.customerId, row.points]));
    },
  };
  return steps;
}
