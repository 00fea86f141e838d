import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { maskIp, maskName } from '../../platform/masking.ts';
import { parseInstant } from '../../platform/text.ts';
import type { DbOrTx } from './customers.db.ts';
import type { Ids } from './customers.ids.ts';

export const consentChannels = ['email', 'sms', 'push', 'messenger', 'call', 'post', 'all'] as const;
export const consentPurposes = ['personal_data', 'marketing', 'transactional', 'profiling'] as const;
export const consentSources = ['pos', 'web', 'app', 'import', 'api', 'operator'] as const;
export type ConsentChannel = (typeof consentChannels)[number];
export type ConsentPurpose = (typeof consentPurposes)[number];
export type ConsentSource = (typeof consentSources)[number];

/** What proves the consent: where it was given and on which text (152-FZ / GDPR art. 7). */
export type ConsentEvidence = { ip?: string; userAgent?: string; operator?: string; textVersion?: string };

export type ConsentInput = {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  granted: boolean;
  source: ConsentSource;
  evidence?: ConsentEvidence;
  /** When the customer gave or withdrew it, if not now (e.g. a paper form signed yesterday). */
  at?: string;
};

export type ConsentState = {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  granted: boolean;
  source: ConsentSource;
  at: string;
};

export type ConsentHistoryEntry = ConsentState & { id: string; recordedAt: string; evidence: ConsentEvidence };

export type ConsentView = { current: ConsentState[]; history: ConsentHistoryEntry[] };

/** A consent's time must be a real instant, not in the future (a few minutes' clock skew allowed). */
export function checkConsentTimes(inputs: ConsentInput[], now: Date, field = 'consents'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  inputs.forEach((input, index) => {
    if (input.at === undefined) return;
    const at = parseInstant(input.at);
    if (!at) problems.push({ field: `${field ? `${field}.` : ''}${index}.at`, reason: 'must be a real time between 1900 and 9999' });
    else if (at.getTime() > now.getTime() + 5 * 60_000) problems.push({ field: `${field ? `${field}.` : ''}${index}.at`, reason: 'is in the future' });
  });
  return problems;
}

/**
 * Appends consent events. History is never rewritten; the current state is the latest event
 * per channel and purpose. With `onlyChanges`, an event equal to the current state is skipped
 * (re-importing a file must not grow the history).
 */
export async function recordConsents(
  tx: DbOrTx,
  clock: Clock,
  ids: Ids,
  customerId: string,
  inputs: ConsentInput[],
  options: { onlyChanges: boolean },
): Promise<number> {
  if (inputs.length === 0) return 0;
  const now = clock.now();
  let recorded = 0;
  for (const input of inputs) {
    if (options.onlyChanges) {
      const current = await currentConsent(tx, customerId, input.channel, input.purpose);
      if (current && current.granted === input.granted) continue;
    }
    await tx
      .insertInto('consentEvents')
      .values({
        id: ids.next('cns'),
        customerId,
        channel: input.channel,
        purpose: input.purpose,
        granted: input.granted,
        source: input.source,
        occurredAt: input.at ? new Date(input.at) : now,
        recordedAt: now,
        evidence: JSON.stringify(input.evidence ?? {}),
      })
      .execute();
    recorded++;
  }
  return recorded;
}

async function currentConsent(db: DbOrTx, customerId: string, channel: string, purpose: string) {
  return db
    .selectFrom('consentEvents')
    .select(['granted'])
    .where('customerId', '=', customerId)
    .where('channel', '=', channel)
    .where('purpose', '=', purpose)
    .orderBy('occurredAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Evidence as a role that sees masked contacts sees it: the network and an initial, not the person. */
function maskEvidence(evidence: ConsentEvidence): ConsentEvidence {
  return {
    ...evidence,
    ...(evidence.ip !== undefined ? { ip: maskIp(evidence.ip) } : {}),
    ...(evidence.operator !== undefined ? { operator: maskName(evidence.operator) } : {}),
  };
}

export async function loadConsents(db: DbOrTx, customerId: string, masked = false): Promise<ConsentView> {
  const rows = await db
    .selectFrom('consentEvents')
    .select(['id', 'channel', 'purpose', 'granted', 'source', 'occurredAt', 'recordedAt', 'evidence'])
    .where('customerId', '=', customerId)
    .orderBy('occurredAt')
    .orderBy('id')
    .execute();
  const history = rows.map((row) => ({
    id: row.id,
    channel: row.channel as ConsentChannel,
    purpose: row.purpose as ConsentPurpose,
    granted: row.granted,
    source: row.source as ConsentSource,
    at: row.occurredAt.toISOString(),
    recordedAt: row.recordedAt.toISOString(),
    evidence: masked ? maskEvidence(row.evidence as ConsentEvidence) : (row.evidence as ConsentEvidence),
  }));
  const latest = new Map<string, ConsentState>();
  for (const entry of history) {
    latest.set(`${entry.channel}/${entry.purpose}`, {
      channel: entry.channel,
      purpose: entry.purpose,
      granted: entry.granted,
      source: entry.source,
      at: entry.at,
    });
  }
  return { current: [...latest.values()].sort((a, b) => (a.channel + a.purpose).localeCompare(b.channel + b.purpose)), history };
}

/** Current consent per customer for a set of customers (exports, later segments). */
export async function currentConsentsFor(
  db: DbOrTx,
  customerIds: string[],
): Promise<Map<string, Array<{ channel: string; purpose: string; granted: boolean }>>> {
  const result = new Map<string, Array<{ channel: string; purpose: string; granted: boolean }>>();
  if (customerIds.length === 0) return result;
  const rows = await sql<{ customerId: string; channel: string; purpose: string; granted: boolean }>`
    select distinct on (customer_id, channel, purpose) customer_id, channel, purpose, granted
    from consent_events
    where customer_id = any(${customerIds}::text[])
    order by customer_id, channel, purpose, occurred_at desc, id desc`.execute(db);
  for (const row of rows.rows) {
    const list = result.get(row.customerId) ?? [];
    list.push({ channel: row.channel, purpose: row.purpose, granted: row.granted });
    result.set(row.customerId, list);
  }
  return result;
}

/**
 * Each customer's first grant ever for `purpose`, on any channel: when (the consent's own time)
 * and where. Order as `loadConsents`' history, so this is the first granted entry it lists.
 */
export async function firstGrants(db: DbOrTx, customerIds: string[], purpose: ConsentPurpose): Promise<Map<string, { at: string; channel: ConsentChannel }>> {
  const result = new Map<string, { at: string; channel: ConsentChannel }>();
  if (customerIds.length === 0) return result;
  const rows = await sql<{ customerId: string; channel: ConsentChannel; occurredAt: Date }>`
    select distinct on (customer_id) customer_id, channel, occurred_at
    from consent_events
    where customer_id = any(${customerIds}::text[]) and purpose = ${purpose} and granted
    order by customer_id, occurred_at, id`.execute(db);
  for (const row of rows.rows) result.set(row.customerId, { at: new Date(row.occurredAt).toISOString(), channel: row.channel });
  return result;
}

/**
 * Whether each customer has `purpose` granted now on `channel`, as the latest decision on that
 * channel or on "all" says (the same rule as the segment field `consent`); one query for many.
 */
export async function grantedNow(db: DbOrTx, customerIds: string[], channel: ConsentChannel, purpose: ConsentPurpose): Promise<Set<string>> {
  if (customerIds.length === 0) return new Set();
  const rows = await sql<{ customerId: string; granted: boolean }>`
    select distinct on (customer_id) customer_id, granted
    from consent_events
    where customer_id = any(${customerIds}::text[]) and purpose = ${purpose} and channel in (${channel}, 'all')
    order by customer_id, occurred_at desc, id desc`.execute(db);
  return new Set(rows.rows.filter((row) => row.granted).map((row) => row.customerId));
}
