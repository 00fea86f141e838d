import type { Actor } from '../../platform/actor.ts';
import type { ApiKeys } from '../../platform/api-keys.ts';
import type { Clock } from '../../platform/clock.ts';
import type { StoreOwner } from '../../platform/store-scope.ts';
import type { Loyalty, StoreRateProvider } from '../loyalty/index.ts';
import { createPartnerCache } from './partner-cache.ts';
import { createPartner, getPartner, listPartners, patchPartner, type PartnerInput } from './partner-records.ts';
import { ownDbOrTx, type Db } from './partners.db.ts';
import type { Ids } from './partners.ids.ts';
import type { PartnerStatus } from './partners.tables.ts';
import { buildSettlement, settlementCsv, settlementPeriod } from './settlement.ts';

export { partnersModule } from './partners.module.ts';
export { partnerRoutes } from './partners.routes.ts';
export type { PartnerView } from './partner-records.ts';
export type { SettlementReport } from './settlement.ts';

/** What partners needs of loyalty: the store catalog, the currency and the ledger's points by store (read-only). */
export type PartnersLoyalty = Pick<Loyalty, 'pointsAtStores' | 'config'> & { stores: Pick<Loyalty['stores'], 'list'> };

export type PartnersDeps = { db: Db; clock: Clock; ids: Ids; apiKeys: ApiKeys; loyalty: PartnersLoyalty; cacheMs: number };

/**
 * The partners module's public face: coalition partners with their stores and rates, their
 * API keys, the earning rate at their stores (checkout's store-rate provider), who owns a store
 * (the platform's store scope) and the settlement report.
 */
export function createPartners({ db, clock, ids, apiKeys, loyalty, cacheMs }: PartnersDeps) {
  const cache = createPartnerCache(cacheMs);
  const changed = async <T>(work: Promise<T>): Promise<T> => {
    const result = await work;
    cache.changed();
    return result;
  };
  const unknownStores = async (storeIds: string[]) => {
    const known = new Set((await loyalty.stores.list()).map((store) => store.id));
    return storeIds.filter((id) => !known.has(id));
  };

  /** Checkout asks at every receipt, inside its own transaction: read through it (cached). */
  const storeRates: StoreRateProvider = {
    async rateAt(view, storeId) {
      const partner = (await cache.byStore(ownDbOrTx(view))).get(storeId);
      return partner ? { id: partner.partnerId, name: partner.name, earnRateBp: partner.earnRateBp } : null;
    },
  };

  return {
    storeRates,
    /** The platform's store scope asks who runs a store when a partner key checks out there. */
    ownerOf: async (storeId: string): Promise<StoreOwner> => {
      const partner = (await cache.byStore(db)).get(storeId);
      return partner ? { partnerId: partner.partnerId, active: partner.status === 'active' } : null;
    },
    create: (input: PartnerInput, actor: Actor) => changed(createPartner(db, clock, ids, unknownStores, actor, input)),
    get: (id: string) => getPartner(db, id),
    list: (query: { limit: number; cursor?: string; status?: PartnerStatus; storeId?: string }) => listPartners(db, query),
    patch: (id: string, patch: Record<string, unknown>, actor: Actor, expectedVersion?: number) => changed(patchPartner(db, clock, unknownStores, actor, id, patch, expectedVersion)),
    /** A key of role partner bound to the partner: it checks out and takes returns at the partner's stores only. The secret is shown once. */
    createKey: async (id: string, name: string, actor: Actor) => {
      await getPartner(db, id);
      return apiKeys.create({ name, role: 'partner', source: 'api', partnerId: id }, actor);
    },
    /** The settlement for [from, to] (UTC days, both counted), as JSON and as CSV. */
    settlement: async (id: string, from: string, to: string) => {
      const period = settlementPeriod(from, to);
      const partner = await getPartner(db, id);
      const [rows, config] = await Promise.all([loyalty.pointsAtStores(partner.storeIds, period.start, period.end), loyalty.config()]);
      return buildSettlement(partner, config.program.body.currency, from, to, rows);
    },
    settlementCsv,
  };
}

export type Partners = ReturnType<typeof createPartners>;
