import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { ticketFixtures } from '../../../tests/helpers/tickets.ts';

let t: TestApp;
let anna: string;
let boris: string;

const mergePatch = { 'content-type': 'application/merge-patch+json' };

const { customer, ticket } = ticketFixtures(() => t);

const outboxOf = async (type: string) =>
  (await t.database.db.selectFrom('outboxEvents').select(['type', 'customerId', 'payload']).where('type', '=', type).orderBy('id').execute()).map((row) => row.payload as Record<string, unknown>);
const auditOf = async (ticketId: string) =>
  (await t.database.db.selectFrom('auditLog').select(['action', 'details']).where('entityId', '=', ticketId).orderBy('id').execute()).map((row) => row.action);

beforeAll(async () => {
  t = await createTestApp();
  anna = await customer({ phone: '+79161230001', email: 'anna@example.com', firstName: 'Anna' });
  boris = await customer({ phone: '+79161230002', firstName: 'Boris' });
});
afterAll(async () => t?.close());

describe('tickets', () => {
  it("an app posts a customer's message: a ticket with the text as its first message, its event and its audit entry", async () => {
    const made = await ticket({ customerId: anna, source: 'account', text: 'My  points for\nthe receipt of yesterday are missing.', tags: ['points', 'points'] });
    expect(made).toMatchObject({
      customerId: anna,
      source: 'account',
      sourceRef: null,
      subject: 'My points for the receipt of yesterday are missing.',
      status: 'open',
      assignee: null,
      tags: ['points'],
      contact: null,
      messageCount: 1,
      createdAt: '2026-03-01T09:00:00.000Z',
      lastActivityAt: '2026-03-01T09:00:00.000Z',
      erasedAt: null,
    });
    expect(made.messages).toEqual([
      { id: expect.stringMatching(/^tkm_/), direction: 'in', body: 'My  points for\nthe receipt of yesterday are missing.', question: null, author: 'customer', delivery: null, createdAt: '2026-03-01T09:00:00.000Z' },
    ]);
    const stored = await t.database.db.selectFrom('tickets').selectAll().where('id', '=', made.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ customerId: anna, status: 'open', tags: ['points'], messages: 1 });
    expect(await outboxOf('ticket.created')).toContainEqual({ ticketId: made.id, source: 'account', status: 'open', tags: ['points'], customerId: anna });
    expect(await auditOf(made.id)).toEqual(['ticket.create']);
    const read = await t.call({ method: 'GET', url: `/v1/tickets/${made.id}`, role: 'support' });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(made);
  });

  it('the same sourceRef again answers the first ticket (200) and makes no second one', async () => {
    const body = { customerId: boris, sourceRef: 'app-msg-77', text: 'The app crashes at checkout' };
    const first = await ticket(body);
    const again = await t.call({ method: 'POST', url: '/v1/tickets', payload: { ...body, text: 'another text' }, role: 'pos' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first);
    expect(await t.database.db.selectFrom('tickets').select('id').where('sourceRef', '=', 'app-msg-77').execute()).toHaveLength(1);
  });

  it('an anonymous message keeps its contact; a customer and a contact together, or an unknown customer, are refused in words', async () => {
    const made = await ticket({ contact: { name: ' Vera  K ', email: 'Vera@Example.com' }, text: 'Do you deliver to Tula?' });
    // A pos key sees contacts masked (the till view), its own message's too; support sees them whole.
    expect(made).toMatchObject({ customerId: null, contact: { name: 'V***', email: 'v***@example.com' }, subject: 'Do you deliver to Tula?' });
    const stored = await t.database.db.selectFrom('tickets').select(['contactName', 'contactEmail']).where('id', '=', made.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ contactName: 'Vera K', contactEmail: 'vera@example.com' });
    const both = await t.call({ method: 'POST', url: '/v1/tickets', payload: { customerId: anna, contact: { email: 'x@example.com' }, text: 'Hi' }, role: 'pos' });
    expect(both.statusCode).toBe(400);
    expect(both.json()).toMatchObject({ code: 'ticket.invalid', detail: "contact: give it only for an anonymous message; a customer's contacts are on their profile" });
    const badEmail = await t.call({ method: 'POST', url: '/v1/tickets', payload: { contact: { email: 'not an address' }, text: 'Hi' }, role: 'pos' });
    expect(badEmail.json()).toMatchObject({ code: 'ticket.invalid', detail: 'contact.email: is not a valid e-mail address' });
    const blank = await t.call({ method: 'POST', url: '/v1/tickets', payload: { text: '   ' }, role: 'pos' });
    expect(blank.json()).toMatchObject({ code: 'ticket.invalid' });
    const unknown = await t.call({ method: 'POST', url: '/v1/tickets', payload: { customerId: 'cus_0195f3c2a8e07d3b9c41e2a6f5d8b799', text: 'Hi' }, role: 'pos' });
    expect(unknown.statusCode).toBe(404);
    expect(await t.database.db.selectFrom('ticketMessages').select('id').where('body', '=', 'Hi').execute()).toEqual([]);
  });

  it('an analyst reads tickets with the contact masked; a pos key creates but cannot read', async () => {
    const list = await t.call({ method: 'GET', url: '/v1/tickets?customerId=', role: 'analyst' });
    expect(list.statusCode).toBe(400);
    const page = await t.call({ method: 'GET', url: '/v1/tickets?limit=200', role: 'analyst' });
    const vera = page.json().items.find((item: { customerId: string | null }) => item.customerId === null);
    expect(vera.contact).toEqual({ name: 'V***', email: 'v***@example.com' });
    const one = await t.call({ method: 'GET', url: `/v1/tickets/${vera.id}`, role: 'analyst' });
    expect(one.json().contact).toEqual({ name: 'V***', email: 'v***@example.com' });
    expect(one.json().messages[0].body).toBe('Do you deliver to Tula?');
    const full = await t.call({ method: 'GET', url: `/v1/tickets/${vera.id}`, role: 'support' });
    expect(full.json().contact).toEqual({ name: 'Vera K', email: 'vera@example.com' });
    expect((await t.call({ method: 'GET', url: '/v1/tickets', role: 'pos' })).statusCode).toBe(403);
    expect((await t.call({ method: 'PATCH', url: `/v1/tickets/${vera.id}`, headers: mergePatch, payload: { status: 'closed' }, role: 'marketer' })).statusCode).toBe(403);
  });
});

describe('the inbox: filters and paging', () => {
  it('lists newest activity first, page by page, and filters by status, assignee, tag, customer and source', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.set(`2026-03-02T10:0${i}:00Z`);
      made.push((await ticket({ customerId: i % 2 === 0 ? anna : boris, text: `Question ${i}`, tags: i === 3 ? ['delivery'] : [], source: i === 4 ? 'email' : 'api' })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.call({ method: 'GET', url: `/v1/tickets?limit=2${cursor ? `&cursor=${cursor}` : ''}`, role: 'support' });
      expect(page.statusCode, page.body).toBe(200);
      expect(page.json().items.length).toBeLessThanOrEqual(2);
      seen.push(...page.json().items.map((item: { id: string }) => item.id));
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(seen.slice(0, 5)).toEqual([...made].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    const total = await t.database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(seen.length).toBe(Number(total.n));

    const assigned = await t.call({ method: 'PATCH', url: `/v1/tickets/${made[1]}`, headers: mergePatch, payload: { assignee: 'Maria@Shop.example', status: 'pending' }, role: 'support' });
    expect(assigned.json()).toMatchObject({ assignee: 'maria@shop.example', status: 'pending' });
    const ids = async (query: string) => (await t.call({ method: 'GET', url: `/v1/tickets?${query}`, role: 'support' })).json().items.map((item: { id: string }) => item.id);
    expect(await ids('status=pending')).toEqual([made[1]]);
    expect(await ids('assignee=maria@shop.example')).toEqual([made[1]]);
    expect(await ids('tag=delivery')).toEqual([made[3]]);
    expect(await ids('source=email')).toEqual([made[4]]);
    expect(await ids(`customerId=${boris}&source=api`)).toEqual(expect.arrayContaining([made[1], made[3]]));
    expect((await ids(`customerId=${boris}`)).every((id: string) => made.includes(id) || !made.includes(id))).toBe(true);
    const bad = await t.call({ method: 'GET', url: '/v1/tickets?cursor=bm9wZQ', role: 'support' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('request.invalid_cursor');
  });

  it("a customer's tickets (the 360° view) are theirs only", async () => {
    const page = await t.call({ method: 'GET', url: `/v1/customers/${boris}/tickets?limit=50`, role: 'support' });
    expect(page.statusCode).toBe(200);
    expect(page.json().items.length).toBeGreaterThan(0);
    expect(page.json().items.every((item: { customerId: string }) => item.customerId === boris)).toBe(true);
    expect((await t.call({ method: 'GET', url: '/v1/customers/cus_0195f3c2a8e07d3b9c41e2a6f5d8b799/tickets', role: 'support' })).statusCode).toBe(404);
  });
});

describe('status, assignee, tags', () => {
  it('moves along the allowed transitions, publishes each status change, and refuses the others in words', async () => {
    t.clock.set('2026-03-03T09:00:00Z');
    const { id } = await ticket({ customerId: anna, text: 'Wrong price on the shelf' });
    const patch = (payload: unknown) => t.call({ method: 'PATCH', url: `/v1/tickets/${id}`, headers: mergePatch, payload: payload as object, role: 'support' });
    expect((await patch({ status: 'resolved' })).json().status).toBe('resolved');
    expect((await patch({ status: 'pending' })).json()).toMatchObject({
      code: 'ticket.transition_refused',
      detail: 'status: a ticket that is resolved cannot become pending; from resolved it may become open, closed',
    });
    expect((await patch({ status: 'open' })).json().status).toBe('open');
    expect((await patch({ status: 'closed' })).json().status).toBe('closed');
    const reopen = await patch({ status: 'open' });
    expect(reopen.statusCode).toBe(409);
    expect(reopen.json().detail).toBe('status: the ticket is closed, and a closed ticket stays closed; if the customer writes again, open a new ticket (POST /v1/tickets)');
    const unknown = await patch({ status: 'archived' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().detail).toMatch(/open, pending, resolved, closed|open.*pending.*resolved.*closed/);
    const events = (await outboxOf('ticket.updated')).filter((payload) => payload.ticketId === id);
    expect(events).toEqual([
      { ticketId: id, status: 'resolved', previousStatus: 'open' },
      { ticketId: id, status: 'open', previousStatus: 'resolved' },
      { ticketId: id, status: 'closed', previousStatus: 'open' },
    ]);
    expect(await auditOf(id)).toEqual(['ticket.create', 'ticket.update', 'ticket.update', 'ticket.update']);
    const row = await t.database.db.selectFrom('tickets').select(['status', 'updatedAt']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('closed');
  });

  it('an empty patch, or one that changes nothing, writes nothing; null unassigns; a bad assignee or tag is refused', async () => {
    const { id } = await ticket({ customerId: anna, text: 'Card does not scan', tags: ['card'] });
    const patch = (payload: unknown) => t.call({ method: 'PATCH', url: `/v1/tickets/${id}`, headers: mergePatch, payload: payload as object, role: 'support' });
    const before = await auditOf(id);
    expect((await patch({})).statusCode).toBe(200);
    expect((await patch({ status: 'open', tags: ['card'] })).statusCode).toBe(200);
    expect(await auditOf(id)).toEqual(before);
    const assigned = await patch({ assignee: 'ivan@shop.example', tags: ['card', 'till'], subject: 'Card scanner at till 3' });
    expect(assigned.json()).toMatchObject({ assignee: 'ivan@shop.example', tags: ['card', 'till'], subject: 'Card scanner at till 3' });
    expect((await patch({ assignee: null })).json().assignee).toBeNull();
    const bad = await patch({ assignee: 'ivan' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'ticket.invalid', detail: 'assignee: is not a valid e-mail address; name the staff member by e-mail, like maria@shop.example' });
    const badTag = await patch({ tags: ['Not A Tag'] });
    expect(badTag.statusCode).toBe(400);
    const noSubject = await patch({ subject: null });
    expect(noSubject.statusCode).toBe(400);
    expect(noSubject.json().detail).toMatch(/subject/);
    expect(await auditOf(id)).toEqual([...before, 'ticket.update', 'ticket.update']);
    expect((await t.call({ method: 'PATCH', url: '/v1/tickets/tkt_0195f3c2a8e07d3b9c41e2a6f5d8b799', headers: mergePatch, payload: {}, role: 'support' })).statusCode).toBe(404);
  });
});
