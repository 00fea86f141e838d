import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../tests/helpers/test-app.ts';
import { cliActor } from '../../../platform/actor.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/customer-attributes/loyalty_level', payload: { type: 'enum', label: 'Level', options: ['a', 'b'] } });
});
afterAll(async () => t.close());

type BadRow = { line: number; field: string; reason: string };

/** 10,000 rows, 3% of them bad in one of several ways; returns the CSV and what must be reported. */
function csvWithBadRows(rows: number, badEvery: number) {
  const lines = ['phone,email,first_name,birth_date,gender,tags,attr.loyalty_level,consent.email.marketing,consent.sms.marketing'];
  const bad: BadRow[] = [];
  const faults = [
    (i: number) => [`12${i}`, `bad${i}@example.com`, 'Bad', '1990-01-01', 'f', '', 'a', 'yes', 'no', { field: 'phone', reason: 'is not a valid phone number' }],
    (i: number) => [`+7903${String(i).padStart(7, '0')}`, `not-an-email-${i}`, 'Bad', '', '', '', '', '', '', { field: 'email', reason: 'is not a valid e-mail address' }],
    (i: number) => [`+7903${String(i).padStart(7, '0')}`, '', 'Bad', '1990-02-30', '', '', '', '', '', { field: 'birth_date', reason: 'is not a calendar date' }],
    (i: number) => ['', '', `NoId${i}`, '', '', '', '', '', '', { field: '(row)', reason: 'has no identifier: fill phone, email, card_number or an external id' }],
    (i: number) => [`+7903${String(i).padStart(7, '0')}`, '', 'Bad', '', '', '', 'z', '', '', { field: 'attr.loyalty_level', reason: 'must be one of a, b' }],
    (i: number) => [`+7903${String(i).padStart(7, '0')}`, '', 'Bad', '', '', '', '', 'maybe', '', { field: 'consent.email.marketing', reason: 'must be yes or no (also true/false, 1/0)' }],
  ];
  for (let i = 0; i < rows; i++) {
    const line = i + 2;
    if (i % badEvery === badEvery - 1) {
      const fault = faults[i % faults.length]!(i);
      const expected = fault.pop() as { field: string; reason: string };
      lines.push(fault.join(','));
      bad.push({ line, ...expected });
      continue;
    }
    const phone = i % 2 === 0 ? `8 (916) ${String(i).padStart(7, '0').replace(/(\d{3})(\d{2})(\d{2})/, '$1-$2-$3')}` : `+7916${String(i).padStart(7, '0')}`;
    lines.push([phone, `User.${i}@Example.com`, `Name${i}`, '1985-05-20', i % 3 === 0 ? 'm' : 'female', 'vip;new', 'b', i % 4 === 0 ? 'no' : 'yes', 'yes'].join(','));
  }
  return { csv: `${lines.join('\n')}\n`, bad };
}

async function upload(csv: string, fileName = 'customers.csv') {
  return t.call({ method: 'POST', url: `/v1/imports/customers?fileName=${fileName}`, payload: csv, headers: { 'content-type': 'text/csv' } });
}

async function waitFor(id: string) {
  await t.services.imports.idle();
  const response = await t.call({ method: 'GET', url: `/v1/imports/${id}?errorsLimit=100000` });
  expect(response.statusCode).toBe(200);
  return response.json();
}

async function count(table: 'customers' | 'customerIdentifiers' | 'consentEvents' | 'outboxEvents') {
  const row = await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('customer CSV import', () => {
  const { csv, bad } = csvWithBadRows(10_000, 33);

  it('imports good rows, reports every bad row by line, field and reason', async () => {
    expect(bad.length).toBeGreaterThanOrEqual(300);
    const response = await upload(csv);
    expect(response.statusCode).toBe(202);
    expect(response.headers.location).toBe(`/v1/imports/${response.json().id}`);
    const job = await waitFor(response.json().id);
    expect(job.status).toBe('completed');
    expect(job.rowsFailed).toBe(bad.length);
    expect(job.rowsDone).toBe(10_000 - bad.length);
    expect(job.rowsCreated).toBe(10_000 - bad.length);
    expect(job.progress).toBe(1);
    expect(job.errors).toEqual(bad);
    expect(await count('customers')).toBe(10_000 - bad.length);

    const sample = await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79160000002' });
    expect(sample.statusCode).toBe(200);
    expect(sample.json()).toMatchObject({ email: 'user.2@example.com', firstName: 'Name2', gender: 'female', tags: ['new', 'vip'], attributes: { loyalty_level: 'b' } });
    const consents = (await t.call({ method: 'GET', url: `/v1/customers/${sample.json().id}/consents` })).json();
    expect(consents.current).toEqual([
      expect.objectContaining({ channel: 'email', purpose: 'marketing', granted: true, source: 'import' }), // row 2: 2 % 4 != 0
      expect.objectContaining({ channel: 'sms', purpose: 'marketing', granted: true, source: 'import' }),
    ]);
  });

  it('adds nothing when the same file is imported again', async () => {
    const before = {
      customers: await count('customers'),
      identifiers: await count('customerIdentifiers'),
      consents: await count('consentEvents'),
      events: await count('outboxEvents'),
    };
    const response = await upload(csv);
    expect(response.statusCode).toBe(202);
    const job = await waitFor(response.json().id);
    expect(job.status).toBe('completed');
    expect(job.rowsCreated).toBe(0);
    expect(job.rowsUpdated).toBe(10_000 - bad.length);
    expect(job.rowsFailed).toBe(bad.length);
    expect({
      customers: await count('customers'),
      identifiers: await count('customerIdentifiers'),
      consents: await count('consentEvents'),
      events: await count('outboxEvents'),
    }).toEqual(before);
  });

  it('resumes an interrupted import to the same result as an uninterrupted one', async () => {
    const rows = ['card_number,first_name,consent.push.marketing'];
    for (let i = 0; i < 5000; i++) rows.push(`RESUME${i},Resumed${i},${i % 2 ? 'yes' : 'no'}`);
    rows.push('RESUME-BAD!,Broken,yes');
    const file = `${rows.join('\n')}\n`;
    const imports = t.services.imports;
    const { job } = await imports.submit('customers', Readable.from([file]), 'resume.csv', cliActor, 10_000_000);
    const controller = new AbortController();
    const seen: number[] = [];
    const stopped = await imports.run(job.id, {
      signal: controller.signal,
      onProgress: (view) => {
        seen.push(view.rowsDone);
        controller.abort(); // the "crash": stop after the first committed batch
      },
    });
    expect(stopped.status).toBe('running');
    expect(stopped.rowsDone).toBe(2000);
    expect(await count('customers')).toBeGreaterThan(0);

    // Uploading the same file while the job is unfinished resumes that job.
    t.clock.advance(5 * 60_000);
    const again = await upload(file, 'resume.csv');
    expect(again.statusCode).toBe(202);
    expect(again.json().id).toBe(job.id);
    expect(again.headers['x-patron-import']).toBe('resumed');
    const done = await waitFor(job.id);
    expect(done.status).toBe('completed');
    expect(done.rowsDone).toBe(5000);
    expect(done.rowsCreated).toBe(5000);
    expect(done.rowsFailed).toBe(1);
    expect(done.errors).toEqual([{ line: 5002, field: 'card_number', reason: 'must be 4 to 32 letters or digits' }]);
    const resumed = await t.database.db
      .selectFrom('customerIdentifiers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('value', 'like', 'RESUME%')
      .executeTakeFirstOrThrow();
    expect(Number(resumed.n)).toBe(5000);
    expect(seen).toEqual([2000]);
  });

  it('resumes orphaned jobs at start', async () => {
    const rows = ['email', ...Array.from({ length: 2500 }, (_, i) => `orphan${i}@example.com`)];
    const imports = t.services.imports;
    const { job } = await imports.submit('customers', Readable.from([rows.join('\n')]), 'orphan.csv', cliActor, 10_000_000);
    const controller = new AbortController();
    await imports.run(job.id, { signal: controller.signal, onProgress: () => controller.abort() });
    t.clock.advance(5 * 60_000);
    expect(await imports.resumePending()).toEqual([job.id]);
    const done = await waitFor(job.id);
    expect(done).toMatchObject({ status: 'completed', rowsDone: 2500, rowsFailed: 0 });
  });

  it("removes a completed import's upload that a crash left on disk", async () => {
    const file = ['email', 'left.behind@example.com'].join('\n');
    const { job } = await t.services.imports.submit('customers', Readable.from([file]), 'left-behind.csv', cliActor, 10_000_000);
    expect((await t.services.imports.run(job.id)).status).toBe('completed');
    // A process killed after the job's status committed and before it removed the file.
    const upload = path.join(t.dataDir, 'imports', `${job.id}.csv`);
    fs.writeFileSync(upload, file);
    // A queued job's upload stays: the job still reads it (it fails if the file is gone).
    const { job: queued } = await t.services.imports.submit('customers', Readable.from(['email\nstill.queued@example.com']), 'queued.csv', cliActor, 10_000_000);
    expect(await t.services.imports.resumePending()).toEqual([queued.id]);
    expect(fs.existsSync(upload)).toBe(false);
    expect(await waitFor(queued.id)).toMatchObject({ status: 'completed', rowsCreated: 1, failure: null });
  });

  it('refuses a file with an unusable header or no content at once', async () => {
    const unknown = await upload('phone,shoe\n+79161234567,42\n');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('import.bad_header');
    expect(unknown.json().detail).toContain('unknown column "shoe"');
    const noIdentifier = await upload('first_name\nAnna\n');
    expect(noIdentifier.statusCode).toBe(400);
    expect(noIdentifier.json().code).toBe('import.bad_header');
    const empty = await upload('');
    expect(empty.statusCode).toBe(400);
    const json = await t.call({ method: 'POST', url: '/v1/imports/customers', payload: { phone: '1' } });
    expect(json.statusCode).toBe(415);
  });

  it('reports malformed CSV records and keeps going', async () => {
    const response = await upload('email,first_name\nok1@example.com,A\n"broken@example.com,B,extra\nok2@example.com,C\nok3@example.com,D,E\n');
    const job = await waitFor(response.json().id);
    expect(job.status).toBe('completed');
    expect(job.errors.map((e: BadRow) => e.field)).toContain('(row)');
    expect(job.rowsFailed).toBeGreaterThanOrEqual(1);
    const ok1 = await t.call({ method: 'GET', url: '/v1/customers/lookup?email=ok1%40example.com' });
    expect(ok1.statusCode).toBe(200);
  });

  it('refuses a row whose identifiers belong to two different customers', async () => {
    await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79170000001' } });
    await t.call({ method: 'POST', url: '/v1/customers', payload: { email: 'two@example.com' } });
    const response = await upload('phone,email,first_name\n+79170000001,two@example.com,Mixed\n');
    const job = await waitFor(response.json().id);
    expect(job.errors).toEqual([{ line: 2, field: '(row)', reason: 'its identifiers belong to different customers' }]);
  });
});

describe('customer CSV export', () => {
  it('streams every active customer in the import layout, masked for analysts, and re-imports to no change', async () => {
    const response = await t.call({ method: 'GET', url: '/v1/exports/customers' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/csv');
    const lines = response.body.trim().split('\n');
    expect(lines[0]).toContain('id,phone,email,card_number');
    expect(lines[0]).toContain('consent.email.marketing');
    const active = await t.database.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow();
    expect(lines.length - 1).toBe(Number(active.n));

    const analyst = await t.call({ method: 'GET', url: '/v1/exports/customers', role: 'analyst' });
    expect(analyst.statusCode).toBe(200);
    expect(analyst.body).not.toContain('+79160000002');
    expect(analyst.body).toContain('+7916*****02');

    const customersBefore = await count('customers');
    const reimport = await upload(response.body, 'export.csv');
    expect(reimport.statusCode).toBe(202);
    const job = await waitFor(reimport.json().id);
    expect(job.status).toBe('completed');
    expect(job.rowsCreated).toBe(0);
    expect(await count('customers')).toBe(customersBefore);
  });
});
