import type { EarningRuleSet, EngineLine, HistoricalReceipt, Loyalty, TierConfig } from '../modules/loyalty/index.ts';
import { systemActor } from '../platform/actor.ts';
import type { Clock } from '../platform/clock.ts';
import { seededRandom } from '../platform/seeded-random.ts';

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

/** SKUs already in the catalog: the demo leaves an existing product (or store) as it is. */
async function catalogSkus(loyalty: Loyalty): Promise<Set<string>> {
  const skus = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await loyalty.products.list(500, cursor);
    for (const product of page.items) skus.add(product.sku);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return skus;
}

/**
 * Stores, products, the demo program (only where none was configured yet) and a year of
 * receipts for `customers` (the demo customers, in card order): they shop 0–40 times, and a
 * third of receipts are anonymous, so the recognition rate at the till is not 100%. Goes through
 * the loyalty module's services only; every step leaves what is already there, so a run that
 * stopped half-way can be run again.
 */
export async function loadDemoLoyalty(loyalty: Loyalty, clock: Clock, customers: string[], seed = 2026): Promise<{ receipts: number }> {
  const now = clock.now();
  const storeIds = new Set((await loyalty.stores.list()).map((store) => store.id));
  const newStores = stores.filter((store) => !storeIds.has(store.id));
  if (newStores.length > 0) await loyalty.stores.upsert(newStores, systemActor);
  const skus = await catalogSkus(loyalty);
  const newProducts = products.filter((product) => !skus.has(product.sku));
  if (newProducts.length > 0) {
    await loyalty.products.upsert(newProducts.map((p) => ({ sku: p.sku, name: p.name, categoryPath: p.path, brand: p.brand })), systemActor);
  }
  const current = await loyalty.config();
  if (current.rules.version === 0) await loyalty.saveRules(demoRules, systemActor);
  if (current.tiers.version === 0) await loyalty.saveTiers(demoTiers, systemActor);

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
  customers.forEach((customerId, index) => {
    const drawn = Math.floor(random() ** 2 * 40);
    // Card 7770000001 (the second customer: cards count from 7770000000) is the one the README
    // and docs examples use: 16 visits make a Gold regular (about 48,000 ₽ spent in the year,
    // Gold from 30,000, Platinum from 80,000) with some 3,000 points, so the examples' redemptions
    // and the balance with its tier progress work as written. src/demo/demo-data.test.ts checks it.
    const visits = index === 1 ? 16 : drawn;
    for (let i = 0; i < visits; i++) add(customerId);
  });
  const anonymous = Math.round(receipts.length / 2);
  for (let i = 0; i < anonymous; i++) add(null);
  receipts.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  // Receipts already loaded (same store and POS receipt id) are skipped, so a rerun adds nothing.
  for (let i = 0; i < receipts.length; i += 1000) {
    await loyalty.importHistorical(receipts.slice(i, i + 1000), { earn: true, pendingFrom: 'purchase' });
  }
  return { receipts: receipts.length };
}
