import { Type } from 'typebox';
import { mergePatchSchema } from '../../platform/merge-patch.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { lotteryIds } from './lotteries.ids.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });
const Hex64 = (description: string) => Type.String({ pattern: '^[0-9a-f]{64}$', description });
const MaxEntries = Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'At most this many entries from the rule per customer' }));

export const LotteryId = Type.String({ pattern: lotteryIds.pattern('ltr'), description: 'ltr_… id' });
export const LotteryParams = Type.Object({ id: LotteryId });
export const statuses = ['upcoming', 'open', 'closed', 'drawn', 'cancelled'] as const;

export const EntryRuleSchema = named('LotteryEntryRule', Type.Union([
  Type.Object(
    {
      kind: Type.Literal('spend'),
      perMinor: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'One entry per this much net spend in the period, in minor units (100000 is 1,000.00): confirmed receipts\' paid amounts minus their refunds' }),
      tierMultipliers: Type.Optional(Type.Record(Id, Type.Integer({ minimum: 1, maximum: 100 }), { description: 'Tier id → multiplier of the spend entries, by the tier the customer holds at the draw: {"gold": 2}' })),
      maxEntries: MaxEntries,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('action'),
      eventType: Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,63}$', description: 'The type of an accepted customer event (POST /v1/events) in the period: survey.answered, app.login, …' }),
      entries: Type.Integer({ minimum: 1, maximum: 1000, description: 'Entries per such event' }),
      maxEntries: MaxEntries,
    },
    { additionalProperties: false },
  ),
], { description: 'A customer\'s entries are the sum over the rules' }));

export const PrizeSchema = named('LotteryPrize', Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    rewardId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A reward of the catalog the winner receives (GET /v1/rewards); left out: a prize handed over by hand' })),
    count: Type.Integer({ minimum: 1, maximum: 1000, description: 'How many winners get it' }),
  },
  { additionalProperties: false },
));

const EntryPeriod = named('LotteryEntryPeriod', Type.Object(
  {
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time', description: 'Exclusive: what happens at `to` is out; the draw may run from then on' }),
  },
  { additionalProperties: false },
));

const definitionFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  entryPeriod: EntryPeriod,
  rules: Type.Array(EntryRuleSchema, { minItems: 1, maxItems: 20 }),
  prizes: Type.Array(PrizeSchema, { minItems: 1, maxItems: 50, description: 'In draw order: the first prize goes to the first winner drawn' }),
};

export const LotteryCreate = named('LotteryCreate', Type.Object(definitionFields, { additionalProperties: false }));

export const LotteryPatch = mergePatchSchema(
  'LotteryPatch',
  Type.Object({
    ...definitionFields,
    status: Type.Literal('cancelled', { description: 'Cancel the lottery (before its draw)' }),
    version: Type.Integer({ minimum: 1, description: 'The version you read: if another was saved since, 409 lottery.version_conflict' }),
  }),
  'A JSON merge patch (RFC 7396). The name and description change any time; the period, rules and prizes only before the entry period starts',
);

export const WinnerSchema = named('LotteryWinner', Type.Object({
  slot: Type.Integer({ description: 'The prize slot: the prizes in order, each repeated count times, from 0' }),
  prizeIndex: Type.Integer({ description: 'Which prize of `prizes` (from 0)' }),
  prizeName: Type.String(),
  customerId: Type.String({ description: 'The winner\'s customer id (an opaque id, not personal data)' }),
  ticket: Type.Integer({ description: 'The ticket number drawn, among the tickets of those who had not won yet' }),
  attempts: Type.Integer({ description: 'HMAC draws it took (more than 1 only when a value fell in the rejected top range)' }),
  rewardId: Nullable(Type.String()),
  prizeStatus: StringEnum(['granted', 'pending', 'failed', 'no_reward'] as const, {
    description: 'granted: the reward was issued (orderId); pending: waits to be issued; failed: the rewards service refused (see failure); no_reward: a prize handed over by hand',
  }),
  orderId: Nullable(Type.String()),
  failure: Nullable(Type.String()),
}));

export const LotterySchema = named('Lottery', Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  status: StringEnum(statuses, { description: 'upcoming before the entry period, open in it, closed after it until drawn' }),
  entryPeriod: EntryPeriod,
  rules: Type.Array(EntryRuleSchema),
  prizes: Type.Array(PrizeSchema),
  algorithm: Type.String({ description: 'The draw algorithm (docs/lotteries.md): patron-lottery-v1' }),
  commitment: Hex64('SHA-256 of the secret seed\'s 32 bytes, published from the lottery\'s creation on'),
  seed: Nullable(Hex64('The seed, revealed by the draw (null until then)')),
  entriesDigest: Nullable(Hex64('SHA-256 of the canonical entries list the draw froze')),
  entrants: Nullable(Type.Integer()),
  totalEntries: Nullable(Type.Integer()),
  winners: Type.Array(WinnerSchema),
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  drawnAt: Nullable(Type.String()),
}));

export const LotteryListQuery = Type.Object(
  { ...pageQuery({ defaultLimit: 50, maxLimit: 500 }), status: Type.Optional(StringEnum(statuses)) },
  { additionalProperties: false },
);
export const LotteryPage = PageOf('LotteryPage', LotterySchema);

export const EntrySchema = named('LotteryEntry', Type.Object({
  customerId: Type.String({ description: 'The entrant\'s customer id (an opaque id, not personal data)' }),
  entries: Type.Integer(),
  firstTicket: Type.Integer({ description: 'The entrant holds tickets firstTicket … firstTicket + entries − 1' }),
  spendEntries: Type.Integer(),
  actionEntries: Type.Integer(),
}));
export const EntriesQuery = Type.Object({ ...pageQuery({ defaultLimit: 1000, maxLimit: 10_000 }) }, { additionalProperties: false });
export const EntryPage = PageOf('LotteryEntryPage', EntrySchema);

export const CustomerEntrySchema = named('CustomerLotteryEntry', Type.Object({
  lotteryId: Type.String(),
  lotteryName: Type.String(),
  status: StringEnum(statuses),
  entries: Type.Integer({ description: 'Frozen by the draw; before it, what the customer has earned so far' }),
  won: Type.Boolean(),
  prizeName: Nullable(Type.String()),
}));
export const CustomerEntryQuery = Type.Object({ ...pageQuery({ defaultLimit: 50, maxLimit: 500 }) }, { additionalProperties: false });
export const CustomerEntryPage = PageOf('CustomerLotteryEntryPage', CustomerEntrySchema);
