/**
 * A year of a loyalty program, generated set-based in SQL on the database server itself:
 * stores, a product catalog, customers with a phone and a card, receipts with their lines, and
 * the points ledger those receipts leave behind (lots, entries, redemptions, balances).
 *
 *   npx tsx bench/generate/loyalty-data.ts --database-url postgres://postgres@127.0.0.1:5432/postgres
 *   npx tsx bench/generate/loyalty-data.ts --customers 50000 --receipts 500000 --database-url postgres://…
 *
 * It creates a database (patron_loyalty_<random>, or --name), migrates it with
 * src/db/migrate.ts, fills it, checks the ledger invariants on a sample and prints the time
 * each table took. The database is kept for the benchmarks that need it (--drop drops it).
 *
 * Loading ten million receipts through the API would take hours; here every table is one
 * INSERT … SELECT over generate_series. Randomness is hashint8extended of the row's number
 * and a seeded salt, so a seed and the sizes always give the same rows (times are relative
 * to --as-of, the current hour by default). The same SQL runs on PGlite, so a benchmark of the
 * embedded mode can load a smaller copy with `generateLoyaltyData(pgliteRunner(pglite), …)`.
 *
 * The receipts earn and redeem by Patron's default program (5 % of the paid amount, tobacco
 * excluded, 14 pending days, expiry after 365 days, at most 30 % of a receipt paid in points),
 * computed exactly as src/modules/loyalty/calculate.ts would, so refunds and balances of this
 * data behave like those of real checkouts.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openPostgres } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { catalogCategories, femaleNames, lastNames, maleNames, storesOf } from './loyalty-catalog.ts';
import { checkIdentifiers, checkLedger, type LedgerCheck } from './loyalty-check.ts';
import { dropKeysAndIndexes, pgRunner, rebuildKeysAndIndexes, sqlText, type SqlRunner } from './sql-load.ts';

export { customerIdentifiers, storesOf } from './loyalty-catalog.ts';
export { pgliteRunner, pgRunner, type SqlRunner } from './sql-load.ts';

export type LoyaltyDataOptions = {
  customers: number;
  receipts: number;
  stores: number;
  products: number;
  seed: number;
  /** Receipts fall in the `days` whole days before the day of `asOf` (at most 365: nothing has expired yet). */
  days: number;
  asOf: Date;
  /** Share of receipts without a customer. */
  anonymousShare: number;
  /** Share of customers who pay with points at their last receipt (when it is large enough). */
  redeemShare: number;
  /** 'small' keeps sort memory modest (PGlite runs in the same process as the benchmark). */
  memory: 'large' | 'small';
};

export const defaultLoyaltyDataOptions: LoyaltyDataOptions = {
  customers: 1_000_000,
  receipts: 10_000_000,
  stores: 50,
  products: 5_000,
  seed: 1,
  days: 365,
  asOf: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000),
  anonymousShare: 0.3,
  redeemShare: 0.4,
  memory: 'large',
};

/** The program the generated ledger follows: Patron's defaults (src/modules/loyalty/config-types.ts). */
const BASE_RATE_DIVISOR = 2_000; // 5 % of kopecks in points worth 1.00: paid × 500 / (10,000 × 100)
const PENDING_DAYS = 14;
const EXPIRY_DAYS = 365;
const MAX_REDEEM_SHARE_BP = 3_000;
const POINT_VALUE_MINOR = 100;
const EXPIRING_NOTICE_DAYS = 7;
/** Redemptions only on receipts whose eligible goods reach 1,000.00, so every line can carry its share. */
const MIN_REDEEM_BASKET = 100_000;
/** Receipts of one customer are numbered within customer k as k × 4096 + j. */
const MAX_RECEIPTS_PER_CUSTOMER = 4_000;

const text = sqlText;
const textArray = (values: readonly string[]) => `(array[${values.map(text).join(', ')}]::text[])`;
const ts = (at: Date) => `timestamptz '${at.toISOString()}'`;

/** SQL expressions for seeded randomness: each use passes its own salt, so draws are independent. */
function randomness(seed: number) {
  const salt = (n: number) => seed * 1_000 + n;
  const h = (n: string, s: number) => `hashint8extended((${n})::bigint, ${salt(s)})`;
  return {
    h,
    /** Uniform in [0, 1). */
    u: (n: string, s: number) => `((${h(n, s)} & 9007199254740991)::float8 / 9007199254740992.0)`,
    /** A prefixed UUIDv7 in hex (as src/platform/ids.ts makes them) for the instant `at`. */
    id: (prefix: string, at: string, n: string, s: number) =>
      `'${prefix}_' || lpad(to_hex(floor(extract(epoch from ${at}) * 1000)::bigint), 12, '0') || '7' || ` +
      `lpad(to_hex(${h(n, s)} & 4095), 3, '0') || substr('89ab', 1 + ((${h(n, s)} >> 12) & 3)::int, 1) || ` +
      `lpad(to_hex(${h(n, s + 1)} & 1152921504606846975), 15, '0')`,
  };
}

export type StepReport = { step: string; rows: number; ms: number };
export type GenerationReport = {
  steps: StepReport[];
  totalMs: number;
  counts: Record<string, number>;
  check: LedgerCheck;
};

// The tables this generator fills; their keys, indexes and foreign keys are dropped for the load and rebuilt after.
const loadedTables = ['stores', 'products', 'customers', 'customer_identifiers', 'receipts', 'receipt_lines', 'point_lots', 'point_entries', 'point_balances', 'lot_consumptions'];

/**
 * Fills a freshly migrated, empty database. `run` must hold one session: temporary tables and
 * settings live in it.
 */
export async function generateLoyaltyData(
  run: SqlRunner,
  given: Partial<LoyaltyDataOptions> = {},
  log: (line: string) => void = () => undefined,
): Promise<GenerationReport> {
  const o = { ...defaultLoyaltyDataOptions, ...given };
  if (!Number.isInteger(o.customers) || o.customers < 1 || o.customers > 100_000_000) throw new Error('customers: 1 to 100,000,000');
  if (!Number.isInteger(o.receipts) || o.receipts < 0) throw new Error('receipts: a whole number');
  if (o.stores < 2 || o.products < catalogCategories.length || o.days < 1 || o.days > EXPIRY_DAYS) throw new Error('stores ≥ 2, products ≥ 23, days 1–365');
  const { u, h, id } = randomness(o.seed);
  const N = o.customers;
  const S = o.stores;
  const P = o.products;
  const asOf = ts(o.asOf);
  const windowStart = new Date(Date.UTC(o.asOf.getUTCFullYear(), o.asOf.getUTCMonth(), o.asOf.getUTCDate()) - o.days * 86_400_000);
  // Customers joined in the two years before the receipts start, in order of k (so their UUIDv7 ids rise with k).
  const joinedFrom = new Date(windowStart.getTime() - 2 * 365 * 86_400_000);
  const joinStepMs = Math.max(1, Math.floor((windowStart.getTime() - joinedFrom.getTime()) / N));
  const stores = storesOf(S);
  const storeId = (index: string) => `case when ${index} = ${S} then 'web' else 'st-' || lpad((${index})::text, 3, '0') end`;

  const steps: StepReport[] = [];
  const started = performance.now();
  const timed = async (name: string, work: () => Promise<number>): Promise<number> => {
    const at = performance.now();
    const count = await work();
    const ms = performance.now() - at;
    steps.push({ step: name, rows: count, ms });
    const rate = count > 0 ? `${Math.round((count * 1000) / ms).toLocaleString('en-US').padStart(10)} rows/s` : '';
    log(`  ${name.padEnd(46)} ${count > 0 ? `${count.toLocaleString('en-US').padStart(12)} rows` : ''.padStart(17)} ${(ms / 1000).toFixed(1).padStart(7)} s ${rate}`);
    return count;
  };
  const step = (name: string, statement: string) => timed(name, async () => (await run(statement)).count);

  // JIT compiling these long expressions costs seconds per statement and gains little here.
  await run('set jit = off');
  await run(`set work_mem = '${o.memory === 'large' ? '512MB' : '32MB'}'`);
  await run(`set maintenance_work_mem = '${o.memory === 'large' ? '1GB' : '64MB'}'`);
  if (o.memory === 'large') await run('set synchronous_commit = off');

  const empty = await run(`select (select count(*) from customers) + (select count(*) from receipts) + (select count(*) from stores) as n`);
  if (Number(empty.rows[0]?.n) !== 0) throw new Error('the database already holds customers, stores or receipts: generate into a fresh one');

  const schema = await dropKeysAndIndexes(run, loadedTables);

  // Stores and the catalog.
  await step(
    'stores',
    `insert into stores (id, name, region, timezone, active, created_at, updated_at)
     select id, name, region, timezone, true, ${ts(joinedFrom)}, ${ts(joinedFrom)}
     from (values ${stores.map((s) => `(${text(s.id)}, ${text(s.name)}, ${s.region === null ? 'null' : text(s.region)}, ${text(s.timezone)})`).join(', ')})
       as t(id, name, region, timezone)`,
  );
  const shares = catalogCategories.reduce((sum, c) => sum + c.share, 0);
  const perCategory = catalogCategories.map((c) => Math.floor((P * c.share) / shares));
  for (let i = 0; perCategory.reduce((a, b) => a + b, 0) < P; i++) perCategory[i % perCategory.length]! += 1;
  let first = 0;
  const categoryRows = catalogCategories.map((c, i) => {
    const row = `(${first}, ${perCategory[i]}, ${text(c.code)}, ${text(c.noun)}, ${textArray(c.path)}, ${c.price[0]}, ${c.price[1]}, ${c.weighed ? 'true' : 'false'}, ${textArray(c.brands)})`;
    first += perCategory[i]!;
    return row;
  });
  await step(
    'staging: catalog',
    `create temp table gen_products as
     select idx, sku, brand, brand || ' ' || noun || ' ' || (i + 1) || case when weighed then ' (by weight)' else '' end as name,
       path, array_to_string(path, '/') as category, weighed, 'tobacco' = any(path) as excluded,
       (floor((lo + ${u('idx', 2)} ^ 2.5 * (hi - lo)) / 100) * 100 + 90)::bigint as price
     from (select c.first + i as idx, i, c.code || '-' || lpad((i + 1)::text, 5, '0') as sku, c.noun, c.path, c.lo, c.hi, c.weighed,
             c.brands[1 + (${h('c.first + i', 1)} & 1073741823) % array_length(c.brands, 1)] as brand
           from (values ${categoryRows.join(', ')}) as c(first, count, code, noun, path, lo, hi, weighed, brands)
           cross join generate_series(0, c.count - 1) as i) p`,
  );
  await run('alter table gen_products add primary key (idx)');
  await run('analyze gen_products');
  await step(
    'products',
    `insert into products (sku, name, category_path, brand, attributes, created_at, updated_at)
     select sku, name, path, brand, jsonb_build_object('price', price, 'weighed', weighed), ${ts(joinedFrom)}, ${ts(joinedFrom)}
     from gen_products order by idx`,
  );

  // Customers: how often each shops is lognormal (median ≈ 3 a year, a few hundred for the busiest), 15 % never do.
  const perCustomer = ((1 - o.anonymousShare) * o.receipts) / N;
  const sigma = 1.2;
  const mu = Math.log(Math.max(perCustomer, 1e-9)) - (sigma * sigma) / 2;
  await step(
    'staging: customers',
    `create temp table gen_customers as
     select k, ${id('cus', 'joined', 'k', 3)} as id, joined, female, home, cnt
     from (select k, ${ts(joinedFrom)} + (k::bigint * ${joinStepMs}) * interval '1 millisecond' as joined,
             ${u('k', 5)} < 0.55 as female,
             1 + floor(${S - 1} * ${u('k', 6)} ^ 1.5)::int as home,
             least(${MAX_RECEIPTS_PER_CUSTOMER}, floor(exp(${mu} + ${sigma} * sqrt(-2 * ln(1 - ${u('k', 7)})) * cos(2 * pi() * ${u('k', 8)})) + 0.5))::int as cnt
           from generate_series(0, ${N - 1}) as k) c`,
  );
  await step(
    'customers',
    `insert into customers (id, status, first_name, last_name, birth_date, gender, city, timezone, locale, tags, attributes, created_at, updated_at)
     select id, 'active',
       (case when female then ${textArray(femaleNames)} else ${textArray(maleNames)} end)[1 + (${h('k', 9)} & 1023) % 12],
       ${textArray(lastNames)}[1 + (${h('k', 10)} & 1023) % 12] || case when female then 'a' else '' end,
       case when ${u('k', 11)} < 0.75 then date '1950-01-01' + floor(${u('k', 12)} * 58 * 365)::int end,
       case when female then 'female' else 'male' end,
       ${textArray(stores.map((s) => s.city))}[home], ${textArray(stores.map((s) => s.timezone))}[home], 'ru-RU', '{}', '{}', joined, joined
     from gen_customers order by k`,
  );
  // The same numbering as customers-csv.ts: customer k has customerPhoneDigits(k) and customerCardNumber(k).
  await step(
    'customer_identifiers',
    `insert into customer_identifiers (kind, source, value, customer_id, is_primary, created_at)
     select kind, '', value, id, true, joined from (
       select k, 1 as o, 'phone' as kind, id, joined,
         '+7' || (900 + slot / 10000000 + case when slot / 10000000 >= 30 then 1 else 0 end)::text || lpad((slot % 10000000)::text, 7, '0') as value
       from (select k, id, joined, (k::bigint * 611862847 + 12345) % 990000000 as slot from gen_customers) c
       union all
       select k, 2, 'card', id, joined, '2' || lpad(((k::bigint * 7919 + 777) % 1000000000000)::text, 12, '0') from gen_customers) i
     order by k, o`,
  );

  // Receipts: the customers' receipts, then anonymous ones to make up the count.
  const customerReceipts = Number((await run('select coalesce(sum(cnt), 0) as n from gen_customers')).rows[0]?.n);
  const anonymous = Math.max(0, o.receipts - customerReceipts);
  // A line, given the receipt's key and the line number j: a product (popular ones far more often),
  // a quantity (by weight or 1–3 pieces), a POS discount on about one line in eight.
  const lineKey = (key: string) => `(${key}) * 32 + j`;
  // Popularity rank r is product (r × scatter + 17) mod P: a multiplier near P × 0.618 and coprime to P
  // spreads the best sellers over every category instead of the first one.
  const scatter = scatterFor(P);
  const lines = (key: string, count: string) => `
    (select j, idx, sku, name, category, brand, qty, price, excluded, (qty * price + 500) / 1000 as total, ((qty * price + 500) / 1000) * disc / 100 as discount
     from (select j, p.idx, p.sku, p.name, p.category, p.brand, p.price, p.excluded,
             case when p.weighed then 200 + floor(${u(lineKey(key), 21)} * 1300)::bigint
               else 1000 * (1 + (${u(lineKey(key), 22)} < 0.15)::int + (${u(lineKey(key), 23)} < 0.04)::int)::bigint end as qty,
             case when ${u(lineKey(key), 24)} < 0.12 then 5 + floor(${u(lineKey(key), 25)} * 26)::int else 0 end as disc
           from generate_series(1, ${count}) as j
           join gen_products p on p.idx = ((floor(${P} * ${u(lineKey(key), 20)} ^ 2.2)::bigint * ${scatter} + 17) % ${P})::int) l)`;
  await step(
    'staging: receipts with their totals',
    `create temp table gen_receipts as
     with base as (
       select c.k::bigint * 4096 + j as key, c.id as customer_id, c.home
       from gen_customers c cross join generate_series(1, c.cnt) as j
       union all
       select ${N}::bigint * 4096 + j, null, 0 from generate_series(1, ${anonymous}) as j
     ), shaped as (
       select key, customer_id,
         ${ts(windowStart)} + floor(${u('key', 31)} * ${o.days}) * interval '1 day'
           + (18000000 + floor(${u('key', 32)} * 54000000)::bigint) * interval '1 millisecond' as occurred_at,
         case when customer_id is not null and ${u('key', 33)} < 0.05 then ${S}
              when customer_id is not null and ${u('key', 34)} < 0.8 then home
              else 1 + floor(${S - 1} * ${u('key', 35)} ^ 1.5)::int end as store,
         least(20, 1 + floor(ln(1 - ${u('key', 36)}) / ln(0.75))::int) as nlines
       from base
     )
     select s.key, s.customer_id, s.occurred_at, s.store, s.nlines, ${id('rcp', 's.occurred_at', 's.key', 37)} as id,
       t.total, t.discount, t.eligible, case when s.customer_id is null then 0 else t.points end as points
     from shaped s cross join lateral (
       select sum(total)::bigint as total, sum(discount)::bigint as discount,
         sum(case when excluded then 0 else total - discount end)::bigint as eligible,
         sum(case when excluded then 0 else (total - discount) / ${BASE_RATE_DIVISOR} end)::int as points
       from ${lines('s.key', 's.nlines')} as x) t
     order by s.occurred_at, s.key`,
  );

  // Redemptions: some customers pay part of their last receipt with the points that were active by then,
  // up to 30 % of its eligible goods. Nothing after it, so no other receipt's points change.
  await step(
    'staging: redemptions',
    `create temp table gen_redeem as
     with last as (
       select distinct on (customer_id) customer_id, key, id, occurred_at, nlines, eligible
       from gen_receipts where customer_id is not null order by customer_id, occurred_at desc, key desc
     ), active as (
       select r.customer_id, sum(r.points)::bigint as points
       from gen_receipts r join last l on l.customer_id = r.customer_id
       where r.occurred_at + interval '${PENDING_DAYS} days' <= l.occurred_at group by r.customer_id
     )
     select l.key, l.id as receipt_id, l.customer_id, l.occurred_at, l.nlines,
       least(a.points, l.eligible * ${MAX_REDEEM_SHARE_BP} / 10000 / ${POINT_VALUE_MINOR}) as s
     from last l join active a on a.customer_id = l.customer_id
     where ${u('l.key', 41)} < ${o.redeemShare} and l.eligible >= ${MIN_REDEEM_BASKET}
       and least(a.points, l.eligible * ${MAX_REDEEM_SHARE_BP} / 10000 / ${POINT_VALUE_MINOR}) > 0`,
  );
  // Each redeeming receipt's points and money spread over its eligible lines by largest remainder,
  // ties to the earlier line (platform/money.ts allocate), and what each line then earns.
  await step(
    'staging: redeemed lines',
    `create temp table gen_redeem_lines as
     with l as (
       select d.key, d.s, x.j, x.excluded, x.total - x.discount as net
       from gen_redeem d cross join lateral ${lines('d.key', 'd.nlines')} as x
     ), w as (
       select l.*, case when excluded then 0 else net end as w, (sum(case when excluded then 0 else net end) over (partition by key))::bigint as wt from l
     ), parts as (
       select w.*, s * w / wt as pb, (s * w) % wt as pr, s * ${POINT_VALUE_MINOR} * w / wt as mb, (s * ${POINT_VALUE_MINOR} * w) % wt as mr from w
     ), ranked as (
       select parts.*,
         s - sum(pb) over (partition by key) as pleft, row_number() over (partition by key order by pr desc, j) as prank,
         s * ${POINT_VALUE_MINOR} - sum(mb) over (partition by key) as mleft, row_number() over (partition by key order by mr desc, j) as mrank
       from parts
     )
     select key, j, (pb + (prank <= pleft)::int)::int as points_redeemed, (mb + (mrank <= mleft)::int)::bigint as redeemed_minor,
       case when excluded then 0 else ((net - (mb + (mrank <= mleft)::int)) / ${BASE_RATE_DIVISOR})::int end as points_earned
     from ranked`,
  );
  // Each receipt with what its redemption changed, in one row (the line values as arrays), so the two
  // big inserts below read one table straight through, in time order, joining nothing but the catalog.
  // (Joined there, the planner takes generate_series for 1,000 lines a receipt and hashes all the lines.)
  await run(`create temp table gen_redeem_arrays as
    select key, array_agg(points_redeemed order by j) as redeemed, array_agg(redeemed_minor order by j) as redeemed_minor,
      array_agg(points_earned order by j) as earned, sum(points_earned)::int as points
    from gen_redeem_lines group by key`);
  for (const table of ['gen_receipts', 'gen_redeem', 'gen_redeem_arrays']) await run(`analyze ${table}`);
  await step(
    'staging: receipts with their redemptions',
    `create temp table gen_final as
     select r.key, r.id, r.customer_id, r.occurred_at, r.store, r.nlines, r.total, r.discount,
       coalesce(d.s, 0)::int as redeemed, a.redeemed as line_redeemed, a.redeemed_minor as line_redeemed_minor, a.earned as line_earned,
       case when r.customer_id is null then 0 else coalesce(a.points, r.points) end as earned
     from gen_receipts r left join gen_redeem d on d.key = r.key left join gen_redeem_arrays a on a.key = r.key`,
  );
  await run('drop table gen_receipts');

  await step(
    'receipt_lines',
    `insert into receipt_lines (receipt_id, line_no, customer_id, sku, name, category, brand, qty_milli, price_minor, total_minor,
       discount_minor, points_earned, points_redeemed, redeemed_minor)
     select r.id, x.j, r.customer_id, x.sku, x.name, x.category, x.brand, x.qty, x.price, x.total, x.discount,
       case when r.line_earned is not null then r.line_earned[x.j] when r.customer_id is null or x.excluded then 0
            else ((x.total - x.discount) / ${BASE_RATE_DIVISOR})::int end,
       coalesce(r.line_redeemed[x.j], 0), coalesce(r.line_redeemed_minor[x.j], 0)
     from gen_final r cross join lateral ${lines('r.key', 'r.nlines')} as x`,
  );
  // Stored as 'checkout' receipts with an empty stored answer: a replay of one returns {} (real answers are ~1.5 kB each).
  await step(
    'receipts',
    `insert into receipts (id, store_id, pos_receipt_id, register_id, channel, source, customer_id, status, occurred_at, created_at,
       currency, total_minor, discount_minor, points_redeemed, redeemed_minor, paid_minor, points_earned, refunded_minor, request_hash, response)
     select r.id, ${storeId('r.store')}, 'P' || r.key, ${storeId('r.store')} || '-R' || (1 + r.key % 6),
       case when r.store = ${S} then 'online' else 'offline' end, 'checkout', r.customer_id, 'confirmed', r.occurred_at, r.occurred_at,
       'RUB', r.total, r.discount, r.redeemed, r.redeemed * ${POINT_VALUE_MINOR}, r.total - r.discount - r.redeemed * ${POINT_VALUE_MINOR}, r.earned, 0,
       lpad(to_hex(${h('r.key', 51)}), 16, '0') || lpad(to_hex(${h('r.key', 52)}), 16, '0') || lpad(to_hex(${h('r.key', 53)}), 16, '0') || lpad(to_hex(${h('r.key', 54)}), 16, '0'),
       '{}'::jsonb
     from gen_final r`,
  );

  // The ledger: a lot per earning receipt; a redemption takes from the lots active at the time, oldest first (ledger.ts).
  await step(
    'staging: lots and what was taken from them',
    `create temp table gen_lots as
     with lots as (
       select r.customer_id, r.key, r.id as receipt_id, r.occurred_at, r.earned as points, ${id('lot', 'r.occurred_at', 'r.key', 61)} as id
       from gen_final r where r.customer_id is not null and r.earned > 0
     ), marked as (
       select lots.*, d.s, d.occurred_at as redeem_at, d.receipt_id as redeem_receipt,
         d.key is not null and lots.occurred_at + interval '${PENDING_DAYS} days' <= d.occurred_at as spendable
       from lots left join gen_redeem d on d.customer_id = lots.customer_id
     )
     select customer_id, id, receipt_id, points, occurred_at as earned_at, occurred_at + interval '${PENDING_DAYS} days' as activates_at,
       occurred_at + interval '${EXPIRY_DAYS} days' as expires_at, redeem_at, redeem_receipt,
       case when spendable then greatest(0, least(points, s - (sum(points) over w - points)))::int else 0 end as taken
     from marked
     window w as (partition by customer_id, spendable order by occurred_at, id rows unbounded preceding)`,
  );
  await run('analyze gen_lots');
  await step(
    'point_lots',
    `insert into point_lots (id, customer_id, source, receipt_id, points, remaining, earned_at, activates_at, activated_at, expires_at, expiring_notified_at)
     select id, customer_id, 'receipt', receipt_id, points, points - taken, earned_at, activates_at,
       case when activates_at <= ${asOf} then activates_at end, expires_at,
       case when points > taken and expires_at - interval '${EXPIRING_NOTICE_DAYS} days' <= ${asOf} then expires_at - interval '${EXPIRING_NOTICE_DAYS} days' end
     from gen_lots order by earned_at, id`,
  );
  await step(
    'lot_consumptions',
    `insert into lot_consumptions (customer_id, lot_id, receipt_id, kind, points, occurred_at)
     select customer_id, id, redeem_receipt, 'redeem', taken, redeem_at from gen_lots where taken > 0 order by redeem_at, earned_at, id`,
  );
  // In time order, so entry ids rise with time as they do in a live system; a receipt's redemption precedes its earning.
  await step(
    'point_entries',
    `insert into point_entries (customer_id, kind, available_delta, pending_delta, lot_id, receipt_id, occurred_at)
     select customer_id, kind, a, p, lot_id, receipt_id, at from (
       select customer_id, 'earn' as kind, 0 as a, points as p, id as lot_id, receipt_id, earned_at as at, 2 as o from gen_lots
       union all
       select customer_id, 'activate', points, -points, id, null, activates_at, 3 from gen_lots where activates_at <= ${asOf}
       union all
       select customer_id, 'redeem', -s::int, 0, null, receipt_id, occurred_at, 1 from gen_redeem
     ) e order by at, o`,
  );
  await step(
    'point_balances',
    `insert into point_balances (customer_id, available, pending, lifetime_earned, lifetime_redeemed, lifetime_expired, updated_at)
     select l.customer_id, sum(case when l.activates_at <= ${asOf} then l.points else 0 end) - coalesce(max(d.s), 0),
       sum(case when l.activates_at > ${asOf} then l.points else 0 end), sum(l.points), coalesce(max(d.s), 0), 0,
       greatest(max(l.earned_at), max(l.activates_at) filter (where l.activates_at <= ${asOf}))
     from gen_lots l left join gen_redeem d on d.customer_id = l.customer_id
     group by l.customer_id order by l.customer_id`,
  );

  await rebuildKeysAndIndexes(run, loadedTables, schema, timed);
  for (const table of ['gen_products', 'gen_customers', 'gen_final', 'gen_redeem', 'gen_redeem_lines', 'gen_redeem_arrays', 'gen_lots']) {
    await run(`drop table ${table}`);
  }
  // What autovacuum would do after the load anyway, so it does not start in the middle of a benchmark.
  await step('vacuum analyze', `vacuum (analyze) ${loadedTables.join(', ')}`);

  const counts: Record<string, number> = {};
  for (const table of loadedTables) {
    counts[table] = Number((await run(`select count(*) as n from ${table}`)).rows[0]?.n);
  }
  const check = await checkLedger(run, 10_000);
  await checkIdentifiers(run);
  return { steps, totalMs: performance.now() - started, counts, check };
}

function scatterFor(n: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let m = Math.max(1, Math.round(n * 0.6180339887));
  while (gcd(m, n) !== 1) m++;
  return m;
}


export function printReport(report: GenerationReport, say: (line: string) => void): void {
  const c = report.check;
  say(`  total ${(report.totalMs / 1000).toFixed(1)} s; rows: ${Object.entries(report.counts).map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(', ')}`);
  say(
    `  ledger check on ${c.customers.toLocaleString('en-US')} balances and ${c.receipts.toLocaleString('en-US')} receipts: ` +
      `balance ≠ Σ entries ${c.balanceNotSumOfEntries}, balance ≠ Σ lots ${c.balanceNotSumOfLots}, receipt ≠ Σ lines ${c.receiptNotSumOfLines}, ` +
      `lot ≠ receipt points ${c.lotNotReceiptPoints}, redeemed ≠ Σ taken ${c.redeemedNotConsumed}` +
      (c.balanceNotSumOfEntries + c.balanceNotSumOfLots + c.receiptNotSumOfLines + c.lotNotReceiptPoints + c.redeemedNotConsumed === 0 ? '  (all hold)' : '  (VIOLATED)'),
  );
}

/** Creates a database on the server, migrates it and fills it; returns its URL. */
export async function createLoyaltyDatabase(
  serverUrl: string,
  options: Partial<LoyaltyDataOptions> & { name?: string },
  log: (line: string) => void = () => undefined,
): Promise<{ name: string; url: string; report: GenerationReport }> {
  const name = options.name ?? `patron_loyalty_${randomBytes(4).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error('--name: lower-case letters, digits and _');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), 1);
  await migrate(database).finally(() => database.close());
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const report = await generateLoyaltyData(pgRunner(client), options, log);
    return { name, url: url.toString(), report };
  } catch (error) {
    await client.end().catch(() => undefined);
    await dropDatabase(serverUrl, name).catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string', default: process.env.DATABASE_URL },
      customers: { type: 'string', default: String(defaultLoyaltyDataOptions.customers) },
      receipts: { type: 'string', default: String(defaultLoyaltyDataOptions.receipts) },
      stores: { type: 'string', default: String(defaultLoyaltyDataOptions.stores) },
      products: { type: 'string', default: String(defaultLoyaltyDataOptions.products) },
      seed: { type: 'string', default: String(defaultLoyaltyDataOptions.seed) },
      days: { type: 'string', default: String(defaultLoyaltyDataOptions.days) },
      'as-of': { type: 'string' },
      name: { type: 'string' },
      drop: { type: 'boolean', default: false },
    },
  });
  const url = values['database-url'];
  if (!url) throw new Error('--database-url postgres://user@host:port/db is required (or DATABASE_URL)');
  const whole = (flag: string, value: string) => {
    const n = Number(value.replaceAll('_', ''));
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} must be a whole number`);
    return n;
  };
  const options: Partial<LoyaltyDataOptions> & { name?: string } = {
    customers: whole('customers', values.customers),
    receipts: whole('receipts', values.receipts),
    stores: whole('stores', values.stores),
    products: whole('products', values.products),
    seed: whole('seed', values.seed),
    days: whole('days', values.days),
    ...(values['as-of'] ? { asOf: new Date(values['as-of']) } : {}),
    ...(values.name ? { name: values.name } : {}),
  };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`Loyalty data: ${options.customers!.toLocaleString('en-US')} customers, ${options.receipts!.toLocaleString('en-US')} receipts (seed ${options.seed})`);
  const created = await createLoyaltyDatabase(url, options, say);
  printReport(created.report, say);
  if (values.drop) {
    await dropDatabase(url, created.name);
    say(`  dropped ${created.name}`);
  } else {
    say(`  kept: ${created.url}   (drop database ${created.name})`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
