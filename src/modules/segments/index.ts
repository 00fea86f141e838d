import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { neutraliseCell } from '../../platform/csv-cells.ts';
import type { AnyDb } from '../../platform/db-views.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { decodeCursor, pageOf, type Page } from '../../platform/pagination.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import { existsSql, operatorsByKind, type SegmentField } from '../../platform/segment-fields.ts';
import type { Customers } from '../customers/index.ts';
import type { MembershipProvider, PurchaseFacts } from '../loyalty/index.ts';
import { updateLiveMembership } from './live.ts';
import { matchingQuery, namedSegmentsOf, prepareFields, segmentsOfCustomer, type Compiler, type Population } from './membership.ts';
import { createRecomputes } from './recompute.ts';
import { createRfm, rfmSegmentFields } from './rfm.ts';
import { conditionsOf, type RuleNode } from './rules.ts';
import { unknownSegments, type SegmentUser } from './segment-references.ts';
import { checkSegmentInput, createSegment, deleteSegment, getSegment, listSegments, saveSegment, type SegmentInput, type SegmentView } from './segment-store.ts';
import { ownDbOrTx, type Db } from './segments.db.ts';
import type { Ids } from './segments.ids.ts';
import { SegmentCreate } from './segments.schemas.ts';

export { segmentsModule } from './segments.module.ts';
export { segmentRoutes } from './segments.routes.ts';
export { rfmRoutes } from './rfm.routes.ts';
export { rfmCells, rfmGroupMapping, rfmGroups } from './rfm-groups.ts';
export type { RuleNode } from './rules.ts';
export type { SegmentInput, SegmentView } from './segment-store.ts';
export type { SegmentUser } from './segment-references.ts';
export type { CustomerRfm } from './rfm.ts';

export type SegmentsDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** Every module's segment fields (the registry's), to which this module adds its own. */
  fields: SegmentField[];
  population: Population;
  /** Loyalty's purchases, as SQL RFM selects from. */
  purchases: PurchaseFacts;
  customers: Pick<Customers, 'getMany'>;
  log?: { error(obj: object, msg: string): void };
};

export type MemberView = { customerId: string; enteredAt: string; firstName: string | null; lastName: string | null; phone: string | null; email: string | null };
export type ChangeView = { id: string; customerId: string; change: 'entered' | 'left'; cause: 'recompute' | 'event'; at: string };

const SAMPLE = 10;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The segments module's own field: membership of another segment (built on it; no cycles). */
const segmentField: SegmentField = {
  key: 'segment',
  kind: 'boolean',
  description: 'Is a member of the segment `id` (a segment built on another; none may lead back to itself)',
  params: {
    id: {
      required: true,
      describe: 'a segment id (seg_…)',
      check: (value) => (typeof value === 'string' && /^seg_[0-9a-f]{32}$/.test(value) ? null : 'must be a segment id (seg_…)'),
    },
  },
  value: (params, ctx) => existsSql(ctx, sql`select 1 from segment_members m where m.segment_id = ${params.id as string} and m.customer_id = ${ctx.id}`),
};

/** The segments module's public face: saved segments with live membership, previews, members, recomputes. */
export function createSegments(deps: SegmentsDeps) {
  const { db, clock, ids } = deps;
  const fields = new Map([...deps.fields, ...rfmSegmentFields, segmentField].map((field) => [field.key, field]));
  const compiler: Compiler = { fields, population: deps.population };
  // Filled by buildApp: the modules that name segments, asked before a delete.
  const users: SegmentUser[] = [];
  const store = { db, clock, ids, fields, users };
  const recomputes = createRecomputes({ db, clock, ids, compiler, ...(deps.log ? { log: deps.log } : {}) });

  /** Recomputes the saved segments whose rules read a field `uses` picks (RFM's or clusters' after a new run: no event says who moved). */
  async function recomputeUsing(uses: (fieldKey: string) => boolean): Promise<{ segments: number }> {
    const saved = await db.selectFrom('segments').select(['id', 'rules']).execute();
    const reading = saved.filter((segment) => conditionsOf(segment.rules as RuleNode).some((condition) => uses(condition.field)));
    // A recompute already running (here or elsewhere) finds its matches again: they may predate the new run.
    for (const segment of reading) await recomputes.startAfterRunning(segment.id, null);
    return { segments: reading.length };
  }
  const rfm = createRfm({
    db,
    clock,
    ids,
    population: deps.population,
    purchases: deps.purchases,
    onComputed: () => recomputeUsing((key) => key.startsWith('rfm.')),
    ...(deps.log ? { log: deps.log } : {}),
  });

  const withRecompute = async (view: SegmentView): Promise<SegmentView> => ({ ...view, lastRecompute: await recomputes.start(view.id, null) });

  async function members(segmentId: string, query: { limit: number; cursor?: string }, masked: boolean): Promise<Page<MemberView>> {
    await getSegment(db, segmentId);
    const after = decodeCursor(query.cursor, (value): value is string => typeof value === 'string' && value.length <= 60);
    let select = db.selectFrom('segmentMembers').select(['customerId', 'enteredAt']).where('segmentId', '=', segmentId).orderBy('customerId').limit(query.limit + 1);
    if (after !== undefined) select = select.where('customerId', '>', after);
    const page = pageOf(await select.execute(), query.limit, (row) => row.customerId);
    const records = new Map((await deps.customers.getMany(page.items.map((row) => row.customerId), masked)).map((record) => [record.id, record]));
    return {
      items: page.items.map((row) => {
        const record = records.get(row.customerId);
        return {
          customerId: row.customerId,
          enteredAt: row.enteredAt.toISOString(),
          firstName: record?.firstName ?? null,
          lastName: record?.lastName ?? null,
          phone: record?.phone ?? null,
          email: record?.email ?? null,
        };
      }),
      nextCursor: page.nextCursor,
    };
  }

  return {
    /**
     * Takes the fields of modules registered after this one (messaging's messages and topics: its
     * audiences come from segments, so it is made later); the compiler and the field list read the
     * same map, so they are known from then on. A key already known is left as it is.
     */
    addFields(more: SegmentField[]): void {
      for (const field of more) if (!fields.has(field.key)) fields.set(field.key, field);
    },
    /** Current membership as SQL (`segment_id, customer_id`): analytics groups and filters by it. */
    membershipFacts: () => sql`select m.segment_id, m.customer_id from segment_members m`,
    /** Every field a rule can name, with its operators and settings (the console builds its editor from it). */
    fields: () =>
      [...fields.values()].map((field) => ({
        key: field.key,
        kind: field.kind,
        description: field.description,
        operators: [...operatorsByKind[field.kind]],
        params: Object.fromEntries(Object.entries(field.params ?? {}).map(([key, param]) => [key, { required: param.required, description: param.describe, ...(param.values ? { values: [...param.values] } : {}) }])),
        ...(field.values ? { values: [...field.values] } : {}),
      })),
    /** Saves the segment and starts its first recompute. */
    create: async (input: SegmentInput, actor: Actor) => withRecompute(await createSegment(store, actor, input)),
    get: (id: string) => getSegment(db, id),
    list: (query: { limit: number; cursor?: string }) => listSegments(db, query),
    async replace(id: string, input: SegmentInput, actor: Actor, version?: number) {
      const { view, rulesChanged } = await saveSegment(store, actor, id, () => input, version);
      return rulesChanged ? withRecompute(view) : view;
    },
    async patch(id: string, patch: Record<string, unknown>, actor: Actor, version?: number) {
      const { view, rulesChanged } = await saveSegment(store, actor, id, (current) => checkMerged<SegmentInput>(SegmentCreate, applyMergePatch(current, patch)), version);
      return rulesChanged ? withRecompute(view) : view;
    },
    delete: (id: string, actor: Actor, version?: number) => deleteSegment(store, actor, id, version),
    /** How many customers the rules match now, and the first few: nothing is saved. */
    async preview(rules: RuleNode, masked: boolean): Promise<{ count: number; sample: MemberView[] }> {
      // The same checks as saving (a segment named must exist), nothing written.
      await checkSegmentInput(db, fields, { name: 'preview', rules }, null);
      const matched = matchingQuery(compiler, rules, clock.now(), { kind: 'all' }, await prepareFields(compiler));
      // One query: the window count is taken over every match before the limit.
      const rows = (await sql<{ id: string; count: string | number }>`select m.id, count(*) over () as count from (${matched}) m order by m.id limit ${SAMPLE}`.execute(db)).rows;
      const records = new Map((await deps.customers.getMany(rows.map((row) => row.id), masked)).map((record) => [record.id, record]));
      return {
        count: Number(rows[0]?.count ?? 0),
        sample: rows.map((row) => {
          const record = records.get(row.id);
          return { customerId: row.id, enteredAt: clock.now().toISOString(), firstName: record?.firstName ?? null, lastName: record?.lastName ?? null, phone: record?.phone ?? null, email: record?.email ?? null };
        }),
      };
    },
    members,
    /** Every member as CSV (contacts masked for roles that see them so), a page at a time. */
    async *membersCsv(segmentId: string, masked: boolean): AsyncGenerator<string> {
      await getSegment(db, segmentId);
      yield stringify([['customer_id', 'entered_at', 'first_name', 'last_name', 'phone', 'email']]);
      let cursor: string | undefined;
      do {
        const page = await members(segmentId, { limit: 1000, ...(cursor ? { cursor } : {}) }, masked);
        yield stringify(page.items.map((m) => [m.customerId, m.enteredAt, m.firstName ?? '', m.lastName ?? '', m.phone ?? '', m.email ?? ''].map((cell) => neutraliseCell(cell))));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },
    /**
     * The members who allow profiling (their current consent for purpose `profiling` on channel
     * `all`: what matching them on an ad platform needs), as an ad platform's hashed
     * customer list: each e-mail trimmed and lower-cased, each phone in E.164 with its +, then
     * SHA-256 in hex. No clear-text contact leaves; a member with neither contact is left out.
     */
    async *audienceCsv(segmentId: string): AsyncGenerator<string> {
      await getSegment(db, segmentId);
      yield stringify([['email_sha256', 'phone_sha256']]);
      const rules: RuleNode = { all: [{ field: 'segment', id: segmentId, op: 'eq', value: true }, { field: 'consent', channel: 'all', purpose: 'profiling', op: 'eq', value: true }] };
      const ids = (await matchingQuery(compiler, rules, clock.now(), { kind: 'all' }).execute(db)).rows.map((row) => row.id);
      for (let i = 0; i < ids.length; i += 1000) {
        const records = await deps.customers.getMany(ids.slice(i, i + 1000), false);
        const rows = records
          .map((record) => [record.email ? sha256(record.email.trim().toLowerCase()) : '', record.phone ? sha256(record.phone) : ''])
          .filter(([email, phone]) => email !== '' || phone !== '');
        if (rows.length > 0) yield stringify(rows);
      }
    },
    /** Every entry and exit (of one customer, if given) as CSV, newest first, a page at a time. */
    async *changesCsv(segmentId: string, customerId?: string): AsyncGenerator<string> {
      yield stringify([['id', 'customer_id', 'change', 'cause', 'at']]);
      let cursor: string | undefined;
      do {
        const page = await this.changes(segmentId, { limit: 1000, ...(cursor ? { cursor } : {}), ...(customerId ? { customerId } : {}) });
        if (page.items.length > 0) yield stringify(page.items.map((c) => [c.id, c.customerId, c.change, c.cause, c.at]));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },
    /** Entries and exits, newest first. */
    async changes(segmentId: string, query: { limit: number; cursor?: string; customerId?: string }): Promise<Page<ChangeView>> {
      await getSegment(db, segmentId);
      const before = decodeCursor(query.cursor, (value): value is string => typeof value === 'string' && /^\d{1,19}$/.test(value));
      let select = db.selectFrom('segmentChanges').selectAll().where('segmentId', '=', segmentId).orderBy('id', 'desc').limit(query.limit + 1);
      if (before !== undefined) select = select.where('id', '<', before);
      if (query.customerId) select = select.where('customerId', '=', query.customerId);
      const page = pageOf(await select.execute(), query.limit, (row) => String(row.id));
      return { items: page.items.map((row) => ({ id: String(row.id), customerId: row.customerId, change: row.change, cause: row.cause, at: row.at.toISOString() })), nextCursor: page.nextCursor };
    },
    recomputes,
    /** The fields and population the rules compile against (a second walker in tests, with small pages). */
    compiler,
    /** The segments a customer is in now, by name (the customer view). */
    segmentsOf: (customerId: string) => namedSegmentsOf(db, customerId),
    /**
     * For modules that name segments by id (earning rules, promotions): `check` answers which
     * ids are not segments, holding the others `for share` in the caller's transaction until it
     * commits; `usedBy` takes a module's answer to "who names this segment?", asked by a delete.
     */
    references: {
      check: unknownSegments,
      usedBy: users,
    },
    /** The checkout's membership provider: one index read on the checkout's own connection. */
    membership: {
      segmentsOf: async <V extends PlatformTables>(checkoutDb: AnyDb<V>, customerId: string) => new Set(await segmentsOfCustomer(ownDbOrTx(checkoutDb), customerId)),
    } satisfies MembershipProvider,
    /** Live membership (the 'live' job) and the daily recompute of every segment (time-only conditions move without events). */
    updateLive: (signal?: AbortSignal, woken = false) => updateLiveMembership({ db, clock, ids, compiler }, signal, woken),
    recomputeUsing,
    rfm,
    async recomputeAll(): Promise<{ segments: number }> {
      const all = await db.selectFrom('segments').select('id').execute();
      for (const segment of all) await recomputes.start(segment.id, null);
      return { segments: all.length };
    },
  };
}

export type Segments = ReturnType<typeof createSegments>;
