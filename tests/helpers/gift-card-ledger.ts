import { sql } from 'kysely';
import { expect } from 'vitest';
import type { DbOrTx } from '../../src/db/database.ts';

/**
 * The gift-card ledger's invariants, for every card: its cached balance is the sum of its entries
 * and the last entry's balance after; no payment has more returned than it took.
 */
export async function expectGiftCardLedgerConsistent(db: DbOrTx): Promise<number> {
  const cards = await sql<{ id: string; balance: number; sum: number; last: number | null }>`
    select c.id, c.balance_minor as balance,
      coalesce((select sum(amount_minor) from gift_card_entries e where e.card_id = c.id), 0)::bigint as sum,
      (select balance_after_minor from gift_card_entries e where e.card_id = c.id order by id desc limit 1) as last
    from gift_cards c`.execute(db);
  for (const card of cards.rows) {
    expect({ card: card.id, entries: Number(card.sum) }).toEqual({ card: card.id, entries: card.balance });
    if (card.last !== null) expect({ card: card.id, last: card.last }).toEqual({ card: card.id, last: card.balance });
  }
  const over = await sql<{ n: number }>`select count(*)::int as n from gift_card_payments where returned_minor > amount_minor`.execute(db);
  expect(over.rows[0]!.n).toBe(0);
  return cards.rows.length;
}
