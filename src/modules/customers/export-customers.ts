import { stringify } from 'csv-stringify/sync';
import { neutraliseCell } from '../../platform/csv-cells.ts';
import { listAttributeDefinitions } from './attributes.ts';
import { currentConsentsFor } from './consents.ts';
import { loadCustomerRecords } from './customer-record.ts';
import type { DbOrTx } from './customers.db.ts';

const PAGE = 2000;

/**
 * Active customers as CSV, in the import's column layout so an export can be edited and
 * imported back. Streams page by page (keyset on id), so memory stays flat for any size.
 */
export async function* exportCustomersCsv(db: DbOrTx, masked: boolean): AsyncGenerator<string> {
  const definitions = await listAttributeDefinitions(db);
  const sources = (
    await db.selectFrom('customerIdentifiers').select('source').distinct().where('kind', '=', 'external').orderBy('source').execute()
  ).map((row) => row.source);
  const consentPairs = await db.selectFrom('consentEvents').select(['channel', 'purpose']).distinct().orderBy('channel').orderBy('purpose').execute();
  const header = [
    'id',
    'phone',
    'email',
    'card_number',
    ...sources.map((source) => `external_id.${source}`),
    'first_name',
    'last_name',
    'birth_date',
    'gender',
    'city',
    'timezone',
    'locale',
    'tags',
    ...definitions.map((d) => `attr.${d.key}`),
    ...consentPairs.map((p) => `consent.${p.channel}.${p.purpose}`),
  ];
  yield stringify([header.map(neutraliseCell)]);
  let after = '';
  for (;;) {
    const page = await db
      .selectFrom('customers')
      .select('id')
      .where('status', '=', 'active')
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (page.length === 0) return;
    const ids = page.map((row) => row.id);
    const [records, consents] = await Promise.all([loadCustomerRecords(db, ids, masked), currentConsentsFor(db, ids)]);
    const lines = records.map((record) => {
      const current = consents.get(record.id) ?? [];
      return [
        record.id,
        record.phone ?? '',
        record.email ?? '',
        record.cardNumber ?? '',
        ...sources.map((source) => (Object.hasOwn(record.externalIds, source) ? record.externalIds[source] : '')),
        record.firstName ?? '',
        record.lastName ?? '',
        record.birthDate ?? '',
        record.gender ?? '',
        record.city ?? '',
        record.timezone ?? '',
        record.locale ?? '',
        record.tags.join(';'),
        ...definitions.map((d) => {
          const value = Object.hasOwn(record.attributes, d.key) ? record.attributes[d.key] : undefined;
          return value === undefined || value === null ? '' : String(value);
        }),
        ...consentPairs.map((pair) => {
          const state = current.find((c) => c.channel === pair.channel && c.purpose === pair.purpose);
          return state === undefined ? '' : state.granted ? 'yes' : 'no';
        }),
      ];
    });
    // Names, tags, attributes and ids are whatever people typed: none may reach a spreadsheet as a formula.
    yield stringify(lines.map((line) => line.map((cell) => neutraliseCell(cell ?? ''))));
    after = ids.at(-1)!;
  }
}
