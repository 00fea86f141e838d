import { sql } from 'kysely';
import { windowParam, windowSql, type FieldParam, type SegmentField } from '../../platform/segment-fields.ts';

const eventType: FieldParam = {
  required: true,
  describe: 'an event type (review.posted, app.login, customer.joined, your own)',
  check: (value) => (typeof value === 'string' && /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/.test(value) && value.length <= 100 ? null : 'must be an event type: lower-case words joined by dots'),
};

const properties: FieldParam = {
  required: false,
  describe: 'properties the event must have, each equal to its value ({"rating": 5})',
  check: (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length >= 1 && Object.keys(value).length <= 20 &&
    Object.values(value).every((item) => ['string', 'number', 'boolean'].includes(typeof item))
      ? null
      : 'must be an object of 1 to 20 properties, each a string, a number or true/false',
};

/** Customer events (posted by apps and tills, or Patron's own): merges move them to the survivor, so the customer's own id finds them all. */
export const engagementSegmentFields: SegmentField[] = [
  {
    key: 'events.count',
    kind: 'number',
    description: 'Events of the type (with those properties) in the window, by the time they happened',
    params: { type: eventType, properties, window: windowParam },
    value: (params, ctx) => sql`(select count(*)::int from customer_events e where e.customer_id = ${ctx.id} and e.type = ${params.type as string}
      ${params.properties ? sql`and e.properties @> ${JSON.stringify(params.properties)}::jsonb` : sql``}
      ${windowSql(sql`e.occurred_at`, params.window, ctx.now)})`,
  },
];
