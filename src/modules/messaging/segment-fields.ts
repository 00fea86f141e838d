import { sql } from 'kysely';
import { oneOfParam, windowParam, windowSql, type FieldParam, type SegmentField } from '../../platform/segment-fields.ts';
import { topicChoiceSql } from '../customers/index.ts';
import { TOPIC_KEY } from './topics.ts';

/** What happened to a message, as its status history records it (the tracking pixel and links, the relay's and the gateway's reports). */
const interactions = ['sent', 'delivered', 'opened', 'clicked', 'unsubscribed', 'bounced', 'complained', 'failed'] as const;
const channels = ['email', 'sms', 'push', 'telegram'] as const;

const source: FieldParam = {
  required: false,
  describe: 'a campaign (cmp_…) or journey (jrn_…) id: only its messages',
  check: (value) => (typeof value === 'string' && /^(cmp|jrn)_[0-9a-f]{32}$/.test(value) ? null : 'must be a campaign id (cmp_…) or a journey id (jrn_…)'),
};

const topicKey: FieldParam = {
  required: true,
  describe: 'a topic key (GET /v1/messaging/topics lists them)',
  check: (value) => (typeof value === 'string' && TOPIC_KEY.test(value) ? null : 'must be a topic key: 1 to 60 lower-case letters, digits, "_" or "-"'),
};

/**
 * Message interactions and subscription topics as segment fields: "opened a marketing e-mail in
 * the last 30 days", "clicked nothing from the spring campaign", "left the offers topic".
 * A merge moves the duplicate's messages and their history to the survivor (mergeCustomer), so
 * the customer's own id finds them all.
 */
export const messagingSegmentFields: SegmentField[] = [
  {
    key: 'messages.count',
    kind: 'number',
    description: 'Messages with this in their history (sent, delivered, opened, clicked…) in the window, by when it happened; of one channel, campaign or journey when named',
    params: { interaction: oneOfParam(interactions), channel: oneOfParam(channels, false), source, window: windowParam },
    // Counted once a message however often it was opened; the index on (customer_id, status, occurred_at) finds a customer's.
    value: (params, ctx) => sql`(select count(distinct e.message_id)::int from message_events e
      ${params.channel || params.source ? sql`join messages m on m.id = e.message_id` : sql``}
      where e.customer_id = ${ctx.id} and e.status = ${params.interaction as string}
        ${params.channel ? sql`and m.kind = ${params.channel as string}` : sql``}
        ${params.source ? sql`and m.source_id = ${params.source as string}` : sql``}
        ${windowSql(sql`e.occurred_at`, params.window, ctx.now)})`,
  },
  {
    key: 'topic',
    kind: 'boolean',
    description: 'Subscribed to the topic now: the customer\'s latest choice, or the topic\'s default when they never chose (false for a topic that does not exist)',
    params: { key: topicKey },
    value: (params, ctx) => sql`coalesce(${topicChoiceSql(ctx.id, params.key as string)},
      (select t.default_subscribed from message_topics t where t.key = ${params.key as string}), false)`,
  },
];
