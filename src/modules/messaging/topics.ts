import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { decodeCursor, pageOf, type Page } from '../../platform/pagination.ts';
import type { TopicChoiceInput, TopicChoices, TopicEvidence, TopicSource } from '../customers/index.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';

/**
 * Subscription topics ("news", "offers", "surveys"): a customer keeps a channel and leaves a
 * topic. The marketer defines them here; a template names one (its campaigns and journey steps
 * send on it); the sender skips a marketing message whose topic the customer left. Whether a
 * customer who never chose is subscribed is the topic's default (opt-out or opt-in). The
 * customer's choices, with evidence and history, are customers' (customer-topics.ts), reached
 * through the port buildApp passes.
 */
export type Localized = Partial<Record<'ru' | 'en', string>>;
export type TopicInput = { name: Localized; description?: Localized; defaultSubscribed: boolean };
export type TopicView = { key: string; name: Localized; description: Localized; defaultSubscribed: boolean; createdAt: string; updatedAt: string };

/** A customer's state on each topic: their latest choice, or the topic's default when they never chose. */
export type CustomerTopicState = { topic: string; subscribed: boolean; source: TopicSource | 'default'; at: string | null };
export type CustomerTopicsView = { current: CustomerTopicState[]; history: TopicChoices['history'] };

/** The customers' port (customers' index.ts, wired by buildApp). */
export type TopicChoicesPort = {
  current: (customerIds: string[], topics?: string[]) => Promise<Map<string, Map<string, boolean>>>;
  load: (customerId: string, masked: boolean) => Promise<TopicChoices>;
  set: (customerId: string, inputs: TopicChoiceInput[], actor: Actor) => Promise<{ customerId: string; changed: string[] }>;
};

export const TOPIC_KEY = /^[a-z0-9][a-z0-9_-]{0,59}$/;
const keyRule = 'a topic key is 1 to 60 lower-case letters, digits, "_" or "-", starting with a letter or digit (news, offers)';

type Row = { key: string; name: Localized; description: Localized; defaultSubscribed: boolean; createdAt: Date; updatedAt: Date };
const view = (row: Row): TopicView => ({
  key: row.key,
  name: row.name,
  description: row.description,
  defaultSubscribed: row.defaultSubscribed,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const isKeyCursor = (value: unknown): value is string => typeof value === 'string' && TOPIC_KEY.test(value);

export function createTopics(deps: { db: Db; clock: Clock; choices: TopicChoicesPort }) {
  const { db, clock } = deps;
  const all = async (): Promise<TopicView[]> => ((await db.selectFrom('messageTopics').selectAll().orderBy('key').execute()) as Row[]).map(view);
  const unknown = (key: string, known: TopicView[]) =>
    messagingError('messaging.invalid_topic', `topic: there is no topic "${key}"; the topics are ${known.length > 0 ? known.map((t) => t.key).join(', ') : 'none yet (PUT /v1/messaging/topics/{key} defines one)'}`, [{ field: 'topic', reason: `names no topic; allowed: ${known.map((t) => t.key).join(', ')}` }]);

  /** Every topic with the customer's state on it (their choice, else the default), and the history of their choices. */
  const forCustomer = async (customerId: string, masked = false): Promise<CustomerTopicsView> => {
    const [topics, choices] = await Promise.all([all(), deps.choices.load(customerId, masked)]);
    const chosen = new Map(choices.current.map((choice) => [choice.topic, choice]));
    return {
      current: topics.map((topic) => {
        const choice = chosen.get(topic.key);
        return choice ? { topic: topic.key, subscribed: choice.subscribed, source: choice.source, at: choice.at } : { topic: topic.key, subscribed: topic.defaultSubscribed, source: 'default' as const, at: null };
      }),
      history: choices.history,
    };
  };

  return {
    all,
    async list(limit: number, cursor?: string): Promise<Page<TopicView>> {
      const after = decodeCursor(cursor, isKeyCursor);
      let query = db.selectFrom('messageTopics').selectAll().orderBy('key').limit(limit + 1);
      if (after) query = query.where('key', '>', after);
      const page = pageOf((await query.execute()) as Row[], limit, (row) => row.key);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
    async get(key: string): Promise<TopicView> {
      const row = TOPIC_KEY.test(key) ? await db.selectFrom('messageTopics').selectAll().where('key', '=', key).executeTakeFirst() : undefined;
      if (!row) throw messagingError('messaging.topic_not_found', `No topic "${key}"; GET /v1/messaging/topics lists them`);
      return view(row as Row);
    },
    /** Defines a topic or replaces its names, description and default; the key never changes (templates name it). */
    async put(key: string, input: TopicInput & { key?: string }, actor: Actor): Promise<TopicView> {
      if (!TOPIC_KEY.test(key)) throw messagingError('messaging.invalid_topic', `key: ${keyRule}; got "${key.slice(0, 80)}"`, [{ field: 'key', reason: keyRule }]);
      if (input.key !== undefined && input.key !== key) throw messagingError('messaging.invalid_topic', `key: the body's key "${input.key}" is not the path's "${key}"; a topic's key cannot change`, [{ field: 'key', reason: 'must be the key in the path' }]);
      if (!input.name.ru?.trim() && !input.name.en?.trim()) throw messagingError('messaging.invalid_topic', 'name: give the topic\'s name in ru, en or both (the preference centre shows it)', [{ field: 'name', reason: 'needs ru or en' }]);
      const now = clock.now();
      const values = { name: JSON.stringify(input.name), description: JSON.stringify(input.description ?? {}), defaultSubscribed: input.defaultSubscribed };
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('messageTopics')
          .values({ key, ...values, createdAt: now, updatedAt: now })
          .onConflict((oc) => oc.column('key').doUpdateSet({ ...values, updatedAt: now }))
          .returningAll()
          .executeTakeFirstOrThrow();
        await writeAudit(tx, clock, actor, { action: 'topic.put', entityType: 'topic', entityId: key, details: { defaultSubscribed: input.defaultSubscribed } });
        return view(row as Row);
      });
    },
    /** A template's topic must be one defined (a typo would make a topic no customer can leave). */
    async check(key: string | null | undefined): Promise<void> {
      if (key === null || key === undefined) return;
      const known = await all();
      if (!known.some((topic) => topic.key === key)) throw unknown(key, known);
    },
    forCustomer,
    /**
     * Records a customer's choices. `onlyChanges`: the state GET answered, sent back: an entry equal
     * to the customer's state now (their choice, or the default) records nothing.
     */
    async setForCustomer(
      customerId: string,
      inputs: Array<{ topic: string; subscribed: boolean; source?: TopicSource | 'default'; evidence?: TopicEvidence }>,
      actor: Actor,
      options: { onlyChanges: boolean; source: TopicSource },
    ): Promise<CustomerTopicsView> {
      const known = await all();
      const missing = inputs.find((input) => !known.some((topic) => topic.key === input.topic));
      if (missing) throw unknown(missing.topic, known);
      let wanted = inputs;
      if (options.onlyChanges) {
        const state = new Map((await forCustomer(customerId)).current.map((entry) => [entry.topic, entry.subscribed]));
        wanted = inputs.filter((input) => state.get(input.topic) !== input.subscribed);
      }
      const { customerId: id } = await deps.choices.set(
        customerId,
        wanted.map((input) => ({
          topic: input.topic,
          subscribed: input.subscribed,
          source: input.source && input.source !== 'default' ? input.source : options.source,
          ...(input.evidence ? { evidence: input.evidence } : {}),
        })),
        actor,
      );
      return forCustomer(id);
    },
    /**
     * Which of these customers left `topic` (their latest choice says so, or they never chose and
     * the topic is opt-in): the sender's check, one query for many. A topic no longer defined has
     * no default: only a customer's own "no" counts.
     */
    async leftBy(customerIds: string[], topicKeys: string[]): Promise<Map<string, Set<string>>> {
      const left = new Map<string, Set<string>>(topicKeys.map((key) => [key, new Set<string>()]));
      if (customerIds.length === 0 || topicKeys.length === 0) return left;
      const [defined, choices] = await Promise.all([
        db.selectFrom('messageTopics').select(['key', 'defaultSubscribed']).where('key', 'in', topicKeys).execute(),
        deps.choices.current(customerIds, topicKeys),
      ]);
      const defaults = new Map(defined.map((row) => [row.key, row.defaultSubscribed]));
      for (const key of topicKeys) {
        for (const customerId of customerIds) {
          const subscribed = choices.get(customerId)?.get(key) ?? defaults.get(key) ?? true;
          if (!subscribed) left.get(key)!.add(customerId);
        }
      }
      return left;
    },
  };
}

export type Topics = ReturnType<typeof createTopics>;
