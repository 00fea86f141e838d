import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { verifyWebhookSignature } from './channels/index.ts';

/**
 * Webhooks against a real HTTP receiver on loopback that checks every signature as a
 * subscriber would: events of the subscribed types arrive signed, once each; a 500 is retried
 * until taken; the delivery log says what happened; a private address needs the owner's leave.
 */
describe('webhooks', () => {
  let t: TestApp;
  let server: http.Server;
  let url: string;
  const received: Array<{ id: string; type: string; valid: boolean; body: Record<string, unknown> }> = [];
  let failNext = 0;
  let secret = '';

  beforeAll(async () => {
    t = await createTestApp();
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (failNext > 0) {
          failNext--;
          response.writeHead(500).end('busy');
          return;
        }
        const check = verifyWebhookSignature(secret, request.headers, raw, Math.floor(Date.now() / 1000));
        received.push({ id: String(request.headers['patron-event-id']), type: String(request.headers['patron-event-type']), valid: check.valid, body: JSON.parse(raw.toString('utf8')) });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('signed events of the subscribed types arrive once each; a 500 is retried until taken', async () => {
    const refused = await t.call({ method: 'POST', url: '/v1/webhooks', payload: { url, eventTypes: ['customer.nonsense'] } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toMatch(/^eventTypes\.0: customer\.nonsense is not an event type; "\*" takes every type, or one of: .*customer\.created/);
    const created = await t.call({ method: 'POST', url: '/v1/webhooks', payload: { url, eventTypes: ['customer.created'], allowPrivateNetwork: true } });
    expect(created.statusCode, created.body).toBe(201);
    const hook = created.json();
    secret = hook.secret;
    expect(hook.secretHint).toBe(`…${secret.slice(-4)}`);
    expect((await t.call({ method: 'GET', url: `/v1/webhooks/${hook.id}` })).body).not.toContain(secret);

    const customers: string[] = [];
    for (let i = 0; i < 3; i++) customers.push((await t.call({ method: 'POST', url: '/v1/customers', payload: { email: `w${i}@example.com` } })).json().id);
    await t.call({ method: 'PATCH', url: `/v1/customers/${customers[0]}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { firstName: 'Not subscribed' } });
    failNext = 1;
    await t.services.messaging.webhooks.collect();
    await t.services.messaging.webhooks.collect(); // the consumer again: no second delivery
    let report = await t.services.messaging.webhooks.deliver();
    expect(report).toMatchObject({ delivered: 2, retried: 1 });
    t.clock.advance(60 * 60_000);
    report = await t.services.messaging.webhooks.deliver();
    expect(report).toMatchObject({ delivered: 1, retried: 0 });
    expect(received).toHaveLength(3);
    expect(received.every((r) => r.valid && r.type === 'customer.created')).toBe(true);
    expect(new Set(received.map((r) => r.id)).size).toBe(3);
    expect(received.map((r) => (r.body.data as { customerId: string }).customerId).sort()).toEqual([...customers].sort());
    const log = (await t.call({ method: 'GET', url: `/v1/webhooks/${hook.id}/deliveries` })).json().items as Array<{ status: string; attempts: number; responseStatus: number | null }>;
    expect(log.map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(log.map((d) => d.attempts).sort()).toEqual([1, 1, 2]);
  });

  it('a private address is refused unless the owner allows it; a switched-off endpoint gets nothing', async () => {
    const hook = (await t.call({ method: 'POST', url: '/v1/webhooks', payload: { url, eventTypes: ['*'] } })).json();
    await t.call({ method: 'POST', url: '/v1/customers', payload: { email: 'private@example.com' } });
    await t.services.messaging.webhooks.collect();
    await t.services.messaging.webhooks.deliver();
    // The first endpoint (allowed its private address) took this customer.created; this one did not.
    const before = received.length;
    const [delivery] = (await t.call({ method: 'GET', url: `/v1/webhooks/${hook.id}/deliveries` })).json().items;
    expect(delivery.status).toBe('failed');
    expect(delivery.lastError).toMatch(/private/);
    const off = await t.call({ method: 'PATCH', url: `/v1/webhooks/${hook.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { active: false, allowPrivateNetwork: true } });
    expect(off.json()).toMatchObject({ active: false, allowPrivateNetwork: true });
    await t.call({ method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/${delivery.id}/retry` });
    await t.services.messaging.webhooks.deliver();
    expect(received.length).toBe(before + 0);
  });
});
