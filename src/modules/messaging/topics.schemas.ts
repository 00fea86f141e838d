import { Type } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { topicSources } from '../customers/index.ts';

/** The subscription topics' schemas (topics.ts) and a customer's state on them. */
const Timestamp = Type.String({ description: 'ISO 8601, UTC' });
const Localized = (description: string, maxLength: number) =>
  Type.Object({ ru: Type.Optional(Type.String({ maxLength })), en: Type.Optional(Type.String({ maxLength })) }, { additionalProperties: false, description });

export const TopicSchema = named('Topic', Type.Object({
  key: Type.String({ description: 'What templates name: 1 to 60 lower-case letters, digits, _ or -' }),
  name: Localized('What the preference centre and the account page call it, in ru and en', 100),
  description: Localized('A line under the name: what the customer gets on it', 500),
  defaultSubscribed: Type.Boolean({ description: 'Whether a customer who never chose is on it (true: they may leave it; false: they must join it)' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}));
export const TopicPut = named('TopicPut', Type.Object({
  key: Type.Optional(Type.String({ maxLength: 60, description: 'As GET answers it; must be the key in the path' })),
  name: Localized('The name in ru, en or both (at least one)', 100),
  description: Type.Optional(Localized('A line under the name', 500)),
  defaultSubscribed: Type.Boolean({ description: 'Whether a customer who never chose is on it' }),
  createdAt: Type.Optional(Type.String({ maxLength: 40, description: 'As GET answers it; ignored' })),
  updatedAt: Type.Optional(Type.String({ maxLength: 40, description: 'As GET answers it; ignored' })),
}, { additionalProperties: false }));
export const TopicParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 80, description: 'The topic\'s key (news, offers)' }) });
export const TopicListQuery = Type.Object({ ...pageQuery({ defaultLimit: 50, maxLimit: 500 }) }, { additionalProperties: false });
export const TopicPage = PageOf('TopicPage', TopicSchema);

const TopicEvidence = named('TopicEvidence', Type.Object({
  ip: Type.Optional(Type.String({ maxLength: 64 })),
  userAgent: Type.Optional(Type.String({ maxLength: 500 })),
  messageId: Type.Optional(Type.String({ maxLength: 80, description: 'The message whose preference centre it was made on' })),
  operator: Type.Optional(Type.String({ maxLength: 100 })),
}, { additionalProperties: false }));
const Source = StringEnum([...topicSources, 'default'] as const, { description: 'Where the customer chose (account: /me; preference_centre: a message\'s page; api; operator; import), or default: never chose, the topic\'s default holds' });

export const CustomerTopicsSchema = named('CustomerTopics', Type.Object({
  current: Type.Array(Type.Object({
    topic: Type.String(),
    subscribed: Type.Boolean(),
    source: Source,
    at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the customer chose; null for a default' }),
  }), { description: 'Every topic, with the customer\'s state on it' }),
  history: Type.Array(Type.Object({
    id: Type.String(),
    topic: Type.String(),
    subscribed: Type.Boolean(),
    source: Type.String(),
    at: Type.String({ format: 'date-time' }),
    recordedAt: Type.String({ format: 'date-time' }),
    evidence: TopicEvidence,
  }), { description: 'Every choice the customer made, oldest first; never rewritten' }),
}));

const TopicChoice = Type.Object({
  topic: Type.String({ minLength: 1, maxLength: 80, description: 'A topic\'s key' }),
  subscribed: Type.Boolean(),
  source: Type.Optional(Source),
  at: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()], { description: 'As GET answers it; ignored: a choice is recorded now' })),
  evidence: Type.Optional(TopicEvidence),
}, { additionalProperties: false });
export const PutCustomerTopicsBody = Type.Union([
  named('CustomerTopicsUpdate', Type.Array(TopicChoice, { minItems: 1, maxItems: 50, description: 'Choices made: each different from the customer\'s last choice on its topic is recorded (source api unless given)' })),
  named('CustomerTopicsState', Type.Object({
    current: Type.Array(TopicChoice, { maxItems: 200 }),
    history: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 10_000, description: 'As GET answers it; ignored: history is never rewritten' })),
  }, { additionalProperties: false, description: 'The state as GET answers it: only entries that differ from the customer\'s state now are recorded' })),
]);
export const CustomerTopicsParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 80, description: 'cus_… id' }) });
