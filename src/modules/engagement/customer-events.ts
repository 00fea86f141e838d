import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { requestHash } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import { platformTx } from '../../platform/db-views.ts';
import { localTime } from '../../platform/local-time.ts';
import { decodeCursor, pageOf, type Page } from '../../platform/pagination.ts';
import { parseInstant } from '../../platform/text.ts';
import { customerErrors, type Customers } from '../customers/index.ts';
import type { PointsPort } from '../loyalty/index.ts';
import { applyRules, type Award } from './apply-rules.ts';
import { ownTx, type Db, type DbOrTx, type Tx } from './engagement.db.ts';
import { engagementError } from './engagement.errors.ts';
import { emitEvents } from './engagement.events.ts';
import type { Ids } from './engagement.ids.ts';

/**
 * Customer events: an app, a site or a till tells Patron that a customer did something
 * (`POST /v1/events`); Patron records it once under its eventId, applies the action rules for its
 * type and publishes `customer.action`. Patron's own detected actions (auto-actions.ts) go the
 * same way with deterministic ids.
 */
export type EngagementDeps = { db: Db; clock: Clock; ids: Ids; customers: Customers; points: PointsPort };

export type CustomerRef = { customerId?: string; phone?: string; email?: string; card?: string; externalId?: string };
export type EventInput = { eventId: string; customer: CustomerRef; type: string; properties?: Record<string, unknown>; occurredAt?: string };
export type EventAnswer = { eventId: string; customerId: string; awards: Award[]; replayed: boolean };

/** Types Patron produces itself: a caller posting one would earn it twice. */
export const builtInTypes = ['customer.joined', 'profile.completed', 'consent.marketing_given', 'app.first_login'] as const;
/** Patron's own eventIds start so; a caller's may not. */
const AUTO = 'auto:';

const hashOf = (type: string, properties: Record<string, unknown>, occurredAt: string | null) => requestHash({ type, properties, occurredAt });

function checkInput(input: EventInput, now: Date): Date {
  const problems = [];
  const named = Object.entries(input.customer).filter(([, value]) => value !== undefined).map(([key]) => key);
  if (named.length !== 1) problems.push({ field: 'customer', reason: `must name exactly one of customerId, phone, email, card or externalId (it names ${named.length === 0 ? 'none' : named.join(' and ')})` });
  if (input.eventId.startsWith(AUTO)) problems.push({ field: 'eventId', reason: `must not start with "${AUTO}" (Patron's own events use it)` });
  if ((builtInTypes as readonly string[]).includes(input.type)) {
    problems.push({ field: 'type', reason: `${input.type} is one Patron detects itself (${builtInTypes.join(', ')}); post app.login, review.posted or your own types` });
  }
  let occurredAt = now;
  if (input.occurredAt !== undefined) {
    const at = parseInstant(input.occurredAt);
    if (!at) problems.push({ field: 'occurredAt', reason: 'must be a real time between 1900 and 9999' });
    else if (at.getTime() > now.getTime() + 5 * 60_000) problems.push({ field: 'occurredAt', reason: 'is in the future (more than 5 minutes ahead of the server)' });
    else occurredAt = at;
  }
  if (problems.length > 0) throw engagementError('event.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  return occurredAt;
}

async function awardsOf(db: DbOrTx, eventIds: string[]): Promise<Map<string, Award[]>> {
  const awards = new Map<string, Award[]>(eventIds.map((id) => [id, []]));
  if (eventIds.length === 0) return awards;
  const rows = await db.selectFrom('actionAwards').select(['eventId', 'ruleId', 'points']).where('eventId', 'in', eventIds).orderBy('ruleId').execute();
  for (const row of rows) awards.get(row.eventId)!.push({ ruleId: row.ruleId, points: row.points });
  return awards;
}

/** The first answer for an eventId seen before, or 409 when this body is another event. */
async function replay(deps: EngagementDeps, input: EventInput, hash: string, resolvedId?: string): Promise<EventAnswer | null> {
  const row = await deps.db
    .selectFrom('customerEvents')
    .select(['eventId', 'customerId', 'requestHash', 'type', 'receivedAt', 'occurredAt'])
    .where('eventId', '=', input.eventId)
    .executeTakeFirst();
  if (!row) return null;
  if (row.requestHash !== hash || (resolvedId !== undefined && resolvedId !== row.customerId)) {
    throw engagementError(
      'event.conflict',
      `eventId ${input.eventId} was accepted before for ${row.requestHash !== hash ? 'another type, properties or occurredAt' : 'another customer'}; send each event under an id of its own`,
      [{ field: 'eventId', reason: 'was used for another event' }],
    );
  }
  // Answer with the record's current id: the one the first answer named, or its survivor after a merge.
  const ids = [row.eventId];
  if (row.type === 'app.login') {
    // The first answer of a first login also held app.first_login's awards: that event was recorded in the same call, with the same times.
    const first = await deps.db
      .selectFrom('customerEvents')
      .select('eventId')
      .where('customerId', '=', row.customerId)
      .where('type', '=', 'app.first_login')
      .where('source', '=', 'patron')
      .where('receivedAt', '=', row.receivedAt)
      .where('occurredAt', '=', row.occurredAt)
      .executeTakeFirst();
    if (first) ids.push(first.eventId);
  }
  const awards = await awardsOf(deps.db, ids);
  return { eventId: row.eventId, customerId: row.customerId, awards: ids.flatMap((id) => awards.get(id)!), replayed: true };
}

/** The id the reference names now, or undefined when it names no customer any more (erased). */
async function identifyQuietly(customers: Customers, ref: CustomerRef): Promise<string | undefined> {
  try {
    const found = await customers.identify(ref);
    return found.status === 'erased' ? undefined : found.id;
  } catch {
    return undefined;
  }
}

export async function postEvent(deps: EngagementDeps, input: EventInput, actor: Actor): Promise<EventAnswer> {
  const now = deps.clock.now();
  const occurredAt = checkInput(input, now);
  const properties = input.properties ?? {};
  const hash = hashOf(input.type, properties, input.occurredAt ?? null);
  // A replay answers first, even when its customer was erased since.
  const seen = await deps.db.selectFrom('customerEvents').select('eventId').where('eventId', '=', input.eventId).executeTakeFirst();
  if (seen) return (await replay(deps, input, hash, await identifyQuietly(deps.customers, input.customer)))!;
  const customer = await deps.customers.identify(input.customer);
  if (customer.status === 'erased') throw customerErrors.error('customer.erased', `Customer ${customer.id} was erased; it earns nothing more`);
  const recorded = await recordEvent(deps, { id: customer.id, timezone: customer.timezone }, {
    eventId: input.eventId,
    type: input.type,
    properties,
    occurredAt,
    hash,
    source: 'api',
    actor: actor.keyId ?? actor.name,
  });
  // Lost a race with the same eventId: the other request's answer is the first one.
  return recorded ?? (await replay(deps, input, hash, customer.id))!;
}

export type EventRecord = {
  eventId: string;
  type: string;
  properties: Record<string, unknown>;
  occurredAt: Date;
  hash: string;
  source: 'api' | 'patron';
  actor: string;
};

/**
 * Records one event on the customer's current record and applies the rules, in one transaction
 * with the points (the points port's: it retries on the survivor when a merge moved the customer
 * meanwhile). Null when the eventId exists already: nothing was written.
 */
export async function recordEvent(deps: EngagementDeps, customer: { id: string; timezone: string | null }, event: EventRecord): Promise<EventAnswer | null> {
  return deps.points.transaction(customer.id, async (ptx, customerId) => {
    // The balance lock first, as a merge takes it: an event that matches no rule must not land on a record being merged away either.
    await deps.points.lock(ptx, customerId);
    const tx = ownTx(ptx);
    // One time for the event and the first_login it may bring: a replay finds the pair by it.
    const now = deps.clock.now();
    const awards = await recordIn(deps, tx, customerId, customer.timezone, event, now);
    if (awards === null) return null;
    // The first app.login of a customer is also app.first_login (its own event, its own rules).
    if (event.type === 'app.login') {
      const first = await recordIn(deps, tx, customerId, customer.timezone, {
        ...event,
        eventId: `${AUTO}app.first_login:${customerId}`,
        type: 'app.first_login',
        properties: {},
        hash: hashOf('app.first_login', {}, event.occurredAt.toISOString()),
        source: 'patron',
      }, now);
      if (first) awards.push(...first);
    }
    return { eventId: event.eventId, customerId, awards, replayed: false };
  });
}

/** One of Patron's own detected events (auto-actions.ts), on the customer's current record. */
export type OwnEvent = { customerId: string; timezone: string | null; eventId: string; type: (typeof builtInTypes)[number]; occurredAt: Date; properties: Record<string, unknown> };

/**
 * Records many of Patron's own events at once, as `recordEvent` would one by one: an import of
 * 10,000 customers brings 10,000 `customer.joined`, and one transaction each kept the job busy
 * for minutes. Each happens once per customer, so those a customer has already are skipped.
 * Events of a type no active rule rewards are written set-based, in one transaction under the
 * customers' balance locks (a merge takes them too, so none lands on a record being merged
 * away); those a rule may reward, and those whose customer a merge moved meanwhile, go through
 * `recordEvent` (their points and limits are per event, about 100 a second), until `signal`
 * aborts: `finished` false then, and recording them all again later records only the rest.
 */
export async function recordOwnEvents(deps: EngagementDeps, events: OwnEvent[], signal?: AbortSignal): Promise<{ recorded: number; finished: boolean }> {
  const customerIds = [...new Set(events.map((event) => event.customerId))];
  if (customerIds.length === 0) return { recorded: 0, finished: true };
  const had = await deps.db.selectFrom('customerEvents').select(['customerId', 'type']).where('customerId', 'in', customerIds).where('source', '=', 'patron').execute();
  const done = new Set(had.map((row) => `${row.customerId}/${row.type}`));
  const fresh = events.filter((event) => {
    const key = `${event.customerId}/${event.type}`;
    if (done.has(key)) return false;
    done.add(key); // a merged id and its survivor in one batch: the survivor's record gets it once
    return true;
  });
  const rewarded = new Set(
    (await deps.db.selectFrom('actionRules').select('eventType').distinct().where('status', '=', 'active').where('eventType', 'in', [...builtInTypes]).execute()).map((row) => row.eventType),
  );
  const oneByOne = fresh.filter((event) => rewarded.has(event.type));
  const plain = fresh.filter((event) => !rewarded.has(event.type));
  let recorded = 0;
  if (plain.length > 0) {
    const outcome = await deps.db.transaction().execute(async (tx) => {
      const live = await deps.points.lockMany(platformTx(tx), plain.map((event) => event.customerId));
      const now = deps.clock.now();
      const ready = plain.filter((event) => live.has(event.customerId));
      // The once-per-customer check again, under the locks: another run may have recorded some since the read above.
      const inserted = (
        await sql<{ eventId: string; customerId: string; type: string; occurredAt: Date }>`
          insert into customer_events (event_id, customer_id, type, properties, occurred_at, received_at, request_hash, source)
          select t.event_id, t.customer_id, t.type, t.properties::jsonb, t.occurred_at, ${now}::timestamptz, t.hash, 'patron'
          from unnest(${ready.map((e) => e.eventId)}::text[], ${ready.map((e) => e.customerId)}::text[], ${ready.map((e) => e.type)}::text[],
            ${ready.map((e) => JSON.stringify(e.properties))}::text[], ${ready.map((e) => e.occurredAt.toISOString())}::timestamptz[],
            ${ready.map((e) => hashOf(e.type, e.properties, e.occurredAt.toISOString()))}::text[]) as t(event_id, customer_id, type, properties, occurred_at, hash)
          where not exists (select 1 from customer_events e where e.customer_id = t.customer_id and e.type = t.type and e.source = 'patron')
          on conflict (event_id) do nothing
          returning event_id, customer_id, type, occurred_at`.execute(tx)
      ).rows;
      await emitEvents(
        tx,
        deps.clock,
        deps.ids,
        inserted.map((row) => ({ type: 'customer.action' as const, customerId: row.customerId, payload: { type: row.type, eventId: row.eventId, occurredAt: new Date(row.occurredAt).toISOString() } })),
      );
      return { inserted: inserted.length, moved: plain.filter((event) => !live.has(event.customerId)) };
    });
    recorded += outcome.inserted;
    oneByOne.push(...outcome.moved);
  }
  for (const event of oneByOne) {
    if (signal?.aborted) return { recorded, finished: false };
    const answer = await recordEvent(deps, { id: event.customerId, timezone: event.timezone }, {
      eventId: event.eventId,
      type: event.type,
      properties: event.properties,
      occurredAt: event.occurredAt,
      hash: hashOf(event.type, event.properties, event.occurredAt.toISOString()),
      source: 'patron',
      actor: 'patron',
    }).catch((error: unknown) => {
      // Erased between the read and now: it earns nothing, and there is nothing to retry.
      if ((error as { code?: string }).code === 'customer.erased') return null;
      throw error;
    });
    if (answer) recorded++;
  }
  return { recorded, finished: true };
}

async function recordIn(deps: EngagementDeps, tx: Tx, customerId: string, timezone: string | null, event: EventRecord, now: Date): Promise<Award[] | null> {
  if (event.source === 'patron' && (builtInTypes as readonly string[]).includes(event.type)) {
    // Patron's own actions happen once per customer. Their ids name the record they were detected
    // on, so after a merge the survivor's id is a new one although the duplicate's event (moved
    // here by the merge) already counts: look by type. The balance lock, held since the start of
    // the transaction and taken by a merge too, keeps this check and the insert together.
    const done = await tx
      .selectFrom('customerEvents')
      .select('eventId')
      .where('customerId', '=', customerId)
      .where('type', '=', event.type)
      .where('source', '=', 'patron')
      .executeTakeFirst();
    if (done) return null;
  }
  const inserted = await tx
    .insertInto('customerEvents')
    .values({
      eventId: event.eventId,
      customerId,
      type: event.type,
      properties: JSON.stringify(event.properties),
      occurredAt: event.occurredAt,
      receivedAt: now,
      requestHash: event.hash,
      source: event.source,
    })
    .onConflict((oc) => oc.column('eventId').doNothing())
    .returning('eventId')
    .executeTakeFirst();
  if (!inserted) return null;
  const day = localTime(now, timezone ?? 'UTC').date;
  const awards = await applyRules(tx, deps.points, { eventId: event.eventId, customerId, type: event.type, properties: event.properties, now, day, actor: event.actor });
  await emitEvents(tx, deps.clock, deps.ids, [
    { type: 'customer.action', customerId, payload: { type: event.type, eventId: event.eventId, occurredAt: event.occurredAt.toISOString() } },
  ]);
  return awards;
}

export type CustomerEventView = {
  eventId: string;
  customerId: string;
  type: string;
  properties: Record<string, unknown>;
  occurredAt: string;
  receivedAt: string;
  source: 'api' | 'patron';
  awards: Award[];
};

const isEventKey = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && !Number.isNaN(Date.parse(value[0])) && typeof value[1] === 'string' && value[1].length <= 200;

/** A customer's events, newest received first. */
export async function listCustomerEvents(db: DbOrTx, customerId: string, query: { limit: number; cursor?: string; type?: string }): Promise<Page<CustomerEventView>> {
  const after = decodeCursor(query.cursor, isEventKey);
  let select = db
    .selectFrom('customerEvents')
    .select(['eventId', 'customerId', 'type', 'properties', 'occurredAt', 'receivedAt', 'source'])
    .where('customerId', '=', customerId)
    .orderBy('receivedAt', 'desc')
    .orderBy('eventId', 'desc')
    .limit(query.limit + 1);
  if (after) {
    const [receivedAt, eventId] = after;
    select = select.where((eb) => eb.or([eb('receivedAt', '<', new Date(receivedAt)), eb.and([eb('receivedAt', '=', new Date(receivedAt)), eb('eventId', '<', eventId)])]));
  }
  if (query.type) select = select.where('type', '=', query.type);
  const page = pageOf(await select.execute(), query.limit, (row) => [row.receivedAt.toISOString(), row.eventId]);
  const awards = await awardsOf(db, page.items.map((row) => row.eventId));
  return {
    items: page.items.map((row) => ({
      eventId: row.eventId,
      customerId: row.customerId,
      type: row.type,
      properties: row.properties,
      occurredAt: row.occurredAt.toISOString(),
      receivedAt: row.receivedAt.toISOString(),
      source: row.source,
      awards: awards.get(row.eventId)!,
    })),
    nextCursor: page.nextCursor,
  };
}
