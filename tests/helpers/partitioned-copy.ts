import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';

/**
 * A stand-in for Citus that Debian can run: every customer-owned table hash-partitioned by the
 * column Citus would distribute it by. A query is a Citus router query when it touches one shard
 * of each distributed table; here, when its plan touches one partition (docs/scale-out.md).
 */
export const PARTITIONS = 8;

/** Customer-owned tables and their distribution column; all but the lookup tables are colocated. */
export const distributedBy: Record<string, string> = {
  customers: 'id',
  consent_events: 'customer_id',
  // A customer's topic choices, like consents: read and written with the customer (the sender checks a batch's customers).
  topic_events: 'customer_id',
  receipts: 'customer_id',
  receipt_lines: 'customer_id',
  receipt_adjustments: 'customer_id',
  refunds: 'customer_id',
  point_balances: 'customer_id',
  point_lots: 'customer_id',
  point_entries: 'customer_id',
  lot_consumptions: 'customer_id',
  customer_tiers: 'customer_id',
  adjustments: 'customer_id',
  outbox_events: 'customer_id',
  // What each receipt took from each promotion: counted per customer under the customer's lock.
  promotion_redemptions: 'customer_id',
  // A lookup table: the till knows a phone or card before it knows the customer.
  customer_identifiers: 'value',
  // Looked up by the code the customer presents; a personal code's customer_id is an attribute.
  promo_codes: 'code',
  // A customer's reward orders: bought under the customer's balance lock, listed per customer.
  reward_orders: 'customer_id',
  // Looked up by the code the till scans; the customer_id is an attribute.
  reward_codes: 'code',
  // Referrals: the referee's row and each customer's hashes live with the customer; codes are looked up by code.
  referrals: 'customer_id',
  referral_fingerprints: 'customer_id',
  referral_codes: 'code',
  // Gift cards: looked up by the code the till presents (a card is its holder's, not a customer's); the payments of a
  // receipt live with the receipt's customer.
  gift_cards: 'code',
  gift_card_payments: 'customer_id',
  // Bonuses for actions and birthday offers: a customer's events, awards, limit counters and offers live with the customer.
  customer_events: 'customer_id',
  action_awards: 'customer_id',
  action_rule_counts: 'customer_id',
  action_rule_daily_counts: 'customer_id',
  birthday_offers: 'customer_id',
  // The analytics rollups: a customer's closed history, and the marks written with a change to it.
  rollup_customer_hours: 'customer_id',
  rollup_customer_purchases: 'customer_id',
  rollup_customer_baskets: 'customer_id',
  rollup_dirty: 'customer_id',
  points_outstanding_changes: 'customer_id',
  // Segments: a customer's memberships and their history live with the customer (live membership
  // updates a batch of customers; the checkout reads one customer's segments).
  segment_members: 'customer_id',
  segment_changes: 'customer_id',
  // A recompute's matches over everyone: each page diffs them with the members of its id range, on the same shard.
  segment_recompute_matches: 'customer_id',
  // RFM scores: a customer's scores are read with the customer (segments, the customer view).
  rfm_scores: 'customer_id',
  // Clusters: each customer's cluster in a run lives with the customer (the customer view and segments read one customer's).
  customer_clusters: 'customer_id',
  // Predicted CLV: a customer's prediction is read with the customer (the customer view, segments on clv.*).
  customer_clv: 'customer_id',
  // A lottery's frozen entries and winners: written once by its draw and read as one published list, so they live
  // with the lottery; customer_id is an attribute (a customer's own entries fan out over the few lotteries).
  lottery_entries: 'lottery_id',
  lottery_winners: 'lottery_id',
  // A survey's answers: read as one report (grouped over the survey's answers) and written one at a time, so they live
  // with the survey; customer_id is an attribute (null for a public answer), unique per survey with the key.
  survey_responses: 'survey_id',
  // Messaging: a customer's messages with their history, browsers and chat, campaign memberships and journey entries
  // live with the customer (the sender's caps and consent, a journey's steps and the report's purchases are per customer).
  messages: 'customer_id',
  message_events: 'customer_id',
  push_subscriptions: 'customer_id',
  telegram_links: 'customer_id',
  // Looked up by the token the bot receives ("/start <token>"); the customer_id is an attribute.
  telegram_link_tokens: 'token_hash',
  // Touchpoints: a session is found by its cookie's hash, a one-time code by its phone.
  customer_sessions: 'token_hash',
  otp_challenges: 'phone',
  campaign_recipients: 'customer_id',
  campaign_list_members: 'customer_id',
  journey_entries: 'customer_id',
  journey_entry_steps: 'customer_id',
  // The feedback inbox: a customer's tickets and their threads live with the customer.
  tickets: 'customer_id',
  ticket_messages: 'customer_id',
  // A fiscal receipt is claimed once across customers: the unique (fn, i, fp) holds on the shard of its fiscal drive; customer_id is an attribute.
  fiscal_receipts: 'fn',
};

/** Tables colocated with `customers`: one customer's rows of all of them live on one shard. */
export const colocatedWithCustomers = (table: string) => distributedBy[table] === 'customer_id' || table === 'customers';

type ForeignKey = { name: string; table: string; def: string; refTable: string; cols: string[]; refCols: string[] };
type Index = { name: string; def: string; unique: boolean; primary: boolean; cols: string[]; predicate: string | null };

/**
 * Rebuilds each existing table of `distributedBy` as `PARTITION BY HASH (key)` with PARTITIONS
 * partitions, keeping its rows, checks, defaults, identity and indexes. Returns what had to change
 * because Citus (like PostgreSQL partitioning) cannot enforce it: unique indexes without the key
 * get the key appended, and foreign keys survive only as Citus allows them.
 */
export async function partitionCustomerTables(db: Db): Promise<string[]> {
  const notes: string[] = [];
  await db.transaction().execute(async (tx) => {
    const present = (await sql<{ name: string }>`select relname as name from pg_class
      where relnamespace = 'public'::regnamespace and relkind = 'r' and relname = any(${Object.keys(distributedBy)})`.execute(tx)).rows.map((r) => r.name);
    const columns = (rel: string, nums: string) => sql.raw(
      `array(select a.attname::text from unnest(${nums}) with ordinality k(n, i) join pg_attribute a on a.attrelid = ${rel} and a.attnum = k.n order by k.i)`,
    );
    const foreignKeys = (
      await sql<ForeignKey>`select c.conname as name, c.conrelid::regclass::text as table, pg_get_constraintdef(c.oid) as def,
          c.confrelid::regclass::text as ref_table, ${columns('c.conrelid', 'c.conkey')} as cols, ${columns('c.confrelid', 'c.confkey')} as ref_cols
        from pg_constraint c where c.contype = 'f' and (c.conrelid::regclass::text = any(${present}) or c.confrelid::regclass::text = any(${present}))`.execute(tx)
    ).rows;
    await sql`create or replace function scale_out_touch() returns trigger language plpgsql as $$
      begin
        raise notice 'scale-out touch % %', tg_table_name, (to_jsonb(case when tg_op = 'DELETE' then old else new end) ->> tg_argv[0]) is null;
        return null;
      end $$`.execute(tx);
    for (const fk of foreignKeys) await sql`alter table ${sql.id(fk.table)} drop constraint ${sql.id(fk.name)}`.execute(tx);

    for (const table of present) {
      const key = distributedBy[table]!;
      const indexes = (
        await sql<Index>`select ic.relname as name, pg_get_indexdef(i.indexrelid) as def, i.indisunique as unique, i.indisprimary as primary,
            array(select pg_get_indexdef(i.indexrelid, k, true) from generate_series(1, i.indnkeyatts) k) as cols,
            pg_get_expr(i.indpred, i.indrelid, true) as predicate
          from pg_index i join pg_class ic on ic.oid = i.indexrelid where i.indrelid = ${table}::regclass`.execute(tx)
      ).rows;
      const identities = (await sql<{ name: string }>`select attname as name from pg_attribute
        where attrelid = ${table}::regclass and attidentity <> '' and not attisdropped`.execute(tx)).rows.map((r) => r.name);
      const old = `${table}_unpartitioned`;
      await sql`alter table ${sql.id(table)} rename to ${sql.id(old)}`.execute(tx);
      await sql`create table ${sql.id(table)} (like ${sql.id(old)} including defaults including constraints including generated including identity)
        partition by hash (${sql.id(key)})`.execute(tx);
      for (let i = 0; i < PARTITIONS; i++) {
        await sql`create table ${sql.id(`${table}_p${i}`)} partition of ${sql.id(table)} for values with (modulus ${sql.lit(PARTITIONS)}, remainder ${sql.lit(i)})`.execute(tx);
      }
      await sql`insert into ${sql.id(table)} overriding system value select * from ${sql.id(old)}`.execute(tx);
      await sql`drop table ${sql.id(old)}`.execute(tx);
      for (const column of identities) {
        await sql`select setval(pg_get_serial_sequence(${table}, ${column}), coalesce((select max(${sql.id(column)}) from ${sql.id(table)}), 0) + 1, false)`.execute(tx);
      }
      for (const index of indexes) {
        const hasKey = index.cols.includes(key);
        if (index.primary && hasKey) {
          await sql`alter table ${sql.id(table)} add constraint ${sql.id(index.name)} primary key (${sql.join(index.cols.map((c) => sql.id(c)))})`.execute(tx);
        } else if (index.unique && !hasKey) {
          // The key may be null (anonymous receipts), so a unique index rather than a primary key.
          const cols = [...index.cols, key];
          await sql`create unique index ${sql.id(index.name)} on ${sql.id(table)} (${sql.raw(cols.join(', '))})
            ${index.predicate ? sql`where ${sql.raw(index.predicate)}` : sql``}`.execute(tx);
          notes.push(`${table}: ${index.primary ? 'primary key' : 'unique'} (${index.cols.join(', ')}) became unique (${cols.join(', ')})`);
        } else {
          await sql.raw(index.def).execute(tx);
        }
      }
      // Instrumentation: each written row reports its partition, and whether its key is null
      // (Citus refuses a row without a distribution value).
      await sql`create trigger scale_out_touch after insert or update or delete on ${sql.id(table)}
        for each row execute function scale_out_touch(${sql.lit(key)})`.execute(tx);
    }

    for (const fk of foreignKeys) {
      const key = distributedBy[fk.table];
      const refKey = distributedBy[fk.refTable];
      // Citus: distributed → reference is fine; between distributed tables only when colocated
      // and the key joins the key; reference → distributed never.
      const allowed = !refKey || (key !== undefined && colocatedWithCustomers(fk.table) === colocatedWithCustomers(fk.refTable) &&
        fk.cols.includes(key) && fk.cols.indexOf(key) === fk.refCols.indexOf(refKey));
      if (allowed) await sql`alter table ${sql.id(fk.table)} add constraint ${sql.id(fk.name)} ${sql.raw(fk.def)}`.execute(tx);
      else notes.push(`${fk.table}: foreign key (${fk.cols.join(', ')}) → ${fk.refTable} (${fk.refCols.join(', ')}) dropped`);
    }
  });
  return notes;
}

