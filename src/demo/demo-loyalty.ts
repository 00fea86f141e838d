import { sql } from 'kysely';
import type { Tx } from '../db/database.ts';
import type { EngineLine } from '../modules/loyalty/calculate.ts';
import { loadLoyaltyConfig, saveLoyaltyConfig } from '../modules/loyalty/config-store.ts';
import type { EarningRuleSet, TierConfig } from '../modules/loyalty/config-types.ts';
import { insertHistoricalReceipts, type HistoricalReceipt } from '../modules/loyalty/historical-receipts.ts';
import { systemActor } from '../platform/actor.ts';
import type { Clock } from '../platform/clock.ts';
import type { Ids } from '../platform/ids.ts';
import { seededRandom } from './random.ts';

const stores = [
  { id: 'msk-01', name: 'Moscow, Tverskaya', region: 'Moscow', timezone: 'Europe/Moscow' },
  { id: 'spb-01', name: 'Saint Petersburg, Nevsky', region: 'North-West', timezone: 'Europe/Moscow' },
  { id: 'ekb-01', name: 'Yekaterinburg, Lenina', region: 'Ural', timezone: 'Asia/Yekaterinburg' },
  { id: 'web', name: 'Online shop', region: null, timezone: 'Europe/Moscow' },
];

const products: Array<{ sku: string; name: string; path: string[]; brand: string; price: number }> = [
  { sku: 'COF-ARABICA-1KG', name: 'Arabica beans 1 kg', path: ['grocery', 'coffee'], brand: 'Roastery', price: 149000 },
  { sku: 'COF-ESPRESSO-250', name: 'Espresso blend 250 g', path: ['grocery', 'coffee'], brand: 'Roastery', price: 54900 },
  { sku: 'COF-CAPSULES-10', name: 'Coffee capsules ×10', path: ['grocery', 'coffee'], brand: 'Capsula', price: 39900 },
  { sku: 'TEA-GREEN-100', name: 'Green tea 100 g', path: ['grocery', 'tea'], brand: 'Leaf', price: 29900 },
  { sku: 'BRD-RYE', name: 'Rye bread', path: ['grocery', 'bakery'], brand: 'Bakery No. 1', price: 7990 },
  { sku: 'BRD-CROISSANT', name: 'Croissant', path: ['grocery', 'bakery'], brand: 'Bakery No. 1', price: 8990 },
  { sku: 'DRY-MILK-1L', name: 'Milk 3.2% 1 l', path: ['grocery', 'dairy'], brand: 'Farm', price: 9990 },
  { sku: 'DRY-CHEESE-KG', name: 'Gouda cheese (by weight)', path: ['grocery', 'dairy'], brand: 'Farm', price: 89900 },
  { sku: 'FRU-APPLES-KG', name: 'Apples (by weight)', path: ['grocery', 'fruit'], brand: 'Orchard', price: 14900 },
  { sku: 'CHO-DARK-100', name: 'Dark chocolate 100 g', path: ['grocery', 'sweets'], brand: 'Cacao', price: 19900 },
  { sku: 'HOM-MUG', name: 'Ceramic mug', path: ['home', 'kitchen'], brand: 'Clay', price: 69900 },
  { sku: 'HOM-GRINDER', name: 'Coffee grinder', path: ['home', 'kitchen'], brand: 'Grindex', price: 459000 },
  { sku: 'TOB-CIGS', name: 'Cigarettes', path: ['tobacco'], brand: 'Tobacco Co', price: 25000 },
];

const demoRules: EarningRuleSet = {
  rules: [
    { id: 'base', name: 'Base rate 5%', kind: 'percent', rateBp: 500, conditions: {}, priority: 0, stacking: 'highest', active: true },
    { id: 'coffee-x2', name: 'Coffee ×2', kind: 'multiplier', factor: 2, conditions: { categories: ['coffee'] }, priority: 10, stacking: 'highest', active: true },
    { id: 'weekend-online', name: 'Online at weekends +2%', kind: 'percent', rateBp: 200, conditions: { channels: ['online'], weekdays: [6, 7] }, priority: 0, stacking: 'sum', active: true },
    { id: 'big-basket', name: '100 points over 5,000', kind: 'per_receipt', points: 100, conditions: { minReceiptTotal: 500000 }, priority: 0, stacking: 'sum', active: true },
  ],
};

const demoTiers: TierConfig = {
  metric: 'spend',
  window: { kind: 'rolling', days: 365 },
  downgrade: 'one_level',
  tiers: [
    { id: 'silver', name: 'Silver', threshold: 0, privileges: [] },
    { id: 'gold', name: 'Gold', threshold: 3_000_000, earnRateBp: 700, privileges: ['free delivery'] },
    { id: 'platinum', name: 'Platinum', threshold: 8_000_000, earnRateBp: 1000, maxRedeemShareBp: 5000, privileges: ['free delivery', 'personal manager'] },
  ],
};

/**
 * Stores, products, the demo program (only where none was configured yet) and a year of
 * receipts: demo customers shop 0–40 times, and a third of receipts are anonymous, so the
 * recognition rate at the till is not 100%.
 */
export async function loadDemoLoyalty(tx: Tx, clock: Clock, ids: Ids, seed = 2026): Promise<{ receipts: number }> {
  const now = clock.now();
  await sql`insert into stores (id, name, region, timezone, active, created_at, updated_at)
    select id, name, region, timezone, true, ${now}, ${now}
    from unnest(${stores.map((s) => s.id)}::text[], ${stores.map((s) => s.name)}::text[], ${stores.map((s) => s.region)}::text[], ${stores.map((s) => s.timezone)}::text[])
      as t(id, name, region, timezone)
    on conflict (id) do nothing`.execute(tx);
  await sql`insert into products (sku, name, category_path, brand, attributes, created_at, updated_at)
    select sku, name, string_to_array(path, '/'), brand, '{}'::jsonb, ${now}, ${now}
    from unnest(${products.map((p) => p.sku)}::text[], ${products.map((p) => p.name)}::text[], ${products.map((p) => p.path.join('/'))}::text[], ${products.map((p) => p.brand)}::text[])
      as t(sku, name, path, brand)
    on conflict (sku) do nothing`.execute(tx);
  const current = await loadLoyaltyConfig(tx);
  if (current.rules.version === 0) await saveLoyaltyConfig(tx, clock, systemActor, 'earning_rules', demoRules);
  if (current.tiers.version === 0) await saveLoyaltyConfig(tx, clock, systemActor, 'tiers', demoTiers);
  const config = await loadLoyaltyConfig(tx);

  const customers = (
    await sql<{ customerId: string }>`select customer_id from customer_identifiers where kind = 'card' and value like '7770%' order by value`.execute(tx)
  ).rows.map((row) => row.customerId);
  const random = seededRandom(seed);
  const receipts: HistoricalReceipt[] = [];
  const basket = (): EngineLine[] =>
    Array.from({ length: 1 + Math.floor(random() * 5) }, () => {
      const product = products[Math.floor(random() * products.length)]!;
      const weighed = product.sku.endsWith('-KG');
      return {
        sku: product.sku,
        name: product.name,
        categories: product.path,
        brand: product.brand,
        qtyMilli: weighed ? 200 + Math.floor(random() * 1300) : 1000 * (1 + Math.floor(random() * 2)),
        priceMinor: product.price,
        discountMinor: 0,
      };
    });
  const when = () => {
    const day = new Date(now.getTime() - Math.floor(random() * 365) * 86_400_000);
    return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 6 + Math.floor(random() * 12), Math.floor(random() * 60)));
  };
  let number = 0;
  const add = (customerId: string | null) => {
    const store = stores[Math.floor(random() * stores.length)]!;
    receipts.push({
      storeId: store.id,
      posReceiptId: `DEMO-${String(++number).padStart(6, '0')}`,
      occurredAt: when(),
      channel: store.id === 'web' ? 'online' : 'offline',
      registerId: store.id === 'web' ? null : `${store.id}-R${1 + Math.floor(random() * 3)}`,
      customerId,
      lines: basket(),
    });
  };
  for (const customerId of customers) {
    const visits = Math.floor(random() ** 2 * 40);
    for (let i = 0; i < visits; i++) add(customerId);
  }
  const anonymous = Math.round(receipts.length / 2);
  for (let i = 0; i < anonymous; i++) add(null);
  receipts.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const timezones = new Map(stores.map((s) => [s.id, s.timezone]));
  for (let i = 0; i < receipts.length; i += 1000) {
    await insertHistoricalReceipts(tx, clock, ids, config, timezones, receipts.slice(i, i + 1000), true);
  }
  return { receipts: receipts.length };
}
