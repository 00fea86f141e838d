import { Type } from 'typebox';
import { mergePatchSchema } from '../../platform/merge-patch.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Points = (description: string) => Type.Integer({ minimum: 0, maximum: 1_000_000, description });
const Days = (description: string, minimum: number) => Type.Integer({ minimum, maximum: 3650, description });
const Cap = (description: string) => Type.Integer({ minimum: 0, maximum: 1_000_000, description: `${description}; 0: no limit` });

export const referralStatuses = ['invited', 'qualified', 'rewarded', 'expired', 'void'] as const;
const Status = StringEnum(referralStatuses, {
  description: 'invited: named, no qualifying purchase yet; qualified: purchase made, reward waits for its pending period; rewarded; expired: no qualifying purchase in time; void: undone by a merge or an erase',
});

/** The settings a marketer writes (GET answers them with version and updatedAt). */
const settingsFields = {
  enabled: Type.Boolean({ description: 'Off: codes still show, but no referrer can be named' }),
  referrerPoints: Points('Points the referrer gets for each friend whose first qualifying purchase stands'),
  refereePoints: Points('Points the new customer gets for that purchase'),
  qualifyingPurchaseMinor: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'The least a receipt must have paid (returns deducted), in minor units (kopecks: 100000 is 1,000.00)' }),
  joinWindowDays: Days('A referrer is named at most this many days after the customer joined (and before the first purchase)', 0),
  qualifyWithinDays: Days('The qualifying purchase must be made within this many days of naming the referrer', 1),
  capPerReferrerPerMonth: Cap('Customers one referrer may bring in a calendar month (UTC)'),
  capPerReferrerTotal: Cap('Customers one referrer may bring in all'),
  linkTemplate: Type.Optional(Type.String({ minLength: 7, maxLength: 500, pattern: '^https?://\\S*\\{code\\}\\S*$', description: 'An https link with {code} where the code goes: https://shop.example/r/{code}' })),
};

export const ReferralProgramSettingsSchema = named('ReferralProgramSettings', Type.Object(settingsFields, { additionalProperties: false }));

export const ReferralProgram = named('ReferralProgram', Type.Object({
  ...settingsFields,
  version: Type.Integer(),
  updatedAt: Nullable(Type.String()),
}));

export const ReferralProgramReplacement = named('ReferralProgramReplacement', Type.Object({
  ...settingsFields,
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version you read: if another was saved since, 409 referral_program.version_conflict' })),
  updatedAt: Type.Optional(Nullable(Type.String({ description: 'Read-only; ignored' }))),
}, { additionalProperties: false }));

export const ReferralProgramPatch = mergePatchSchema('ReferralProgramPatch', Type.Object({ ...settingsFields, version: Type.Integer({ minimum: 1 }), updatedAt: Type.String() }));

export const CustomerParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40, description: 'cus_… id (a merged id answers for its survivor)' }) });

export const ReferralSummary = named('ReferralSummary', Type.Object({
  customerId: Type.String(),
  code: Type.String({ description: 'The customer\'s referral code: 8 characters without look-alikes (no 0/O, 1/I/L); given at sign-up, never changes' }),
  link: Type.Optional(Type.String({ description: 'The program\'s link template with the code, when one is set' })),
  referredBy: Type.Optional(Type.Object({
    referralId: Type.String(),
    referrerId: Type.String(),
    code: Type.String(),
    status: Status,
    qualifyBy: Type.String({ description: 'The qualifying purchase must be made by then' }),
    rewardDueAt: Type.Optional(Type.String({ description: 'When the qualifying purchase\'s pending period ends and both sides are rewarded' })),
    rewardedAt: Type.Optional(Type.String()),
  }, { description: 'Who brought this customer, when a referrer was named' })),
  referrals: Type.Object({
    invited: Type.Integer({ description: 'Customers who named this customer\'s code (all of them, whatever became of them)' }),
    qualified: Type.Integer({ description: 'Of them, those whose qualifying purchase was made (rewarded ones included)' }),
    rewarded: Type.Integer({ description: 'Of them, those for whom both sides were rewarded' }),
  }),
  rewardsEarned: Type.Integer({ description: 'Points this customer earned as a referrer' }),
}));

export const Referral = named('Referral', Type.Object({
  id: Type.String(),
  customerId: Type.String({ description: 'The referee: the customer who named the code' }),
  referrerId: Type.String(),
  code: Type.String(),
  status: Status,
  referrerPoints: Type.Integer({ description: 'The terms when the code was named' }),
  refereePoints: Type.Integer(),
  qualifyingPurchaseMinor: Type.Integer({ description: 'In minor units' }),
  qualifyBy: Type.String(),
  receiptId: Nullable(Type.String({ description: 'The qualifying receipt' })),
  qualifiedAt: Nullable(Type.String()),
  rewardDueAt: Nullable(Type.String()),
  rewardedAt: Nullable(Type.String()),
  voidReason: Nullable(Type.String()),
  createdAt: Type.String(),
}));

export const RefereeItem = named('Referee', Type.Object({
  ...Referral.properties,
  referee: Type.Object({
    phone: Nullable(Type.String()),
    email: Nullable(Type.String()),
  }, { description: 'The referee\'s contacts, masked' }),
}));
export const RefereePage = PageOf('RefereePage', RefereeItem);

export const RefereeQuery = Type.Object(
  { ...pageQuery({ defaultLimit: 50, maxLimit: 100 }), status: Type.Optional(Status) },
  { additionalProperties: false },
);

const Secret = (description: string) => Type.String({ minLength: 4, maxLength: 500, description: `${description}; stored only as a SHA-256 hash` });

export const ReferrerBody = named('ReferrerNaming', Type.Object({
  code: Type.String({ minLength: 4, maxLength: 40, description: 'The referrer\'s code (case, spaces and dashes do not matter)' }),
  deviceId: Type.Optional(Secret('The app\'s device id')),
  paymentToken: Type.Optional(Secret('A payment card token from the acquirer')),
}, { additionalProperties: false }));

export const FingerprintBody = named('ReferralFingerprints', Type.Object({
  deviceId: Type.Optional(Secret('The app\'s device id')),
  paymentToken: Type.Optional(Secret('A payment card token from the acquirer')),
}, { additionalProperties: false, minProperties: 1 }));

export const FingerprintResult = named('ReferralFingerprintsRecorded', Type.Object({
  customerId: Type.String(),
  recorded: Type.Integer({ description: 'Hashes new for this customer (contacts included); 0 when all were known' }),
}));
