import { sql, type Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { Db, DbOrTx, Tx } from './partners.db.ts';
import { partnerError } from './partners.errors.ts';
import type { Ids } from './partners.ids.ts';
import { PartnerCreate } from './partners.schemas.ts';
import type { PartnersTable, PartnerStatus } from './partners.tables.ts';

/** What a person writes: a partner without its id, version and times. */
export type PartnerInput = {
  name: string;
  status?: PartnerStatus;
  storeIds?: string[];
  earnRateBp: number;
  issuedPer100PointsMinor: number;
  redeemedPer100PointsMinor: number;
};

export type PartnerView = Required<PartnerInput> & { id: string; version: number; createdAt: string; updatedAt: string };

type Row = Selectable<PartnersTable> & { storeIds: string[] };

function toView(row: Row): PartnerView {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    storeIds: row.storeIds,
    earnRateBp: row.earnRateBp,
    issuedPer100PointsMinor: Number(row.issuedRateMinor),
    redeemedPer100PointsMinor: Number(row.redeemedRateMinor),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const notFound = (id: string) => partnerError('partner.not_found', `No partner ${id}; GET /v1/partners lists them`);

/** Partners with their stores (sorted), one statement. */
function selectPartners(db: DbOrTx) {
  return db
    .selectFrom('partners as p')
    .selectAll('p')
    .select(sql<string[]>`coalesce((select array_agg(s.store_id order by s.store_id collate "C") from partner_stores s where s.partner_id = p.id), '{}')`.as('storeIds'));
}

/** Who owns each store: what checkout and the scope check read (through the cache). */
export async function storeOwners(db: DbOrTx): Promise<Array<{ storeId: string; partnerId: string; name: string; status: PartnerStatus; earnRateBp: number }>> {
  return db
    .selectFrom('partnerStores as s')
    .innerJoin('partners as p', 'p.id', 's.partnerId')
    .select(['s.storeId', 's.partnerId', 'p.name', 'p.status', 'p.earnRateBp'])
    .execute();
}

export async function getPartner(db: DbOrTx, id: string): Promise<PartnerView> {
  const row = await selectPartners(db).where('p.id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  return toView(row);
}

/** Oldest first (ids are UUIDv7); filters: status, and the partner of one store. */
export async function listPartners(db: DbOrTx, query: { limit: number; cursor?: string; status?: PartnerStatus; storeId?: string }): Promise<Page<PartnerView>> {
  const after = decodeCursor(query.cursor, isIdKey('prt'));
  let select = selectPartners(db).orderBy('p.id').limit(query.limit + 1);
  if (after !== undefined) select = select.where('p.id', '>', after);
  if (query.status) select = select.where('p.status', '=', query.status);
  if (query.storeId) {
    const storeId = query.storeId;
    select = select.where((eb) => eb.exists(eb.selectFrom('partnerStores as s').select('s.storeId').whereRef('s.partnerId', '=', 'p.id').where('s.storeId', '=', storeId)));
  }
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return { items: page.items.map(toView), nextCursor: page.nextCursor };
}

/**
 * Makes the partner's stores exactly `storeIds`. A store of another partner is refused by the
 * primary key of partner_stores (one owner per store, whoever writes): the insert skips it and
 * the refusal names its owner. Unknown stores were refused before (and the foreign key holds).
 */
async function setStores(tx: Tx, partnerId: string, storeIds: string[], now: Date): Promise<void> {
  await tx.deleteFrom('partnerStores').where('partnerId', '=', partnerId).$if(storeIds.length > 0, (q) => q.where('storeId', 'not in', storeIds)).execute();
  if (storeIds.length === 0) return;
  await tx
    .insertInto('partnerStores')
    // In one order, so two partners claiming overlapping stores wait for each other rather than deadlock.
    .values([...storeIds].sort().map((storeId) => ({ storeId, partnerId, addedAt: now })))
    .onConflict((oc) => oc.column('storeId').doNothing())
    .execute();
  const taken = await tx.selectFrom('partnerStores').select(['storeId', 'partnerId']).where('storeId', 'in', storeIds).where('partnerId', '<>', partnerId).orderBy('storeId').execute();
  if (taken.length > 0) {
    throw partnerError(
      'partner.store_taken',
      `storeIds: ${taken.map((t) => `${t.storeId} belongs to partner ${t.partnerId}`).join('; ')}; take it off that partner first (a store belongs to at most one partner)`,
      taken.map((t) => ({ field: 'storeIds', reason: `${t.storeId} belongs to partner ${t.partnerId}` })),
    );
  }
}

export type StoreCatalog = (storeIds: string[]) => Promise<string[]>;

/** Stores of `storeIds` the catalog does not have, refused in plain words. */
async function refuseUnknownStores(unknownOf: StoreCatalog, storeIds: string[]): Promise<void> {
  const unknown = storeIds.length === 0 ? [] : await unknownOf(storeIds);
  if (unknown.length > 0) {
    throw partnerError(
      'partner.unknown_store',
      `storeIds: ${unknown.slice(0, 20).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the store catalog; create stores with PUT /v1/stores/{id}`,
      unknown.slice(0, 50).map((id) => ({ field: 'storeIds', reason: `${id} is not in the store catalog` })),
    );
  }
}

export async function createPartner(db: Db, clock: Clock, ids: Ids, unknownOf: StoreCatalog, actor: Actor, input: PartnerInput): Promise<PartnerView> {
  const storeIds = input.storeIds ?? [];
  await refuseUnknownStores(unknownOf, storeIds);
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const id = ids.next('prt');
    await tx
      .insertInto('partners')
      .values({
        id,
        name: input.name,
        status: input.status ?? 'active',
        earnRateBp: input.earnRateBp,
        issuedRateMinor: input.issuedPer100PointsMinor,
        redeemedRateMinor: input.redeemedPer100PointsMinor,
        createdAt: now,
        updatedAt: now,
      })
      .execute();
    await setStores(tx, id, storeIds, now);
    const view = await getPartner(tx, id);
    await writeAudit(tx, clock, actor, { action: 'partner.create', entityType: 'partner', entityId: id, details: auditDetails(view) });
    return view;
  });
}

function auditDetails(view: PartnerView): Record<string, unknown> {
  const { id: _id, createdAt: _created, updatedAt: _updated, ...rest } = view;
  return rest;
}

const inputOf = (view: PartnerView): PartnerInput => {
  const { id: _id, version: _version, createdAt: _created, updatedAt: _updated, ...input } = view;
  return input;
};

/**
 * PATCH: a merge patch of the partner (storeIds replaces the list), checked whole once merged,
 * under the partner's row lock; `expectedVersion` is the version the caller read. An empty or
 * unchanged patch saves nothing.
 */
export async function patchPartner(
  db: Db,
  clock: Clock,
  unknownOf: StoreCatalog,
  actor: Actor,
  id: string,
  patch: Record<string, unknown>,
  expectedVersion?: number,
): Promise<PartnerView> {
  const patchedStores = Array.isArray(patch.storeIds) ? (patch.storeIds as string[]) : [];
  await refuseUnknownStores(unknownOf, patchedStores);
  return db.transaction().execute(async (tx) => {
    const locked = await tx.selectFrom('partners').select(['id', 'version']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!locked) throw notFound(id);
    if (expectedVersion !== undefined && expectedVersion !== locked.version) {
      throw partnerError(
        'partner.version_conflict',
        `version: you read version ${expectedVersion}, but version ${locked.version} was saved since; read it again and repeat your change`,
        [{ field: 'version', reason: `is ${expectedVersion}; the current version is ${locked.version}` }],
      );
    }
    const current = await getPartner(tx, id);
    const merged = checkMerged<PartnerInput>(PartnerCreate, applyMergePatch(inputOf(current), patch));
    // A member the patch removed (null) takes its default, as on create.
    const next: Required<PartnerInput> = {
      name: merged.name,
      status: merged.status ?? 'active',
      storeIds: [...(merged.storeIds ?? [])].sort(),
      earnRateBp: merged.earnRateBp,
      issuedPer100PointsMinor: merged.issuedPer100PointsMinor,
      redeemedPer100PointsMinor: merged.redeemedPer100PointsMinor,
    };
    if (JSON.stringify(next) === JSON.stringify(inputOf(current))) return current;
    const now = clock.now();
    await tx
      .updateTable('partners')
      .set({
        name: next.name,
        status: next.status,
        earnRateBp: next.earnRateBp,
        issuedRateMinor: next.issuedPer100PointsMinor,
        redeemedRateMinor: next.redeemedPer100PointsMinor,
        version: locked.version + 1,
        updatedAt: now,
      })
      .where('id', '=', id)
      .execute();
    await setStores(tx, id, next.storeIds, now);
    const saved = await getPartner(tx, id);
    await writeAudit(tx, clock, actor, { action: 'partner.update', entityType: 'partner', entityId: id, details: auditDetails(saved) });
    return saved;
  });
}
