import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/** The feedback inbox in Chromium: the list with its filters, a ticket's thread, a reply, a note and a status change. */
let h: ConsoleHarness;
// Pages load over the loopback on a busy machine: wait up to 10 s for what a page should show.
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });
const ids: Record<string, string> = {};

async function ticket(payload: Record<string, unknown>): Promise<string> {
  const answer = await h.t.call({ method: 'POST', url: '/v1/tickets', role: 'pos', payload });
  expect(answer.statusCode).toBe(201);
  return answer.json().id;
}

beforeAll(async () => {
  h = await startConsole();
  const anna = await h.t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79261234511', email: 'anna@example.com', firstName: 'Anna' } });
  ids.anna = anna.json().id;
  ids.points = await ticket({ customerId: ids.anna, source: 'account', subject: 'Missing points for yesterday', text: 'I bought coffee yesterday and got no points.', tags: ['points'] });
  ids.delivery = await ticket({ contact: { name: 'Oleg', email: 'oleg@example.com' }, subject: 'Late delivery', text: 'My order came two days late.', tags: ['delivery'] });
}, 90_000);
afterAll(async () => h?.close());

describe('the feedback inbox', () => {
  it('lists open tickets and filters them by tag and status; in Russian too', async () => {
    const { page, context, problems } = await h.signIn('support', { path: '/customers' });
    await page.getByRole('link', { name: 'Feedback' }).click();
    const table = page.getByRole('table', { name: 'Tickets, latest activity first' });
    await poll(() => table.textContent()).toContain('Late delivery');
    expect(await table.textContent()).toContain('Missing points for yesterday');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Tag').fill('delivery');
    // The table empties while the filtered page loads, so wait for the filtered rows themselves.
    await poll(async () => {
      const text = (await table.textContent()) ?? '';
      return text.includes('Late delivery') && !text.includes('Missing points');
    }).toBe(true);
    await poll(() => page.url()).toContain('tag=delivery');
    await page.getByLabel('Tag').fill('');
    await page.getByLabel('Status').selectOption('closed');
    await poll(() => main(page)).toContain('No tickets match');
    await page.getByLabel('Language').selectOption('ru');
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Обращения');
    await page.getByLabel('Статус').selectOption('');
    await poll(() => page.getByRole('table', { name: 'Обращения, по последней активности' }).textContent()).toContain('Late delivery');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();

    async function main(p: typeof page) {
      return (await p.getByRole('main').textContent()) ?? '';
    }
  });

  it('replies to the customer, adds a note, assigns and resolves a ticket', async () => {
    const { page, context, problems } = await h.signIn('support', { path: '/tickets' });
    await page.getByRole('link', { name: 'Missing points for yesterday' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Missing points for yesterday');
    const thread = page.getByRole('list', { name: 'Messages of the ticket, oldest first' });
    expect(await thread.textContent()).toContain('I bought coffee yesterday and got no points.');
    expect(await seriousViolations(page)).toEqual([]);

    // An empty reply is refused in words; then the reply is sent.
    await page.getByRole('button', { name: 'Send the reply' }).click();
    await poll(() => page.getByRole('main').textContent()).toMatch(/characters|must|text/i);
    await page.getByLabel('Text').fill('The points arrive 14 days after the purchase: on the 15th.');
    await page.getByRole('button', { name: 'Send the reply' }).click();
    await poll(() => thread.textContent()).toContain('The points arrive 14 days after the purchase');
    await page.getByLabel('Internal note (never sent)').check();
    await page.getByLabel('Text').fill('Checked: the pending period, nothing lost.');
    await page.getByRole('button', { name: 'Add the note' }).click();
    await poll(() => thread.textContent()).toContain('Checked: the pending period');

    // A reply moved it to pending; now assign it to me and resolve it.
    await poll(() => page.getByLabel('Status').inputValue()).toBe('pending');
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByLabel('Status').selectOption('resolved');
    await page.getByLabel('Tags').fill('points, pending-period');
    await page.getByRole('button', { name: 'Save' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).locator('xpath=..').textContent()).toContain('Resolved');
    expect(await seriousViolations(page)).toEqual([]);

    const stored = (await h.t.call({ method: 'GET', url: `/v1/tickets/${ids.points}` })).json();
    expect(stored).toMatchObject({ status: 'resolved', assignee: h.emailOf('support'), tags: ['points', 'pending-period'] });
    expect(stored.messages.map((m: { direction: string }) => m.direction)).toEqual(['in', 'out', 'note']);
    expect(stored.messages[1].delivery).not.toBeNull();

    // The customer's 360° page lists the ticket.
    await page.getByRole('link', { name: 'Open the customer’s page' }).click();
    await page.getByRole('tab', { name: 'Messages and feedback' }).click();
    await poll(() => page.getByRole('table', { name: 'The customer’s tickets, latest activity first' }).textContent()).toContain('Resolved');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lets an analyst read a ticket but not answer it', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: `/tickets/${ids.delivery}`, locale: 'ru-RU' });
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Late delivery');
    expect(await page.getByRole('button', { name: 'Отправить ответ' }).count()).toBe(0);
    expect(await page.getByRole('main').textContent()).toContain('Ваша роль может читать обращения');
    // An anonymous sender's e-mail is masked for the analyst.
    expect(await page.getByRole('main').textContent()).not.toContain('oleg@example.com');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
