import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// One writer of the points ledger: every change of points goes through ledger.ts. A second
// writer (as historical-receipts.ts once was) is how balances and entries drift apart.
const ledgerTables = ['point_balances', 'point_lots', 'point_entries', 'lot_consumptions', 'pointBalances', 'pointLots', 'pointEntries', 'lotConsumptions'];
const writes = new RegExp(String.raw`(insert\s+into|update|delete\s+from|insertInto\(|updateTable\(|deleteFrom\()\s*['"\x60]?(${ledgerTables.join('|')})\b`, 'i');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('the points ledger has one writer', () => {
  it('nothing in src/ but loyalty/ledger.ts inserts, updates or deletes ledger rows', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const writers = sources(root).filter((file) => writes.test(fs.readFileSync(file, 'utf8')));
    expect(writers.map((file) => path.relative(root, file))).toEqual([path.join('modules', 'loyalty', 'ledger.ts')]);
  });

  it('the check itself finds a write', () => {
    expect(writes.test('await sql`update point_lots set remaining = 0`')).toBe(true);
    expect(writes.test("tx.insertInto('pointEntries')")).toBe(true);
    expect(writes.test("tx.selectFrom('pointLots')")).toBe(false);
  });
});
