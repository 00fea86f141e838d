import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';
import { plantPurchases } from '../helpers/purchases.ts';
import { header, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

/**
 * The messaging pages in Chromium against a real server and a real SMTP server on loopback: a
 * template written with its live preview on a customer, a campaign to a segment test-sent to the
 * relay and started, a journey made from a recipe drawn as its flow, and an experiment's verdict.
 */
let h: ConsoleHarness;
let smtp: SmtpSink;
let segmentId: string;
let offerTemplate: string;
let experimentCampaign: string;
const crowd: string[] = [];

const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
  const answer = await h.t.call({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  expect(answer.statusCode, answer.body).toBeLessThan(300);
  return answer.json();
};
const optIn = [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }];
const mainText = (page: Page) => page.getByRole('main').textContent();

beforeAll(async () => {
  h = await startConsole();
  smtp = await startSmtpSink();
  await call('PUT', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' });
  await call('POST', '/v1/channels', { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'Club <club@shop.example>' } });
  await call('POST', '/v1/customers', { phone: '+79161110001', email: 'anna@example.com', firstName: 'Anna', locale: 'en', consents: optIn });
  await call('POST', '/v1/customers', { phone: '+79161110002', email: 'boris@example.com', firstName: 'Boris', locale: 'en', consents: optIn });
  segmentId = (await call('POST', '/v1/segments', { name: 'Mail subscribers', rules: { all: [{ field: 'consent', channel: 'email', purpose: 'marketing', op: 'eq', value: true }] } })).id;
  await h.t.services.segments.recomputes.idle();
  offerTemplate = (await call('POST', '/v1/templates', { name: 'Spring offer', kind: 'email', purpose: 'marketing', parts: { subject: 'Spring for {{ customer.firstName }}', text: 'Dear {{ customer.firstName }}, spring is here.' } })).id;

  // An A/B test already run, with purchases planted after its start, for the results page: four in
  // five of A's recipients bought, one in eight of the others (whichever arms the ids fall in, A wins).
  await call('PUT', '/v1/stores', [{ id: 'main', name: 'Main', timezone: 'Europe/Moscow' }]);
  for (let i = 0; i < 120; i++) crowd.push((await call('POST', '/v1/customers', { email: `c${i}@example.com`, firstName: `C${i}`, consents: optIn })).id);
  experimentCampaign = (await call('POST', '/v1/campaigns', {
    name: 'Subject test',
    audience: { kind: 'list', customerIds: crowd },
    variants: [{ key: 'A', weightBp: 5000, steps: [{ templateId: offerTemplate }] }, { key: 'B', weightBp: 5000, steps: [{ templateId: offerTemplate }] }],
    controlShareBp: 2000,
  })).id;
  await call('POST', `/v1/campaigns/${experimentCampaign}/start`);
  await h.t.services.messaging.runCampaigns();
  await h.t.services.messaging.sendDue();
  const arms = await h.t.database.db.selectFrom('campaignRecipients').select(['customerId', 'arm']).where('campaignId', '=', experimentCampaign).execute();
  const at = new Date(h.t.clock.now().getTime() + 30 * 60_000);
  await plantPurchases(h.t, 'main', arms.flatMap((r, i) => ((r.arm === 'A' ? i % 5 !== 0 : i % 8 === 0) ? [{ customerId: r.customerId, at, netMinor: 150_000 }] : [])));
  h.t.clock.advance(60 * 60_000);
  smtp.received.length = 0;
}, 180_000);
afterAll(async () => {
  await h?.close();
  await smtp?.close();
});

describe('messaging pages', () => {
  it('a marketer writes a template, sees a mistake in words at its part, and the live preview with a customer’s name', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/messaging/templates' });
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Points news');
    await page.getByLabel('Subject').fill('News for {{ customer.firstName }}');
    await page.getByLabel('Text', { exact: true }).fill('Hi {{ customer.nickname }}');
    await page.getByRole('button', { name: 'Create the template' }).click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toContain('unknown variable customer.nickname');
    expect(await page.getByLabel('Text', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Text', { exact: true }).fill('Hello {{ customer.firstName }}, you have {{ balance.available | points }} points.');
    await page.getByRole('button', { name: 'Create the template' }).click();
    await expect.poll(() => mainText(page)).toContain('Saved as version 1.');
    const stored = (await call('GET', '/v1/templates?limit=50')).items.find((tpl: { name: string }) => tpl.name === 'Points news');
    expect(stored).toMatchObject({ kind: 'email', purpose: 'marketing', parts: { subject: 'News for {{ customer.firstName }}' } });
    expect(page.url()).toContain(`/console/messaging/templates/${stored.id}`);

    await page.getByLabel('Customer', { exact: true }).fill('Anna');
    await page.getByRole('button', { name: /^Anna/ }).click();
    const preview = page.getByRole('region', { name: 'Preview for the chosen customer' });
    await expect.poll(() => preview.textContent()).toContain('Hello Anna, you have 0 points.');
    expect(await preview.textContent()).toContain('News for Anna');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a marketer makes a campaign to a segment, test-sends it to the relay, starts it and sees it sent', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/messaging/campaigns' });
    await page.getByRole('link', { name: 'New campaign' }).click();
    // Sent empty, the form is refused in the server's words, at the fields they name.
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).not.toBe('');
    expect(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Name', { exact: true }).fill('Spring to subscribers');
    await page.getByLabel('Segment').selectOption(segmentId);
    await page.getByLabel('Template 1').selectOption(offerTemplate);
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Spring to subscribers');
    const id = page.url().split('/').at(-1)!;
    expect(await call('GET', `/v1/campaigns/${id}`)).toMatchObject({ status: 'draft', audience: { kind: 'segment', segmentId }, controlShareBp: 1000, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: offerTemplate }] }] });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Customer', { exact: true }).fill('Boris');
    await page.getByRole('button', { name: /^Boris/ }).click();
    await page.getByLabel('Send to (your own address or phone)').fill('marketer@shop.example');
    await page.getByRole('button', { name: 'Send a test' }).click();
    await expect.poll(() => mainText(page)).toContain('The test is queued for marketer@shop.example');
    await h.t.services.messaging.sendDue();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.to).toEqual(['marketer@shop.example']);
    expect(header(smtp.received[0]!.raw, 'subject')).toBe('Spring for Boris');
    expect(smtp.received[0]!.raw).toContain('Dear Boris, spring is here.');

    await page.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => mainText(page)).toContain('Scheduled');
    await h.t.services.messaging.runCampaigns();
    await h.t.services.messaging.sendDue();
    await h.t.services.messaging.runCampaigns();
    const done = await call('GET', `/v1/campaigns/${id}`);
    expect(done.status).toBe('completed');
    await expect.poll(() => mainText(page), { timeout: 10_000 }).toContain('Completed');
    expect(await page.getByRole('progressbar', { name: 'Messages queued' }).getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByRole('table', { name: 'Each arm of the campaign' }).textContent()).toContain('Control');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('pauses, resumes and cancels a campaign as its state allows', async () => {
    const id = (await call('POST', '/v1/campaigns', { name: 'Later', audience: { kind: 'segment', segmentId }, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: offerTemplate }] }], schedule: { kind: 'local', date: '2030-06-01', time: '11:00' } })).id;
    await call('POST', `/v1/campaigns/${id}/start`);
    const { page, context, problems } = await h.signIn('marketer', { path: `/messaging/campaigns/${id}` });
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(async () => (await call('GET', `/v1/campaigns/${id}`)).status).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(async () => (await call('GET', `/v1/campaigns/${id}`)).status).toBe('running');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel the campaign' }).click();
    await expect.poll(async () => (await call('GET', `/v1/campaigns/${id}`)).status).toBe('cancelled');
    await expect.poll(() => page.getByRole('button', { name: 'Start' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a journey made from a recipe shows its steps as a flow, and switches on', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/messaging/journeys' });
    await expect.poll(() => mainText(page)).toContain('No journeys yet');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Language of the templates').selectOption('en');
    await page.getByRole('button', { name: 'Make “Welcome series”' }).click();
    const flow = page.getByRole('list', { name: 'Steps of the journey' });
    await expect.poll(() => flow.textContent()).toContain('A customer joins');
    const journey = (await call('GET', '/v1/journeys?limit=10')).items[0];
    expect(page.url()).toContain(`/messaging/journeys/${journey.id}`);
    const cards = flow.locator('li.flow-node');
    expect(await cards.count()).toBe(journey.steps.length + 1);
    const words = await flow.textContent();
    expect(words).toContain('Send a message');
    expect(words).toContain('Wait');
    await page.getByRole('button', { name: 'Switch on' }).click();
    await expect.poll(async () => (await call('GET', `/v1/journeys/${journey.id}`)).status).toBe('active');
    await expect.poll(() => page.getByRole('button', { name: 'Pause' }).count()).toBe(1);
    // A customer who joins now enters it: the first step's card counts them.
    await call('POST', '/v1/customers', { email: 'vera@example.com', firstName: 'Vera', consents: optIn });
    await h.t.services.messaging.enterJourneys();
    await h.t.services.messaging.advanceJourneys();
    await page.reload();
    await expect.poll(() => cards.nth(1).textContent()).toContain('1 passed');
    expect(await mainText(page)).toContain('Counts from the latest 1 entry.');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("an experiment's results show each variant against the control with its interval drawn, and the verdict in words", async () => {
    const report = await call('GET', `/v1/campaigns/${experimentCampaign}/report`);
    const [a, b] = report.experiment.comparisons;
    expect(a.verdict.outcome).toBe('variant-wins');
    const { page, context, problems } = await h.signIn('analyst', { path: `/messaging/campaigns/${experimentCampaign}` });
    const verdicts = page.getByRole('list', { name: 'Verdict' });
    await expect.poll(() => verdicts.textContent()).toContain(a.verdict.en);
    expect(await verdicts.textContent()).toContain(b.verdict.en);
    const chart = page.getByRole('img', { name: /Difference in conversion of each variant/ });
    expect(await chart.getAttribute('aria-label')).toContain('A ');
    await expect.poll(() => page.locator('.chart canvas').count()).toBe(1);
    // The analyst reads; the actions and the test send are not theirs.
    expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Send a test' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the pages speak Russian, with no serious accessibility violation', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: `/messaging/campaigns/${experimentCampaign}`, locale: 'ru-RU' });
    const report = await call('GET', `/v1/campaigns/${experimentCampaign}/report`);
    await expect.poll(() => page.getByRole('list', { name: 'Вывод' }).textContent()).toContain(report.experiment.comparisons[0].verdict.ru);
    expect(await seriousViolations(page)).toEqual([]);
    for (const [path, heading] of [['/messaging/campaigns', 'Рассылки'], ['/messaging/templates', 'Шаблоны сообщений'], ['/messaging/journeys', 'Цепочки'], [`/messaging/templates/${offerTemplate}`, 'Spring offer']] as const) {
      await page.goto(`${h.base}/console${path}`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      await page.getByRole('table').or(page.locator('form')).first().waitFor();
      expect(await seriousViolations(page), path).toEqual([]);
    }
    await page.goto(`${h.base}/console/messaging/campaigns/new`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Новая рассылка');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
