import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { maskIp, maskName } from '../../platform/masking.ts';
import type { DbOrTx } from './customers.db.ts';
import type { Ids } from './customers.ids.ts';

/**
 * A customer's choices of subscription topics ("news", "offers"), kept as consents are: each
 * choice appended with where it was made and what proves it, never rewritten; the current
 * choice on a topic is the latest. Which topics exist, and whether a customer who never chose is
 * subscribed, is messaging's (its topics): this file knows only what the customer said.
 */
export const topicSources = ['account', 'preference_centre', 'api', 'operator', 'import'] as const;
export type TopicSource = (typeof topicSources)[number];

/** What proves the choice: the request's network and browser, the message whose page it was made on, the operator. */
export type TopicEvidence = { ip?: string; userAgent?: string; messageId?: string; operator?: string };

export type TopicChoiceInput = { topic: string; subscribed: boolean; source: TopicSource; evidence?: TopicEvidence };
export type TopicChoice = { topic: string; subscribed: boolean; source: TopicSource; at: string };
export type TopicChoiceEntry = TopicChoice & { id: string; recordedAt: string; evidence: TopicEvidence };
export type TopicChoices = { current: TopicChoice[]; history: TopicChoiceEntry[] };

/** Appends the choices that differ from the customer's current ones (a choice repeated grows no history); answers the topics changed. */
export async function recordTopicChoices(tx: DbOrTx, clock: Clock, ids: Ids, customerId: string, inputs: TopicChoiceInput[]): Promise<string[]> {
  if (inputs.length === 0) return [];
  const now = clock.now();
  const current = await currentChoices(tx, [customerId], inputs.map((input) => input.topic));
  const changed: string[] = [];
  // The last word on a topic in one request counts (a form that names a topic twice).
  const last = new Map(inputs.map((input) => [input.topic, input]));
  for (const input of last.values()) {
    if (current.get(customerId)?.get(input.topic) === input.subscribed) continue;
    await tx
      .insertInto('topicEvents')
      .values({
        id: ids.next('tpc'),
        customerId,
        topic: input.topic,
        subscribed: input.subscribed,
        source: input.source,
        occurredAt: now,
        recordedAt: now,
        evidence: JSON.stringify(input.evidence ?? {}),
      })
      .execute();
    changed.push(input.topic);
  }
  return changed;
}

/** Each customer's current choice per topic (only the topics given, when given): one query for many. */
export async function currentChoices(db: DbOrTx, customerIds: string[], topics?: string[]): Promise<Map<string, Map<string, boolean>>> {
  const result = new Map<string, Map<string, boolean>>();
  if (customerIds.length === 0 || topics?.length === 0) return result;
  const rows = await sql<{ customerId: string; topic: string; subscribed: boolean }>`
    select distinct on (customer_id, topic) customer_id, topic, subscribed
    from topic_events
    where customer_id = any(${customerIds}::text[]) ${topics ? sql`and topic = any(${topics}::text[])` : sql``}
    order by customer_id, topic, occurred_at desc, id desc`.execute(db);
  for (const row of rows.rows) {
    const own = result.get(row.customerId) ?? new Map<string, boolean>();
    own.set(row.topic, row.subscribed);
    result.set(row.customerId, own);
  }
  return result;
}

const maskEvidence = (evidence: TopicEvidence): TopicEvidence => ({
  ...evidence,
  ...(evidence.ip !== undefined ? { ip: maskIp(evidence.ip) } : {}),
  ...(evidence.operator !== undefined ? { operator: maskName(evidence.operator) } : {}),
});

export async function loadTopicChoices(db: DbOrTx, customerId: string, masked = false): Promise<TopicChoices> {
  const rows = await db
    .selectFrom('topicEvents')
    .select(['id', 'topic', 'subscribed', 'source', 'occurredAt', 'recordedAt', 'evidence'])
    .where('customerId', '=', customerId)
    .orderBy('occurredAt')
    .orderBy('id')
    .execute();
  const history: TopicChoiceEntry[] = rows.map((row) => ({
    id: row.id,
    topic: row.topic,
    subscribed: row.subscribed,
    source: row.source as TopicSource,
    at: row.occurredAt.toISOString(),
    recordedAt: row.recordedAt.toISOString(),
    evidence: masked ? maskEvidence(row.evidence as TopicEvidence) : (row.evidence as TopicEvidence),
  }));
  const latest = new Map<string, TopicChoice>();
  for (const entry of history) latest.set(entry.topic, { topic: entry.topic, subscribed: entry.subscribed, source: entry.source, at: entry.at });
  return { current: [...latest.values()].sort((a, b) => a.topic.localeCompare(b.topic)), history };
}
