import { buildApp } from '../../src/app.ts';
import type { Database } from '../../src/db/database.ts';
import type { CheckoutInput, ConfirmInput } from '../../src/modules/loyalty/checkout.ts';
import { defaultTierConfig, type EarningRuleSet, type TierConfig } from '../../src/modules/loyalty/config-types.ts';
import { systemActor, type Actor } from '../../src/platform/actor.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { uuidV7Ids } from '../../src/platform/ids.ts';
import type { SqlRunner } from '../generate/loyalty-data.ts';
import { createRng, type Rng } from '../generate/rng.ts';
import { latencies, type Latencies } from './http-load.ts';
import { queryTimer, type QueryStats } from './query-timer.ts';

/**
 * What the checkout benchmark sends: ten earning rules and three tiers, customers and
 * products drawn from the generated data, receipt bodies as a till would send them; and an
 * in-process run that times every SQL statement of calculate and confirm.
 */
export const benchRules: EarningRuleSet = {
  rules: [
    { id: 'base', name: 'Base rate 5%', kind: 'percent', rateBp: 500, conditions: {}, priority: 0, stacking: 'highest', active: true },
    { id: 'coffee-x3', name: 'Coffee ×3', kind: 'multiplier', factor: 3, conditions: { categories: ['coffee'] }, priority: 10, stacking: 'highest', active: true },
    { id: 'tea-x2', name: 'Tea ×2', kind: 'multiplier', factor: 2, conditions: { categories: ['tea'] }, priority: 5, stacking: 'highest', active: true },
    { id: 'roastery-10', name: 'Roastery 10%', kind: 'percent', rateBp: 1000, conditions: { brands: ['Roastery'] }, priority: 5, stacking: 'highest', active: true },
    {
      id: 'weekday-morning',
      name: '+2% weekday mornings',
      kind: 'percent',
      rateBp: 200,
      conditions: { weekdays: [1, 2, 3, 4, 5], timeFrom: '08:00', timeTo: '11:00' },
      priority: 0,
      stacking: 'sum',
      active: true,
    },
    { id: 'weekend', name: '+1% at weekends', kind: 'percent', rateBp: 100, conditions: { weekdays: [6, 7] }, priority: 0, stacking: 'sum', active: true },
    { id: 'snacks-per-item', name: '10 points a snack', kind: 'per_item', points: 10, conditions: { categories: ['snacks'] }, priority: 0, stacking: 'sum', active: true },
    { id: 'big-basket', name: '100 points over 3,000', kind: 'per_receipt', points: 100, conditions: { minReceiptTotal: 300_000 }, priority: 0, stacking: 'sum', active: true },
    {
      id: 'dairy-basket',
      name: '50 points for 500 of dairy',
      kind: 'per_receipt',
      points: 50,
      conditions: { categories: ['dairy'], minReceiptTotal: 50_000 },
      priority: 0,
      stacking: 'sum',
      active: true,
    },
    {
      id: 'first-stores',
      name: '+1% in the first ten stores',
      kind: 'percent',
      rateBp: 100,
      conditions: { stores: Array.from({ length: 10 }, (_, i) => `st-${String(i + 1).padStart(3, '0')}`) },
      priority: 0,
      stacking: 'sum',
      active: true,
    },
  ],
};

export const benchTiers: TierConfig = {
  metric: 'spend',
  window: { kind: 'rolling', days: 365 },
  downgrade: 'one_level',
  tiers: [
    { id: 'silver', name: 'Silver', threshold: 0, privileges: [] },
    { id: 'gold', name: 'Gold', threshold: 3_000_000, earnRateBp: 700, privileges: ['free delivery'] },
    { id: 'platinum', name: 'Platinum', threshold: 8_000_000, earnRateBp: 1000, maxRedeemShareBp: 5000, privileges: ['free delivery', 'personal manager'] },
  ],
};

/** Every customer with receipts gets the tier their spend over the window earns, as after a tier review. */
export async function assignTiers(run: SqlRunner, config: TierConfig = benchTiers): Promise<number> {
  const days = config.window.kind === 'rolling' ? config.window.days : 365;
  const tiers = [...config.tiers].reverse();
  const tier = `case ${tiers.map((t) => `when spend >= ${t.threshold} then '${t.id}'`).join(' ')} end`;
  const result = await run(`insert into customer_tiers (customer_id, tier_id, since, reviewed_at)
    select customer_id, ${tier}, now(), now()
    from (select customer_id, sum(paid_minor - refunded_minor) as spend from receipts
          where customer_id is not null and status = 'confirmed' and occurred_at >= now() - interval '${days} days' group by customer_id) s
    on conflict (customer_id) do nothing`);
  return result.count;
}

/**
 * The server runs its point and tier jobs once at start-up; with several tiers the tier review
 * walks every customer (minutes at a million). A database left with the benchmark's tiers by an
 * earlier run gets the single default tier back first, so start-up stays quiet; the benchmark
 * puts its tiers once the server has settled.
 */
export async function resetTiers(run: SqlRunner): Promise<boolean> {
  const current = (await run(`select body from loyalty_config where kind = 'tiers' order by version desc limit 1`)).rows[0];
  const body = (typeof current?.body === 'string' ? JSON.parse(current.body) : current?.body) as TierConfig | undefined;
  if (!body || body.tiers.length < 2) return false;
  await run(`insert into loyalty_config (kind, version, body, created_at, created_by)
    select 'tiers', max(version) + 1, '${JSON.stringify(defaultTierConfig).replaceAll("'", "''")}'::jsonb, now(), 'bench' from loyalty_config where kind = 'tiers'`);
  return true;
}

export type SampleCustomer = { phone: string; card: string; available: number; reserved: number };
export type SampleProduct = { sku: string; price: number; weighed: boolean };
export type Workload = { customers: SampleCustomer[]; products: SampleProduct[]; stores: string[] };

/** Customers drawn in proportion to how often they shop (a sample of receipts), with their balances. */
export async function loadWorkload(run: SqlRunner, wanted = 20_000): Promise<Workload> {
  const receipts = Number((await run(`select reltuples::bigint as n from pg_class where relname = 'receipts'`)).rows[0]?.n ?? 0);
  const share = Math.min(100, (100 * wanted * 1.6) / Math.max(1, receipts));
  const customers = (
    await run(`with s as (select distinct customer_id from receipts tablesample system (${share}) repeatable (11) where customer_id is not null)
      select max(i.value) filter (where i.kind = 'phone') as phone, max(i.value) filter (where i.kind = 'card') as card, coalesce(max(b.available), 0) as available
      from s join customer_identifiers i on i.customer_id = s.customer_id left join point_balances b on b.customer_id = s.customer_id
      group by s.customer_id order by s.customer_id limit ${wanted}`)
  ).rows.map((row) => {
    const digits = String(row.phone).slice(2);
    return {
      // As a cashier types it; the server normalises it to +7….
      phone: `8 (${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6, 8)}-${digits.slice(8)}`,
      card: String(row.card),
      available: Number(row.available),
      reserved: 0,
    };
  });
  const products = (await run(`select sku, attributes from products order by sku`)).rows.map((row) => {
    const attributes = (typeof row.attributes === 'string' ? JSON.parse(row.attributes) : row.attributes) as { price?: number; weighed?: boolean };
    return { sku: String(row.sku), price: Number(attributes.price ?? 9_990), weighed: Boolean(attributes.weighed) };
  });
  const stores = (await run(`select id from stores where id <> 'web' order by id`)).rows.map((row) => String(row.id));
  if (customers.length === 0 || products.length === 0 || stores.length === 0) throw new Error('the database holds no customers, products or stores: generate data first');
  return { customers, products, stores };
}

/** A ten-line receipt for a known customer, named by phone or by card as tills do. */
export function receiptFor(rng: Rng, workload: Workload, customer: SampleCustomer, lines = 10): CheckoutInput {
  return {
    storeId: rng.pick(workload.stores),
    customer: rng.chance(0.5) ? { phone: customer.phone } : { card: customer.card },
    lines: Array.from({ length: lines }, () => {
      const product = rng.pick(workload.products);
      const qty = product.weighed ? rng.int(200, 1_500) / 1000 : rng.chance(0.85) ? 1 : 2;
      return { sku: product.sku, qty, price: product.price };
    }),
  };
}

/** Calculate bodies, made ahead so the load generator spends its time sending. */
export function calculateBodies(workload: Workload, count: number, seed = 5): string[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => JSON.stringify(receiptFor(rng, workload, rng.pick(workload.customers))));
}

/**
 * Confirms with unique POS receipt ids; about one in five pays with points. The points asked
 * are reserved until the answer comes, so concurrent confirms of one customer never ask for
 * more than the balance (which the server would refuse with 409).
 */
export function confirmSource(workload: Workload, runId: string, redeemShare = 0.2, seed = 9) {
  const rng = createRng(seed);
  let counter = 0;
  return {
    next(): { input: ConfirmInput; customer: SampleCustomer; asked: number } {
      const customer = rng.pick(workload.customers);
      const receipt = receiptFor(rng, workload, customer);
      const free = customer.available - customer.reserved;
      const asked = rng.chance(redeemShare) && free >= 10 ? Math.max(1, Math.floor(free / 3)) : 0;
      customer.reserved += asked;
      const input: ConfirmInput = { ...receipt, posReceiptId: `${runId}-${++counter}`, registerId: `${receipt.storeId}-R9`, ...(asked > 0 ? { redeemPoints: asked } : {}) };
      return { input, customer, asked };
    },
    /** Releases the reservation and takes what was actually redeemed off the balance. */
    settle(customer: SampleCustomer, asked: number, redeemed: number): void {
      customer.reserved -= asked;
      customer.available -= redeemed;
    },
  };
}

export type StatementRow = { label: string; perOp: number; msPerOp: number };
export type PhaseTiming = { name: string; ops: number; wall: Latencies; cpuMsPerOp: number; sqlMsPerOp: number; statementsPerOp: number; statements: StatementRow[] };

function diff(after: QueryStats, before: Map<string, { count: number; ms: number }>, ops: number): StatementRow[] {
  return [...after]
    .map(([label, stat]) => {
      const was = before.get(label) ?? { count: 0, ms: 0 };
      return { label, perOp: (stat.count - was.count) / ops, msPerOp: (stat.ms - was.ms) / ops };
    })
    .filter((row) => row.perOp > 0)
    .sort((a, b) => b.msPerOp - a.msPerOp);
}

/**
 * Calculate and confirm one at a time in this process, wired as src/app.ts wires them, with
 * every SQL statement timed (bench/query-timer.ts): by service call, and through the HTTP
 * layer with app.inject (no socket). What is not SQL is JavaScript, BEGIN/COMMIT and the pool.
 */
export async function timeCheckoutInProcess(database: Database, workload: Workload, options: { count: number; dataDir: string }): Promise<PhaseTiming[]> {
  const timer = queryTimer();
  const { app, services } = await buildApp({
    database: { ...database, db: database.db.withPlugin(timer.plugin) },
    clock: systemClock,
    ids: uuidV7Ids,
    config: { dataDir: options.dataDir, defaultPhoneRegion: 'RU', bodyLimitBytes: 1 << 20, importLimitBytes: 1 << 30, logLevel: 'warn' },
    logger: false,
  });
  try {
    await app.ready();
    const { secret, key } = await services.apiKeys.create({ name: 'bench in-process', role: 'pos', source: 'cli' }, systemActor);
    const actor: Actor = { keyId: key.id, name: key.name, role: 'pos' };
    const rng = createRng(17);
    const source = confirmSource(workload, `inproc-${Date.now().toString(36)}`, 0.2, 23);
    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
    const phases: Array<{ name: string; run: () => Promise<void> }> = [
      { name: 'calculate, service call', run: async () => void (await services.loyalty.calculate(receiptFor(rng, workload, rng.pick(workload.customers)))) },
      {
        name: 'calculate, HTTP in-process (inject)',
        run: async () => {
          const reply = await app.inject({ method: 'POST', url: '/v1/checkout/calculate', headers, payload: JSON.stringify(receiptFor(rng, workload, rng.pick(workload.customers))) });
          if (reply.statusCode !== 200) throw new Error(`calculate: ${reply.statusCode} ${reply.body}`);
        },
      },
      {
        name: 'confirm, service call',
        run: async () => {
          const { input, customer, asked } = source.next();
          const { result } = await services.loyalty.confirm(input, actor);
          source.settle(customer, asked, result.pointsRedeemed);
        },
      },
      {
        name: 'confirm, HTTP in-process (inject)',
        run: async () => {
          const { input, customer, asked } = source.next();
          const reply = await app.inject({ method: 'POST', url: '/v1/checkout/confirm', headers, payload: JSON.stringify(input) });
          if (reply.statusCode !== 201) throw new Error(`confirm: ${reply.statusCode} ${reply.body}`);
          source.settle(customer, asked, (JSON.parse(reply.body) as { pointsRedeemed: number }).pointsRedeemed);
        },
      },
    ];
    const results: PhaseTiming[] = [];
    for (const phase of phases) {
      for (let i = 0; i < Math.min(50, options.count); i++) await phase.run();
      const before = new Map([...timer.stats].map(([label, stat]) => [label, { ...stat }]));
      const sqlBefore = timer.totalMs();
      const cpuBefore = process.cpuUsage();
      const wall: number[] = [];
      for (let i = 0; i < options.count; i++) {
        const at = performance.now();
        await phase.run();
        wall.push(performance.now() - at);
      }
      const cpu = process.cpuUsage(cpuBefore);
      const statements = diff(timer.stats, before, options.count);
      results.push({
        name: phase.name,
        ops: options.count,
        wall: latencies(wall),
        cpuMsPerOp: (cpu.user + cpu.system) / 1000 / options.count,
        sqlMsPerOp: (timer.totalMs() - sqlBefore) / options.count,
        statementsPerOp: statements.reduce((sum, s) => sum + s.perOp, 0),
        statements,
      });
    }
    return results;
  } finally {
    await app.close();
  }
}
