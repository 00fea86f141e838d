import { dayNumber, type Transaction } from './transactions.ts';

/**
 * Transaction files the CLI reads (`patron clv fit --transactions FILE --format …`):
 *
 * - `cdnow`: Hardie's CDNOW files, whitespace-separated. CDNOW_master.txt has four columns
 *   (customer_id date number_of_cds dollar_value) under a header line; CDNOW_sample.txt five
 *   (master_id sample_id date number_of_cds dollar_value) and no header — there the customer is
 *   the sample id, as in the published summary. Which one it is, is told by the column count.
 * - `csv`: `customer_id,date,amount` with a header; date YYYY-MM-DD, amount in major units with
 *   up to two decimals.
 *
 * Amounts become integer minor units (cents) as they are read: money is summed exactly.
 */
export type TransactionFormat = 'cdnow' | 'csv';

export class TransactionFileError extends Error {}

/** "12.34" → 1234 minor units; null unless a non-negative amount with at most two decimals. */
export function minorUnits(text: string): number | null {
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export function parseTransactions(text: string, format: TransactionFormat): Transaction[] {
  const lines = text.split(/\r?\n/);
  const transactions: Transaction[] = [];
  const bad = (line: number, why: string) => new TransactionFileError(`line ${line}: ${why}`);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (format === 'csv') {
      if (i === 0 && /^customer_id\s*,/i.test(line)) return;
      const cells = line.split(',').map((c) => c.trim());
      if (cells.length !== 3) throw bad(i + 1, `has ${cells.length} columns; a csv file has customer_id,date,amount`);
      const [customer, date, amount] = cells as [string, string, string];
      const day = dayNumber(date);
      const spendMinor = minorUnits(amount);
      if (customer === '') throw bad(i + 1, 'customer_id is empty');
      if (day === null) throw bad(i + 1, `date ${JSON.stringify(date)} is not a date YYYY-MM-DD`);
      if (spendMinor === null) throw bad(i + 1, `amount ${JSON.stringify(amount)} is not an amount like 12.34`);
      transactions.push({ customer, day, spendMinor });
      return;
    }
    const cells = line.split(/\s+/);
    if (i === 0 && !/^\d/.test(cells[0]!)) return; // CDNOW_master.txt's header
    if (cells.length !== 4 && cells.length !== 5) throw bad(i + 1, `has ${cells.length} columns; a CDNOW file has 4 (customer date cds dollars) or 5 (master id, sample id, date, cds, dollars)`);
    const [customer, date, , amount] = cells.length === 4 ? (cells as [string, string, string, string]) : (cells.slice(1) as [string, string, string, string]);
    const day = dayNumber(date);
    const spendMinor = minorUnits(amount);
    if (day === null) throw bad(i + 1, `date ${JSON.stringify(date)} is not a date YYYYMMDD`);
    if (spendMinor === null) throw bad(i + 1, `dollar value ${JSON.stringify(amount)} is not an amount like 12.34`);
    transactions.push({ customer: String(Number(customer)), day, spendMinor });
  });
  return transactions;
}
