import { Type } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { pageQuery, PageOf } from '../../platform/pagination.ts';
import { consentChannels, consentPurposes, consentSources } from './consents.ts';
import { customerIds } from './customers.ids.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const CustomerId = Type.String({ pattern: customerIds.pattern('cus'), description: 'cus_… id; a merged id resolves to its survivor' });
export const CustomerParams = Type.Object({ id: CustomerId });

const ATTRIBUTE_KEY = '^[a-z][a-z0-9_]{0,62}$';
const SOURCE = '^[a-z][a-z0-9_-]{0,31}$';

const Phone = Type.String({ maxLength: 32, description: 'Any common format; stored as E.164', examples: ['8 (912) 345-67-89'] });
const Email = Type.String({ maxLength: 254, description: 'Trimmed and lower-cased' });
const Card = Type.String({ maxLength: 64, description: 'Loyalty card number; spaces and dashes are dropped' });
const Name = Type.String({ maxLength: 100 });
const BirthDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Gender = StringEnum(['female', 'male', 'other'] as const);
const Timezone = Type.String({ maxLength: 64, description: 'IANA timezone, e.g. Europe/Moscow' });
const Locale = Type.String({ maxLength: 35, description: 'BCP 47 tag, e.g. ru-RU' });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 });
const AttributeValue = Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean(), Type.Null()]);
const Attributes = Type.Record(Type.String({ pattern: ATTRIBUTE_KEY }), AttributeValue, {
  maxProperties: 100,
  description: 'Values of declared attributes (see /v1/customer-attributes); null removes one',
});


export const ConsentEvidence = named('ConsentEvidence', Type.Object(
  {
    ip: Type.Optional(Type.String({ maxLength: 64 })),
    userAgent: Type.Optional(Type.String({ maxLength: 500 })),
    operator: Type.Optional(Type.String({ maxLength: 100 })),
    textVersion: Type.Optional(Type.String({ maxLength: 100, description: 'Version of the consent text the customer saw' })),
  },
  { additionalProperties: false },
));

export const ConsentInput = named('ConsentInput', Type.Object(
  {
    channel: StringEnum(consentChannels),
    purpose: StringEnum(consentPurposes),
    granted: Type.Boolean(),
    source: StringEnum(consentSources),
    evidence: Type.Optional(ConsentEvidence),
    at: Type.Optional(Type.String({ format: 'date-time', description: 'When it was given, if not now' })),
  },
  { additionalProperties: false },
));

const externalIdsOptions = { maxProperties: 20, description: 'External ids by source system, e.g. {"eshop": "A-1001"}' };

export const CreateCustomerBody = named('CustomerCreate', Type.Object(
  {
    phone: Type.Optional(Phone),
    email: Type.Optional(Email),
    cardNumber: Type.Optional(Card),
    externalIds: Type.Optional(Type.Record(Type.String({ pattern: SOURCE }), Type.String({ maxLength: 128 }), externalIdsOptions)),
    firstName: Type.Optional(Name),
    lastName: Type.Optional(Name),
    birthDate: Type.Optional(BirthDate),
    gender: Type.Optional(Gender),
    city: Type.Optional(Name),
    timezone: Type.Optional(Timezone),
    locale: Type.Optional(Locale),
    tags: Type.Optional(Tags),
    attributes: Type.Optional(Attributes),
    consents: Type.Optional(Type.Array(ConsentInput, { maxItems: 50 })),
    source: Type.Optional(Type.String({ pattern: SOURCE, description: 'Where the customer joined, e.g. web, app, kiosk (funnels split by it); a till\'s key records pos, any other key api, when left out' })),
  },
  { additionalProperties: false },
));

export const UpdateCustomerBody = named('CustomerUpdate', Type.Object(
  {
    phone: Type.Optional(Nullable(Phone)),
    email: Type.Optional(Nullable(Email)),
    cardNumber: Type.Optional(Nullable(Card)),
    externalIds: Type.Optional(
      Type.Record(Type.String({ pattern: SOURCE }), Nullable(Type.String({ maxLength: 128 })), { ...externalIdsOptions, description: 'null removes the id of that source' }),
    ),
    firstName: Type.Optional(Nullable(Name)),
    lastName: Type.Optional(Nullable(Name)),
    birthDate: Type.Optional(Nullable(BirthDate)),
    gender: Type.Optional(Nullable(Gender)),
    city: Type.Optional(Nullable(Name)),
    timezone: Type.Optional(Nullable(Timezone)),
    locale: Type.Optional(Nullable(Locale)),
    tags: Type.Optional(Tags),
    attributes: Type.Optional(Attributes),
  },
  { additionalProperties: false, description: 'Merge patch: a field left out stays, null clears it' },
));

export const Customer = Type.Object(
  {
    id: Type.String(),
    status: StringEnum(['active', 'merged', 'erased'] as const),
    phone: Nullable(Type.String()),
    email: Nullable(Type.String()),
    cardNumber: Nullable(Type.String()),
    externalIds: Type.Record(Type.String(), Type.String()),
    identifiers: Type.Array(
      Type.Object({
        kind: StringEnum(['phone', 'email', 'card', 'external'] as const),
        source: Type.Optional(Type.String()),
        value: Type.String(),
        primary: Type.Boolean(),
      }),
    ),
    firstName: Nullable(Type.String()),
    lastName: Nullable(Type.String()),
    birthDate: Nullable(Type.String()),
    gender: Nullable(Gender),
    city: Nullable(Type.String()),
    timezone: Nullable(Type.String()),
    locale: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    erasedAt: Type.Optional(Type.String({ format: 'date-time' })),
    segments: Type.Optional(
      Type.Array(Type.Object({ id: Type.String(), name: Type.String() }), { description: 'GET and PATCH /v1/customers/{id}: the segments the customer is in now (live membership follows a change within seconds)' }),
    ),
    rfm: Type.Optional(
      Nullable(
        Type.Object(
          {
            recency: Type.Integer({ minimum: 1, maximum: 5 }),
            frequency: Type.Integer({ minimum: 1, maximum: 5 }),
            monetary: Type.Integer({ minimum: 1, maximum: 5 }),
            cell: Type.String({ description: 'R F M as three digits, e.g. "545"' }),
            group: Type.String({ description: 'Champions, Loyal, … (docs/rfm.md has the mapping)' }),
            recencyDays: Type.Integer({ description: 'Days since the last purchase when the run scored' }),
            purchases: Type.Integer({ description: 'Purchases in the window' }),
            spentMinor: Type.Integer({ description: 'Money spent in the window net of refunds, minor units' }),
            windowDays: Type.Integer(),
            computedAt: Type.String({ format: 'date-time', description: 'When the run finished' }),
          },
          { description: 'GET and PATCH /v1/customers/{id}: the RFM scores and group of the current run; null when the customer bought nothing in its window or no run is done yet' },
        ),
      ),
    ),
    cluster: Type.Optional(
      Type.Union([Type.Object({ runId: Type.String(), cluster: Type.Integer(), description: Type.String(), unstable: Type.Boolean() }), Type.Null()], {
        description: "GET and PATCH /v1/customers/{id}: the customer's cluster in the latest completed clustering run (GET /v1/clusters); null when they have none",
      }),
    ),
    clv: Type.Optional(
      Type.Union(
        [
          Type.Object({
            runId: Type.String({ description: 'The CLV fit (clv_…) the prediction is from' }),
            expectedPurchases: Type.Number({ description: 'Purchases (purchase days) expected over the horizon' }),
            pAlive: Type.Number({ description: 'The probability the customer still buys, 0–1 (BG/NBD)' }),
            expectedSpendMinor: Type.Integer({ description: 'Expected spend per purchase, minor units (Gamma-Gamma)' }),
            clvMinor: Type.Integer({ description: 'Expected discounted margin over the horizon, minor units' }),
            horizon: Type.Integer({ description: 'How far ahead, in units' }),
            unit: StringEnum(['week', 'day'] as const),
            calibrationEnd: Type.String({ format: 'date', description: 'The last day of purchases the fit saw' }),
          }),
          Type.Null(),
        ],
        { description: "GET and PATCH /v1/customers/{id}: the customer's predicted CLV in the latest completed CLV fit (GET /v1/analytics/clv); null before a fit or for a customer with no purchase by its calibration end" },
      ),
    ),
  },
  { $id: 'Customer' },
);

/** What a till (pos) or partner key sees of a customer: no name, birth date, other cards, tags or attributes. */
export const TillView = named('TillView', Type.Object(
  {
    id: Type.String(),
    phone: Nullable(Type.String({ description: 'Masked, e.g. +7926*****67' })),
    email: Nullable(Type.String({ description: 'Masked, e.g. a***@example.com' })),
    card: Nullable(Type.String({ description: 'The card the till looked the customer up by, or signed them up with; null otherwise' })),
    balance: Type.Integer({ description: 'Points available now' }),
    pendingPoints: Type.Integer({ description: 'Points earned and not yet available (waiting out the return window)' }),
    tier: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  },
  { description: 'The till view: what pos and partner keys get instead of the profile' },
));

/** What identify and sign-up answer: the profile (masked for analysts), or the till view for pos and partner keys. */
export const CustomerOrTillView = Type.Union([TillView, Type.Ref('Customer')]);

/** The fields a role without customers:write (a till) may sign a customer up with. */
export const tillSignUpFields = ['phone', 'cardNumber', 'consents'] as const;

export const LookupQuery = Type.Object(
  {
    phone: Type.Optional(Type.String({ maxLength: 32 })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    card: Type.Optional(Type.String({ maxLength: 64 })),
    externalId: Type.Optional(Type.String({ maxLength: 161, description: '<source>:<id>, e.g. eshop:A-1001' })),
  },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Start of a phone, e-mail, card, external id or name. Roles that see contacts masked (analyst) match identifiers only whole: a whole phone, e-mail, card or external id, or the start of a name',
      }),
    ),
    status: Type.Optional(StringEnum(['active', 'merged', 'erased'] as const)),
    tag: Type.Optional(Type.String({ maxLength: 64 })),
    ...pageQuery({ defaultLimit: 50, maxLimit: 500 }),
  },
  { additionalProperties: false },
);

export const CustomerPage = PageOf('CustomerPage', Type.Ref('Customer'));

const ConsentState = named('ConsentState', Type.Object({
  channel: Type.String(),
  purpose: Type.String(),
  granted: Type.Boolean(),
  source: Type.String(),
  at: Type.String({ format: 'date-time' }),
}));

export const ConsentView = named('ConsentView', Type.Object({
  current: Type.Array(ConsentState),
  history: Type.Array(
    Type.Intersect([ConsentState, Type.Object({ id: Type.String(), recordedAt: Type.String(), evidence: ConsentEvidence })]),
  ),
}));

export const PutConsentsBody = Type.Union([
  named('ConsentsUpdate', Type.Array(ConsentInput, { minItems: 1, maxItems: 50, description: 'Consents given or withdrawn: each is recorded' })),
  named('ConsentsState', Type.Object(
    {
      current: Type.Array(ConsentInput, { maxItems: 200 }),
      history: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), { description: 'As GET answers it; ignored: history is never rewritten' })),
    },
    { additionalProperties: false, description: 'The state as GET answers it: only entries that differ from the current state are recorded' },
  )),
]);

export const MergeBody = named('MergeRequest', Type.Object({ from: CustomerId }, { additionalProperties: false }));

export const AttributeParams = Type.Object({ key: Type.String({ pattern: ATTRIBUTE_KEY }) });
export const AttributeBody = named('AttributeDeclaration', Type.Object(
  {
    key: Type.Optional(Type.String({ pattern: ATTRIBUTE_KEY, description: 'As GET answers it: must be the key in the path' })),
    type: StringEnum(['string', 'number', 'integer', 'boolean', 'date', 'enum'] as const),
    label: Type.String({ minLength: 1, maxLength: 200 }),
    options: Type.Optional(Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 200, description: 'enum only; null or left out for the other types' }))),
    personal: Type.Optional(Type.Boolean({ description: 'Erase values with the customer (string attributes always are)' })),
  },
  { additionalProperties: false },
));
export const AttributeDefinition = named('AttributeDefinition', Type.Object({
  key: Type.String(),
  type: Type.String(),
  label: Type.String(),
  options: Nullable(Type.Array(Type.String())),
  personal: Type.Boolean(),
}));
export const AttributePage = PageOf('AttributeDefinitionPage', AttributeDefinition);
export const AttributeListQuery = Type.Object(pageQuery({ defaultLimit: 100, maxLimit: 500 }), { additionalProperties: false });
