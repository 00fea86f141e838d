import { expect } from 'vitest';
import type { TestApp } from './test-app.ts';

export type TicketMade = { id: string; status: string; subject: string; messages: Array<Record<string, unknown>> };

/**
 * The feedback tests' set-up, made through the API and each step checked: customers, and tickets
 * as an app posts them. `app` is read at each call: the test app is made in beforeAll.
 */
export function ticketFixtures(app: () => TestApp) {
  return {
    async customer(payload: Record<string, unknown>): Promise<string> {
      const response = await app().call({ method: 'POST', url: '/v1/customers', payload });
      expect(response.statusCode, response.body).toBe(201);
      return response.json().id as string;
    },
    async ticket(payload: Record<string, unknown>, role: 'owner' | 'pos' | 'support' = 'pos'): Promise<TicketMade> {
      const response = await app().call({ method: 'POST', url: '/v1/tickets', payload, role });
      expect(response.statusCode, response.body).toBe(201);
      return response.json() as TicketMade;
    },
  };
}
