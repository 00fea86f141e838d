import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * A campaign's audience from a CSV file: rows matched, unknown, duplicate and invalid reported
 * with their lines, only while the campaign is a draft, 100,000 rows in one upload; and a JSON
 * list naming ids no customer has is refused in words.
 */
describe('PUT /v1/campaigns/{id}/audience', () => {
  let t: TestApp;
  let template: string;
  const people: Array<{ id: string; email: string; phone: string }> = [];
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const answer = await t.call({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: answer.statusCode, body: answer.json() };
  };
  const upload = async (id: string, csv: string) => {
    const answer = await t.call({ method: 'PUT', url: `/v1/campaigns/${id}/audience`, payload: csv, headers: { 'content-type': 'text/csv' } });
    return { status: answer.statusCode, body: answer.json() };
  };
  const draft = async (customerIds: string[]) =>
    call('POST', '/v1/campaigns', { name: `List ${Math.random()}`, audience: { kind: 'list', customerIds }, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: template }] }] });

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-02T09:00:00Z');
    template = (await call('POST', '/v1/templates', { name: 'Offer', kind: 'email', purpose: 'marketing', parts: { subject: 'Hi', text: 'Hello' } })).body.id;
    for (let i = 0; i < 4; i++) {
      const email = `list${i}@example.com`;
      const phone = `+7912000000${i}`;
      people.push({ id: (await call('POST', '/v1/customers', { email, phone })).body.id, email, phone });
    }
  });
  afterAll(async () => t?.close());

  it('refuses a JSON list naming ids no customer has', async () => {
    const refused = await draft([people[0]!.id, 'cus_0190c0ffee00700080000000000000ab']);
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toBe('audience.customerIds: 1 name no customer (unknown or erased): cus_0190c0ffee00700080000000000000ab');
  });

  it('reports matched, unknown, duplicate and invalid rows with their lines; only a draft', async () => {
    const campaign = (await draft([people[0]!.id])).body;
    const csv = [
      'Name,EMAIL',
      `Anna,${people[0]!.email}`,
      `Boris,${people[1]!.email.toUpperCase()}`, // e-mails are matched as stored, lower-cased
      'Nobody,nobody@example.com',
      `Anna again,${people[0]!.email}`,
      'Broken,not-an-address',
      'Empty,',
      `"Vera, with a comma",${people[2]!.email}`,
    ].join('\n');
    const answer = await upload(campaign.id, `${csv}\n`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({
      campaignId: campaign.id, column: 'email', rows: 7, matched: 3, listSize: 3,
      unknown: { count: 1, lines: [4] },
      duplicates: { count: 1, lines: [5] },
      invalid: { count: 2, rows: [{ line: 6, reason: 'email is not a valid e-mail address' }, { line: 7, reason: 'email is empty' }] },
    });
    expect((await call('GET', `/v1/campaigns/${campaign.id}`)).body.audience).toEqual({ kind: 'list', listSize: 3 });

    // Phones in any national form; a header naming two identifier columns, or none, is refused.
    const phones = await upload(campaign.id, `phone\n8 912 000-00-03\n${people[1]!.phone}\n`);
    expect(phones.body).toMatchObject({ column: 'phone', matched: 2, listSize: 2 });
    const two = await upload(campaign.id, 'phone,email\n+79120000003,a@example.com\n');
    expect(two.status).toBe(400);
    expect(two.body.detail).toBe('The header row must name exactly one of customerId, phone, email, cardNumber, not phone, email');
    expect((await upload(campaign.id, '')).body.detail).toBe('The file is empty: send a header row naming customerId, phone, email or cardNumber, then one customer a row');
    const json = await t.call({ method: 'PUT', url: `/v1/campaigns/${campaign.id}/audience`, payload: { customerIds: [] } });
    expect(json.statusCode).toBe(415);
    expect((await call('GET', `/v1/campaigns/${campaign.id}`)).body.audience.listSize).toBe(2);

    await call('POST', `/v1/campaigns/${campaign.id}/start`);
    const started = await upload(campaign.id, `customerId\n${people[3]!.id}\n`);
    expect(started.status).toBe(409);
    expect(started.body.detail).toBe(`Campaign ${campaign.id} is scheduled; only a draft's audience can be replaced`);
  });

  it('takes 100,000 rows in one upload', async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `cus_0190c0ffee0070008${String(i).padStart(11, '0')}`);
    await sql`insert into customers (id, created_at, updated_at) select id, now(), now() from unnest(${ids}::text[]) as id`.execute(t.database.db);
    const campaign = (await draft([people[0]!.id])).body;
    const started = Date.now();
    const answer = await upload(campaign.id, `customerId\n${ids.join('\n')}\n`);
    const seconds = (Date.now() - started) / 1000;
    expect(answer.body).toMatchObject({ rows: 100_000, matched: 100_000, listSize: 100_000, unknown: { count: 0 }, duplicates: { count: 0 }, invalid: { count: 0 } });
    expect(seconds).toBeLessThan(60);
    const count = await t.database.db.selectFrom('campaignListMembers').select((eb) => eb.fn.countAll<number>().as('n')).where('campaignId', '=', campaign.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(100_000);
    expect((await call('GET', `/v1/campaigns/${campaign.id}`)).body.audience).toEqual({ kind: 'list', listSize: 100_000 });
  }, 180_000);
});
