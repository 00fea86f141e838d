import { sql, type RawBuilder } from 'kysely';
import { existsSql, oneOfParam, type FieldContext, type FieldParam, type SegmentField } from '../../platform/segment-fields.ts';
import { consentChannels, consentPurposes } from './consents.ts';
import { grantedSql } from './contact-facts.ts';

/**
 * Segments' population and the profile's fields. The population is every active customer, the
 * `customers` row under the alias `c`; the profile fields below read `c`'s columns directly, so
 * they belong with it. `ids` is the customer's id and the ids merged into it (merges are flat:
 * every duplicate names the last survivor), for modules whose rows keep a duplicate's id.
 */
export function segmentPopulation(): { from: RawBuilder<unknown>; where: RawBuilder<unknown>; context: (now: Date, perCustomer: boolean) => FieldContext } {
  return {
    from: sql`customers c`,
    // Only active customers are in a segment (a merged or erased record leaves every segment).
    where: sql`c.status = 'active'`,
    context: (now, perCustomer) => ({
      now,
      perCustomer,
      id: sql<string>`c.id`,
      ids: sql<string[]>`(array[c.id] || array(select d.id from customers d where d.merged_into = c.id))`,
    }),
  };
}

const text = (key: string, column: string, description: string, values?: readonly string[]): SegmentField => ({
  key,
  kind: 'text',
  description,
  ...(values ? { values } : {}),
  value: () => sql.ref(`c.${column}`),
});

const attributeKey: FieldParam = {
  required: true,
  describe: 'the key of a custom attribute (GET /v1/customer-attributes lists them)',
  check: (value) => (typeof value === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(value) ? null : 'must be an attribute key: lower-case letters, digits and _'),
};

const identifierKinds = ['phone', 'email', 'card', 'external'] as const;

export const customerSegmentFields: SegmentField[] = [
  text('profile.firstName', 'first_name', 'First name'),
  text('profile.lastName', 'last_name', 'Last name'),
  text('profile.city', 'city', 'City'),
  text('profile.gender', 'gender', 'Gender', ['female', 'male', 'other']),
  text('profile.locale', 'locale', 'Preferred language (ru, en-GB)'),
  text('profile.timezone', 'timezone', 'Timezone (Europe/Moscow)'),
  { key: 'profile.birthDate', kind: 'date', description: 'Birth date', value: () => sql`c.birth_date` },
  {
    key: 'profile.age',
    kind: 'number',
    description: 'Age in full years today (UTC)',
    value: (_params, ctx) => sql`date_part('year', age(${ctx.now.toISOString().slice(0, 10)}::date, c.birth_date))::int`,
  },
  {
    key: 'profile.daysSinceJoined',
    kind: 'number',
    description: 'Whole days since the customer was created',
    value: (_params, ctx) => sql`floor(extract(epoch from (${ctx.now}::timestamptz - c.created_at)) / 86400)::int`,
  },
  { key: 'profile.tags', kind: 'list', description: 'Tags', value: () => sql`c.tags` },
  {
    key: 'attribute',
    kind: 'json',
    description: 'A custom attribute: compared as a number when the value given is one, as text otherwise',
    params: { key: attributeKey },
    value: (params) => sql`(c.attributes -> ${params.key as string})`,
  },
  {
    key: 'identifier',
    kind: 'boolean',
    description: 'Has an identifier of this kind (a phone, an e-mail, a card, an external id)',
    params: { kind: oneOfParam(identifierKinds) },
    value: (params, ctx) => existsSql(ctx, sql`select 1 from customer_identifiers i where i.customer_id = c.id and i.kind = ${params.kind as string}`),
  },
  {
    key: 'consent',
    kind: 'boolean',
    description: 'Consent given now for the channel and purpose (a consent on channel "all" counts for every channel; the latest decides)',
    params: { channel: oneOfParam(consentChannels), purpose: oneOfParam(consentPurposes) },
    value: (params) => grantedSql(sql`c.id`, params.channel as string, params.purpose as string),
  },
];
