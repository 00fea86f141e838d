import { once } from 'node:events';
import fs from 'node:fs';
import { customerIdentifiers } from './loyalty-catalog.ts';
import { createRng } from './rng.ts';

/**
 * Historical receipts as a retailer's export would give them to POST /v1/receipts/bulk: NDJSON,
 * one confirm-like body a line with its `occurredAt`, oldest first. 30 % are anonymous; the
 * rest name customer k of the loyalty generator (bench/generate/loyalty-data.ts) by phone as
 * a cashier types it or by card, the busiest customers far more often. Baskets have 1–20
 * lines (mean 4), popular products far more often, goods by weight with three decimals, and a
 * POS discount on about one line in eight. A seed and the sizes always give the same bytes.
 */
export type ReceiptsNdjsonOptions = {
  receipts: number;
  /** Customers 0 … customers − 1 exist in the target database. */
  customers: number;
  stores: readonly string[];
  products: ReadonlyArray<{ sku: string; price: number; weighed: boolean }>;
  /** The receipts fall in the `days` days before this instant. */
  asOf: Date;
  days?: number;
  seed?: number;
  anonymousShare?: number;
  /** posReceiptIds are this and the receipt's number. */
  idPrefix?: string;
};

type Line = { sku: string; qty: number; price: number; discount?: number };

export async function writeReceiptsNdjson(file: string, options: ReceiptsNdjsonOptions): Promise<{ receipts: number; lines: number; bytes: number }> {
  if (options.stores.length === 0 || options.products.length === 0) throw new Error('receipts need stores and products');
  const rng = createRng(options.seed ?? 1);
  const days = options.days ?? 365;
  const from = options.asOf.getTime() - days * 86_400_000;
  const step = (days * 86_400_000) / Math.max(1, options.receipts);
  const anonymous = options.anonymousShare ?? 0.3;
  const prefix = options.idPrefix ?? 'H';
  const out = fs.createWriteStream(file);
  let bytes = 0;
  let lines = 0;
  let chunk = '';
  for (let i = 0; i < options.receipts; i++) {
    const storeId = options.stores[Math.floor(options.stores.length * rng.next() ** 1.5)]!;
    const count = Math.min(20, 1 + Math.floor(Math.log(1 - rng.next()) / Math.log(0.75)));
    const basket: Line[] = [];
    for (let j = 0; j < count; j++) {
      const product = options.products[Math.floor(options.products.length * rng.next() ** 2.2)]!;
      const qty = product.weighed ? rng.int(200, 1_500) / 1000 : rng.chance(0.85) ? 1 : 2;
      const line: Line = { sku: product.sku, qty, price: product.price };
      if (rng.chance(0.12)) line.discount = Math.floor((Math.round(qty * product.price) * rng.int(5, 30)) / 100);
      basket.push(line);
    }
    const receipt: Record<string, unknown> = {
      storeId,
      posReceiptId: `${prefix}${i + 1}`,
      registerId: `${storeId}-R${1 + (i % 6)}`,
      occurredAt: new Date(Math.floor(from + i * step + rng.next() * step)).toISOString(),
      lines: basket,
    };
    if (!rng.chance(anonymous)) {
      const k = Math.floor(options.customers * rng.next() ** 2);
      const ids = customerIdentifiers(k);
      receipt.customer = rng.chance(0.5) ? { phone: ids.phone } : { card: ids.card };
    }
    lines += count;
    chunk += `${JSON.stringify(receipt)}\n`;
    if (chunk.length >= 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return { receipts: options.receipts, lines, bytes };
}
