import { customerIdentifiers } from './loyalty-catalog.ts';
import { sqlText, type SqlRunner } from './sql-load.ts';

export type LedgerCheck = {
  customers: number;
  balanceNotSumOfEntries: number;
  balanceNotSumOfLots: number;
  receipts: number;
  receiptNotSumOfLines: number;
  lotNotReceiptPoints: number;
  redeemedNotConsumed: number;
};

/**
 * The ledger's invariants (src/modules/loyalty/ledger.ts) on a sample: balance = Σ entries,
 * Σ remaining of active lots = max(available, 0), Σ remaining of pending lots = pending; and a
 * receipt's totals and points = Σ its lines, its lot = its points, its redemption = Σ lots taken.
 */
export async function checkLedger(run: SqlRunner, sample: number): Promise<LedgerCheck> {
  const sizes = (await run(`select (select count(*) from point_balances) as b, (select count(*) from receipts) as r`)).rows[0]!;
  const share = (total: unknown) => Math.min(100, (100 * sample) / Math.max(1, Number(total)));
  const balances = (
    await run(`with s as (select customer_id, available, pending from point_balances tablesample bernoulli (${share(sizes.b)}) repeatable (7)),
      e as (select customer_id, sum(available_delta) as a, sum(pending_delta) as p from point_entries where customer_id in (select customer_id from s) group by customer_id),
      l as (select customer_id, sum(remaining) filter (where activated_at is not null and expired_at is null) as a,
              sum(remaining) filter (where activated_at is null and expired_at is null) as p
            from point_lots where customer_id in (select customer_id from s) group by customer_id)
      select count(*) as n,
        count(*) filter (where s.available <> coalesce(e.a, 0) or s.pending <> coalesce(e.p, 0)) as entries,
        count(*) filter (where greatest(s.available, 0) <> coalesce(l.a, 0) or s.pending <> coalesce(l.p, 0)) as lots
      from s left join e on e.customer_id = s.customer_id left join l on l.customer_id = s.customer_id`)
  ).rows[0]!;
  const receipts = (
    await run(`with s as (select * from receipts tablesample system (${share(sizes.r)}) repeatable (7)),
      l as (select receipt_id, sum(total_minor) as total, sum(discount_minor) as discount, sum(points_earned) as earned,
              sum(points_redeemed) as redeemed, sum(redeemed_minor) as redeemed_minor
            from receipt_lines where receipt_id in (select id from s) group by receipt_id),
      lot as (select receipt_id, sum(points) as points from point_lots where receipt_id in (select id from s) and source = 'receipt' group by receipt_id),
      c as (select receipt_id, sum(points) as points from lot_consumptions where receipt_id in (select id from s) group by receipt_id)
      select count(*) as n,
        count(*) filter (where s.total_minor <> l.total or s.discount_minor <> l.discount or s.points_earned <> l.earned
          or s.points_redeemed <> l.redeemed or s.redeemed_minor <> l.redeemed_minor
          or s.paid_minor <> s.total_minor - s.discount_minor - s.redeemed_minor or l.receipt_id is null) as lines,
        count(*) filter (where s.customer_id is not null and s.points_earned <> coalesce(lot.points, 0)) as lots,
        count(*) filter (where s.points_redeemed <> coalesce(c.points, 0)) as consumed
      from s left join l on l.receipt_id = s.id left join lot on lot.receipt_id = s.id left join c on c.receipt_id = s.id`)
  ).rows[0]!;
  return {
    customers: Number(balances.n),
    balanceNotSumOfEntries: Number(balances.entries),
    balanceNotSumOfLots: Number(balances.lots),
    receipts: Number(receipts.n),
    receiptNotSumOfLines: Number(receipts.lines),
    lotNotReceiptPoints: Number(receipts.lots),
    redeemedNotConsumed: Number(receipts.consumed),
  };
}

/** The SQL numbering of phones and cards must match customers-csv.ts, which the benchmarks use to find customers. */
export async function checkIdentifiers(run: SqlRunner): Promise<void> {
  const probes = [0, 1, 2, 12_345];
  for (const k of probes) {
    const { phoneE164, card } = customerIdentifiers(k);
    const found = await run(`select count(distinct customer_id) as owners, count(*) as n from customer_identifiers
      where (kind = 'phone' and value = ${sqlText(phoneE164)}) or (kind = 'card' and value = ${sqlText(card)})`);
    const row = found.rows[0]!;
    if (Number(row.n) === 0) continue; // fewer customers than k
    if (Number(row.n) !== 2 || Number(row.owners) !== 1) throw new Error(`customer ${k}: the phone and card made in SQL differ from customers-csv.ts`);
  }
}
