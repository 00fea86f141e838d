import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/** Imports in Chromium: a customers CSV uploaded, its progress followed to the end, its refused lines read; exports. */
let h: ConsoleHarness;

beforeAll(async () => {
  h = await startConsole();
}, 90_000);
afterAll(async () => h?.close());

const csv = [
  'phone,email,card_number,first_name,last_name,tags',
  '+7 912 345-67-89,anna@example.com,7770001,Anna,Petrova,vip',
  '+7 903 555 00 01,,7770002,Ivan,,',
  '12,broken@example.com,,,,',
  // Many more good rows, so the import takes more than one batch.
  ...Array.from({ length: 2500 }, (_, i) => `+7915${String(1_000_000 + i).padStart(7, '0')},,,Row${i},,`),
].join('\n');

describe('imports', () => {
  it('an owner uploads a customers CSV, watches the progress bar reach done, and reads a bad line in words', async () => {
    const { page, context, problems } = await h.signIn('owner');
    await page.getByRole('navigation').getByRole('link', { name: 'Imports' }).click();
    await page.getByRole('heading', { level: 1, name: 'Imports' }).waitFor();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('No imports yet');
    expect(await seriousViolations(page)).toEqual([]);

    // No file chosen: said in words.
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Choose a file first');

    await page.getByLabel('What the file holds').selectOption('customers');
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.getByRole('heading', { level: 1, name: 'Import of customers.csv' }).waitFor();
    expect(page.url()).toMatch(/\/console\/imports\/imp_/);
    const bar = page.getByRole('progressbar', { name: 'Progress' });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 30_000 }).toBe('100');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Done, with refused lines');
    const errorRow = page.getByRole('row', { name: /phone/ });
    await expect.poll(() => errorRow.textContent()).toContain('is not a valid phone number');
    expect(await errorRow.textContent()).toMatch(/^4/);
    expect(await seriousViolations(page)).toEqual([]);

    // What the server stored: the import and its customers.
    const id = page.url().split('/').pop()!;
    const job = JSON.parse((await h.t.call({ method: 'GET', url: `/v1/imports/${id}` })).body);
    expect(job).toMatchObject({ status: 'completed', rowsFailed: 1, rowsCreated: 2502, fileName: 'customers.csv' });
    const found = JSON.parse((await h.t.call({ method: 'GET', url: '/v1/customers?q=anna@example.com' })).body);
    expect(found.items[0]).toMatchObject({ firstName: 'Anna', lastName: 'Petrova' });

    // The list of past imports has it, with its counts.
    await page.getByRole('link', { name: 'All imports' }).click();
    await expect.poll(() => page.getByRole('row', { name: /customers\.csv/ }).textContent()).toContain('2,502');

    // The export link downloads every customer as CSV with this session.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download all customers as CSV' }).click()]);
    const exported = await new Response(Buffer.concat(await streamChunks(await download.createReadStream()))).text();
    expect(exported).toContain('anna@example.com');
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('is in Russian with no serious accessibility problem; an analyst has no Imports entry and is refused at its address', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/imports', locale: 'ru-RU' });
    await page.getByLabel('Язык').first().selectOption('ru');
    await page.getByRole('heading', { level: 1, name: 'Импорт' }).waitFor();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('customers.csv');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'customers.csv' }).click();
    await page.getByRole('heading', { level: 1, name: 'Загрузка customers.csv' }).waitFor();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Отклонённые строки');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();

    const analyst = await h.signIn('analyst');
    expect(await analyst.page.getByRole('navigation').textContent()).not.toContain('Imports');
    await analyst.page.goto(`${h.base}/console/imports`);
    await expect.poll(() => analyst.page.getByRole('main').textContent()).toContain('may not open this page');
    expect(await analyst.page.evaluate(async () => (await fetch('/v1/imports')).status)).toBe(403);
    await analyst.context.close();
  });
});

async function streamChunks(stream: NodeJS.ReadableStream): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return chunks;
}
