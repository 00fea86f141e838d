import type { Actor } from '../../platform/actor.ts';
import { AppError } from '../../platform/errors.ts';
import type { TopicEvidence } from '../customers/index.ts';
import type { Found } from './link-clicks.ts';
import type { CustomerTopicState, Topics, TopicView } from './topics.ts';

/**
 * The preference centre behind a message's unsubscribe link: the message's topic to leave in one
 * click, every topic with the customer's state to change, the channel, all marketing. The link's
 * signature is the proof of who the customer is (as for the one-click unsubscribe); each change
 * is recorded in the customer's topic history with the message and the request as evidence.
 */
export type PreferenceView = { message: Found; topics: TopicView[]; state: CustomerTopicState[]; customerLocale: string | null };
export type Visitor = { ip?: string; userAgent?: string };

const actor: Actor = { keyId: null, name: 'preference centre', role: null };
const evidenceOf = (message: Found, visitor: Visitor): TopicEvidence => ({
  messageId: message.id,
  ...(visitor.ip ? { ip: visitor.ip } : {}),
  ...(visitor.userAgent ? { userAgent: visitor.userAgent.slice(0, 500) } : {}),
});

export function createPreferenceCentre(deps: {
  target: (token: string) => Promise<Found | null>;
  topics: Topics;
  customerLocale: (customerId: string) => Promise<string | null>;
  changed: (message: Found, topics: string[]) => Promise<void>;
}) {
  const save = async (message: Found, choices: Array<{ topic: string; subscribed: boolean }>, visitor: Visitor): Promise<string[]> => {
    if (!message.customerId || choices.length === 0) return [];
    const before = new Map((await deps.topics.forCustomer(message.customerId)).current.map((entry) => [entry.topic, entry.subscribed]));
    const evidence = evidenceOf(message, visitor);
    // Only what differs from what the page showed is recorded (a default left as it was stays a default).
    const wanted = choices.filter((choice) => before.has(choice.topic) && before.get(choice.topic) !== choice.subscribed);
    if (wanted.length === 0) return [];
    try {
      await deps.topics.setForCustomer(message.customerId, wanted.map((choice) => ({ ...choice, evidence })), actor, { onlyChanges: true, source: 'preference_centre' });
    } catch (error) {
      // An erased customer's old link: nothing of theirs is kept to change, and nothing will be sent to them.
      if (error instanceof AppError && error.code === 'customer.erased') return [];
      throw error;
    }
    const changed = wanted.map((choice) => choice.topic);
    await deps.changed(message, changed);
    return changed;
  };
  return {
    /** The language the message's customer chose (the page's language comes from it when the link does not say). */
    customerLocale: async (customerId: string | null) => (customerId ? deps.customerLocale(customerId) : null),
    /** What the page shows; null when the link is not one we signed. */
    async view(token: string): Promise<PreferenceView | null> {
      const message = await deps.target(token);
      if (!message) return null;
      const [topics, state, customerLocale] = message.customerId
        ? await Promise.all([deps.topics.all(), deps.topics.forCustomer(message.customerId).then((view) => view.current), deps.customerLocale(message.customerId)])
        : [[], [], null];
      return { message, topics, state, customerLocale };
    },
    /** Leaves the message's topic; answers the message and the topic, or null when the link is not valid. */
    async leaveTopic(token: string, visitor: Visitor): Promise<{ message: Found; topic: TopicView | null } | null> {
      const message = await deps.target(token);
      if (!message) return null;
      const topic = message.topic ? (await deps.topics.all()).find((known) => known.key === message.topic) ?? null : null;
      if (topic) await save(message, [{ topic: topic.key, subscribed: false }], visitor);
      return { message, topic };
    },
    /** The page's checkboxes: each topic shown is subscribed when ticked, left when not. */
    async saveTopics(token: string, ticked: string[], shown: string[], visitor: Visitor): Promise<{ message: Found; changed: string[] } | null> {
      const message = await deps.target(token);
      if (!message) return null;
      const changed = await save(message, [...new Set(shown)].map((topic) => ({ topic, subscribed: ticked.includes(topic) })), visitor);
      return { message, changed };
    },
  };
}
