import { sql } from 'kysely';
import type { Clock } from '../../../platform/clock.ts';
import { BatchRaceError, type BatchOutcome } from '../../../platform/imports/import-format.ts';
import { platformTx } from '../../../platform/db-views.ts';
import type { Tx } from '../customers.db.ts';
import type { CustomerLifecycleHooks } from '../deps.ts';
import { emitEvents, type CustomerEvent } from '../customers.events.ts';
import type { Ids } from '../customers.ids.ts';
import type { Identifier } from '../identifiers.ts';
import type { ImportRow } from './csv-row.ts';


const keyOf = (identifier: Identifier) => `${identifier.kind}\u0001${identifier.source}\u0001${identifier.value}`;

type Target = {
  customerId: string;
  isNew: boolean;
  rows: ImportRow[];
};

/**
 * Writes one batch of parsed rows with a handful of set-based statements (unnest of arrays),
 * whatever the batch size. Rows are matched to customers by any of their identifiers: a
 * matched row updates (filling values, never clearing), an unmatched one creates; a row whose
 * identifiers name two different customers is refused.
 */
export async function writeBatch(
  tx: Tx,
  clock: Clock,
  ids: Ids,
  importId: string,
  rows: ImportRow[],
  hooks?: Pick<CustomerLifecycleHooks, 'onCreate'>,
): Promise<BatchOutcome & { customerIds: Map<number, string> }> {
  const now = clock.now();
  const failed: BatchOutcome['failed'] = [];
  const stored = await findOwners(tx, rows.flatMap((row) => row.identifiers));
  const owners = new Map(stored);

  // Assign every row to a customer, existing or new; rows for the same customer are folded.
  const targets = new Map<string, Target>();
  const customerIds = new Map<number, string>();
  for (const row of rows) {
    const found = new Set(row.identifiers.map((identifier) => owners.get(keyOf(identifier))).filter((id) => id !== undefined));
    if (found.size > 1) {
      failed.push({ line: row.line, problems: [{ field: '(row)', reason: 'its identifiers belong to different customers' }] });
      continue;
    }
    const customerId = found.size === 1 ? [...found][0]! : ids.next('cus');
    let target = targets.get(customerId);
    if (!target) {
      target = { customerId, isNew: found.size === 0, rows: [] };
      targets.set(customerId, target);
    }
    target.rows.push(row);
    customerIds.set(row.line, customerId);
    for (const identifier of row.identifiers) owners.set(keyOf(identifier), customerId);
  }

  const list = [...targets.values()];
  const folded = list.map((target) => ({ target, ...foldRows(target.rows) }));
  const created = folded.filter((f) => f.target.isNew);
  const existing = folded.filter((f) => !f.target.isNew);

  if (created.length > 0) {
    await sql`
      insert into customers (id, status, first_name, last_name, birth_date, gender, city, timezone, locale, tags, attributes, signup_source, created_at, updated_at)
      select u.id, 'active', u.first_name, u.last_name, u.birth_date::date, u.gender, u.city, u.timezone, u.locale,
        coalesce(array(select jsonb_array_elements_text(u.tags::jsonb)), '{}'), u.attributes::jsonb, 'import', coalesce(u.signed_up_at, ${now}), ${now}
      from unnest(${created.map((f) => f.target.customerId)}::text[], ${column(created, 'firstName')}::text[],
        ${column(created, 'lastName')}::text[], ${column(created, 'birthDate')}::text[], ${column(created, 'gender')}::text[],
        ${column(created, 'city')}::text[], ${column(created, 'timezone')}::text[], ${column(created, 'locale')}::text[],
        ${created.map((f) => JSON.stringify(f.profile.tags ?? []))}::text[], ${created.map((f) => JSON.stringify(f.attributes))}::text[],
        ${created.map((f) => f.target.rows.find((row) => row.signedUpAt)?.signedUpAt?.toISOString() ?? null)}::timestamptz[])
        as u(id, first_name, last_name, birth_date, gender, city, timezone, locale, tags, attributes, signed_up_at)`.execute(tx);
  }

  const changedIds = new Set<string>();
  if (existing.length > 0) {
    // Only rows that change something are written, so a re-import leaves the data untouched.
    const updated = await sql<{ id: string }>`
      update customers c set
        first_name = coalesce(u.first_name, c.first_name), last_name = coalesce(u.last_name, c.last_name),
        birth_date = coalesce(u.birth_date::date, c.birth_date), gender = coalesce(u.gender, c.gender),
        city = coalesce(u.city, c.city), timezone = coalesce(u.timezone, c.timezone), locale = coalesce(u.locale, c.locale),
        tags = case when u.tags is null then c.tags
          else array(select distinct t from unnest(c.tags || array(select jsonb_array_elements_text(u.tags::jsonb))) t order by t) end,
        attributes = c.attributes || u.attributes::jsonb,
        updated_at = ${now}
      from unnest(${existing.map((f) => f.target.customerId)}::text[], ${column(existing, 'firstName')}::text[],
        ${column(existing, 'lastName')}::text[], ${column(existing, 'birthDate')}::text[], ${column(existing, 'gender')}::text[],
        ${column(existing, 'city')}::text[], ${column(existing, 'timezone')}::text[], ${column(existing, 'locale')}::text[],
        ${existing.map((f) => (f.profile.tags ? JSON.stringify(f.profile.tags) : null))}::text[],
        ${existing.map((f) => JSON.stringify(f.attributes))}::text[])
        as u(id, first_name, last_name, birth_date, gender, city, timezone, locale, tags, attributes)
      where c.id = u.id and (
        (c.first_name, c.last_name, c.birth_date, c.gender, c.city, c.timezone, c.locale, c.attributes) is distinct from
        (coalesce(u.first_name, c.first_name), coalesce(u.last_name, c.last_name), coalesce(u.birth_date::date, c.birth_date),
         coalesce(u.gender, c.gender), coalesce(u.city, c.city), coalesce(u.timezone, c.timezone), coalesce(u.locale, c.locale),
         c.attributes || u.attributes::jsonb)
        or (u.tags is not null and not (array(select jsonb_array_elements_text(u.tags::jsonb)) <@ c.tags)))
      returning c.id`.execute(tx);
    for (const row of updated.rows) changedIds.add(row.id);
  }

  for (const id of await insertIdentifiers(tx, now, folded, stored)) changedIds.add(id);
  for (const id of await insertConsents(tx, now, ids, folded)) changedIds.add(id);
  if (created.length > 0) {
    const made = created.map((f) => ({ id: f.target.customerId, identifiers: f.identifiers }));
    for (const hook of hooks?.onCreate ?? []) await hook(platformTx(tx), made);
  }

  const events: CustomerEvent[] = [
    ...created.map((f) => ({
      type: 'customer.created' as const,
      customerId: f.target.customerId,
      payload: { customerId: f.target.customerId, source: 'import', importId },
    })),
    ...existing
      .filter((f) => changedIds.has(f.target.customerId))
      .map((f) => ({
        type: 'customer.updated' as const,
        customerId: f.target.customerId,
        payload: { customerId: f.target.customerId, source: 'import', importId },
      })),
  ];
  await emitEvents(tx, clock, ids, events);

  const createdRows = created.reduce((sum, f) => sum + f.target.rows.length, 0);
  return { created: createdRows, updated: rows.length - failed.length - createdRows, failed, customerIds };
}

type Folded = ReturnType<typeof foldRows> & { target: Target };

/** Several rows for one customer become one: later non-empty values win, tags add up. */
function foldRows(rows: ImportRow[]) {
  const profile: ImportRow['profile'] = {};
  const attributes: ImportRow['attributes'] = {};
  const consents = new Map<string, { channel: string; purpose: string; granted: boolean; at?: string; textVersion?: string }>();
  const identifiers = new Map<string, Identifier>();
  for (const row of rows) {
    const tags = profile.tags;
    Object.assign(profile, row.profile);
    if (tags && row.profile.tags) profile.tags = [...new Set([...tags, ...row.profile.tags])].sort();
    Object.assign(attributes, row.attributes);
    for (const consent of row.consents) {
      consents.set(`${consent.channel}/${consent.purpose}`, { ...consent, at: row.consentAt, textVersion: row.consentTextVersion });
    }
    for (const identifier of row.identifiers) identifiers.set(keyOf(identifier), identifier);
  }
  return { profile, attributes, consents: [...consents.values()], identifiers: [...identifiers.values()] };
}

function column(list: Folded[], field: 'firstName' | 'lastName' | 'birthDate' | 'gender' | 'city' | 'timezone' | 'locale'): Array<string | null> {
  return list.map((f) => f.profile[field] ?? null);
}

async function findOwners(tx: Tx, identifiers: Identifier[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  if (identifiers.length === 0) return owners;
  // A lateral probe per identifier uses the primary key; a plain join lets the planner hash the
  // whole identifiers table instead (measured: 4× slower per batch at 100k customers).
  const found = await sql<{ kind: Identifier['kind']; source: string; value: string; customerId: string }>`
    select u.kind, u.source, u.value, i.customer_id
    from unnest(${identifiers.map((i) => i.kind)}::text[], ${identifiers.map((i) => i.source)}::text[],
      ${identifiers.map((i) => i.value)}::text[]) as u(kind, source, value)
    cross join lateral (
      select customer_id from customer_identifiers
      where kind = u.kind and source = u.source and value = u.value collate "C" limit 1) i`.execute(tx);
  for (const row of found.rows) owners.set(keyOf(row), row.customerId);
  return owners;
}

/** Adds identifiers the customers do not have yet; returns the customers that gained one. */
async function insertIdentifiers(tx: Tx, now: Date, folded: Folded[], stored: Map<string, string>): Promise<string[]> {
  const fresh: Array<Identifier & { customerId: string; primaryCandidate: boolean }> = [];
  for (const f of folded) {
    const kinds = new Set<string>();
    for (const identifier of f.identifiers) {
      // Stored already: it is this customer's, since the row was matched through it.
      if (stored.has(keyOf(identifier))) continue;
      const kindKey = `${identifier.kind}\u0001${identifier.source}`;
      fresh.push({ ...identifier, customerId: f.target.customerId, primaryCandidate: !kinds.has(kindKey) });
      kinds.add(kindKey);
    }
  }
  if (fresh.length === 0) return [];
  const inserted = await sql<{ customerId: string }>`
    insert into customer_identifiers (kind, source, value, customer_id, is_primary, created_at)
    select u.kind, u.source, u.value, u.customer_id,
      u.candidate and not exists (select 1 from customer_identifiers p
        where p.customer_id = u.customer_id and p.kind = u.kind and p.source = u.source and p.is_primary),
      ${now}
    from unnest(${fresh.map((i) => i.kind)}::text[], ${fresh.map((i) => i.source)}::text[], ${fresh.map((i) => i.value)}::text[],
      ${fresh.map((i) => i.customerId)}::text[], ${fresh.map((i) => i.primaryCandidate)}::boolean[])
      as u(kind, source, value, customer_id, candidate)
    on conflict (kind, source, value) do nothing
    returning customer_id`.execute(tx);
  if (inserted.rows.length !== fresh.length) throw new BatchRaceError('an identifier was taken while the batch ran');
  return [...new Set(inserted.rows.map((row) => row.customerId))];
}

/** Records consents that differ from the current state; returns the customers whose consent changed. */
async function insertConsents(tx: Tx, now: Date, ids: Ids, folded: Folded[]): Promise<string[]> {
  const items = folded.flatMap((f) => f.consents.map((consent) => ({ ...consent, customerId: f.target.customerId })));
  if (items.length === 0) return [];
  const inserted = await sql<{ customerId: string }>`
    insert into consent_events (id, customer_id, channel, purpose, granted, source, occurred_at, recorded_at, evidence)
    select u.id, u.customer_id, u.channel, u.purpose, u.granted, 'import', coalesce(u.at, ${now}), ${now}, u.evidence::jsonb
    from unnest(${items.map(() => ids.next('cns'))}::text[], ${items.map((i) => i.customerId)}::text[],
      ${items.map((i) => i.channel)}::text[], ${items.map((i) => i.purpose)}::text[], ${items.map((i) => i.granted)}::boolean[],
      ${items.map((i) => i.at ?? null)}::timestamptz[],
      ${items.map((i) => JSON.stringify(i.textVersion ? { textVersion: i.textVersion } : {}))}::text[])
      as u(id, customer_id, channel, purpose, granted, at, evidence)
    where not exists (
      select 1 from (
        select e.granted from consent_events e
        where e.customer_id = u.customer_id and e.channel = u.channel and e.purpose = u.purpose
        order by e.occurred_at desc, e.id desc limit 1) current_state
      where current_state.granted = u.granted)
    returning customer_id`.execute(tx);
  return [...new Set(inserted.rows.map((row) => row.customerId))];
}
