import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { CustomerLifecycleHooks } from '../customers/index.ts';
import type { Loyalty } from '../loyalty/index.ts';
import { createHttpClient, type HttpClient } from '../messaging/index.ts';
import type { Db, Tx } from './fiscal-receipts.db.ts';
import type { Ids } from './fiscal-receipts.ids.ts';
import type { FiscalSettingsBody } from './fiscal-types.ts';
import { readSettings, replaceSettings } from './settings.ts';
import { getReceipt, listForCustomer, submitReceipt, type SubmissionEvidence, type SubmitDeps } from './submissions.ts';
import { verifyDue, type VerifyDeps } from './verify.ts';

export { fiscalReceiptsModule } from './fiscal-receipts.module.ts';
export { fiscalReceiptRoutes } from './fiscal-receipts.routes.ts';
export { parseFiscalQr, type FiscalQr } from './qr.ts';
export type { FiscalReceiptView, SubmissionEvidence } from './submissions.ts';
export type { SettingsView as FiscalReceiptSettings } from './settings.ts';

export type FiscalReceiptsDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  customers: { resolveId(id: string): Promise<string> };
  loyalty: Pick<Loyalty, 'points' | 'importHistoricalIn' | 'products' | 'stores'>;
  /** The HTTP client the verification service is asked with (tests may pass their own). */
  http?: (allowPrivateNetwork: boolean) => HttpClient;
};

/**
 * The fiscal-receipts module's public face: a customer's receipt QR submitted (the API, the lead's
 * /me page), verified by a job against the configured service, earned through loyalty once.
 */
export function createFiscalReceipts(deps: FiscalReceiptsDeps, hooks: CustomerLifecycleHooks<Tx>) {
  const { db, clock, ids, loyalty } = deps;
  const submitDeps: SubmitDeps = { db, clock, ids, customers: deps.customers, points: loyalty.points };
  const verifyDeps: VerifyDeps = {
    db,
    clock,
    ids,
    points: loyalty.points,
    http: deps.http ?? ((allowPrivateNetwork) => createHttpClient({ allowPrivateNetwork })),
    importIn: (tx, receipts, options) => loyalty.importHistoricalIn(tx, receipts, options),
    products: (skus) => loyalty.products.details(skus),
  };
  const catalog = {
    storeExists: async (storeId: string) => (await loyalty.stores.get(storeId).catch(() => null)) !== null,
    knownSkus: async (skus: string[]) => new Set((await loyalty.products.names(skus)).keys()),
  };

  // A merge moves the duplicate's submissions to the survivor (pending ones earn there).
  hooks.onMerge.push(async (tx, fromId, intoId) => {
    await tx.updateTable('fiscalReceipts').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
  });
  // An erase keeps the fiscal numbers (a receipt's, not a person's) and the opaque customer id,
  // as loyalty keeps its receipts and ledger; how the customer submitted (address, browser) goes.
  // A pending one is rejected by the job: an erased customer's points cannot change.
  hooks.onErase.push(async (tx, customerIds) => {
    await tx.updateTable('fiscalReceipts').set({ evidence: '{}' }).where('customerId', 'in', customerIds).execute();
  });

  return {
    settings: () => readSettings(db),
    replaceSettings: (input: FiscalSettingsBody & { token?: string | null }, actor: Actor, expectedVersion?: number) => replaceSettings(db, clock, actor, catalog, input, expectedVersion),
    /** A customer's receipt QR, as scanned: answered `pending` (the /me page and POST /v1/customers/{id}/fiscal-receipts). */
    submit: (customerId: string, qr: string, evidence: SubmissionEvidence) => submitReceipt(submitDeps, customerId, qr, evidence),
    get: (id: string) => getReceipt(db, id),
    /** A customer's submissions, newest first; `page` as a list route takes it. */
    listForCustomer: async (customerId: string, page: { limit: number; cursor?: string }) => listForCustomer(db, await deps.customers.resolveId(customerId), page),
    /** The job: due pending receipts to the verification service. */
    verifyDue: (signal?: AbortSignal) => verifyDue(verifyDeps, signal),
  };
}

export type FiscalReceipts = ReturnType<typeof createFiscalReceipts>;
