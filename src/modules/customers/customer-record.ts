import type { Selectable } from 'kysely';
import { maskCard, maskEmail, maskPhone } from '../../platform/masking.ts';
import type { DbOrTx } from './customers.db.ts';
import { customerError } from './customers.errors.ts';
import type { CustomersTable } from './customers.tables.ts';
import type { IdentifierKind } from './identifiers.ts';

/** A customer as the API shows it. */
export type CustomerRecord = {
  id: string;
  status: CustomersTable['status'];
  phone: string | null;
  email: string | null;
  cardNumber: string | null;
  externalIds: Record<string, string>;
  identifiers: Array<{ kind: IdentifierKind; source?: string; value: string; primary: boolean }>;
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  gender: CustomersTable['gender'];
  city: string | null;
  timezone: string | null;
  locale: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  erasedAt?: string;
};

export const customerColumns = [
  'id',
  'status',
  'firstName',
  'lastName',
  'birthDate',
  'gender',
  'city',
  'timezone',
  'locale',
  'tags',
  'attributes',
  'createdAt',
  'updatedAt',
  'erasedAt',
] as const;

type CustomerRow = Pick<Selectable<CustomersTable>, (typeof customerColumns)[number]>;

type IdentifierRow = { customerId: string; kind: IdentifierKind; source: string; value: string; isPrimary: boolean };

const maskers: Record<Exclude<IdentifierKind, 'external'>, (value: string) => string> = {
  phone: maskPhone,
  email: maskEmail,
  card: maskCard,
};

export function toRecord(row: CustomerRow, identifiers: IdentifierRow[], masked: boolean): CustomerRecord {
  const shown = identifiers.map((identifier) => ({
    kind: identifier.kind,
    ...(identifier.kind === 'external' ? { source: identifier.source } : {}),
    value: masked && identifier.kind !== 'external' ? maskers[identifier.kind](identifier.value) : identifier.value,
    primary: identifier.isPrimary,
  }));
  const primary = (kind: IdentifierKind) => shown.find((i) => i.kind === kind && i.primary)?.value ?? null;
  const externalIds: Record<string, string> = {};
  for (const identifier of shown) {
    if (identifier.kind === 'external' && identifier.primary && identifier.source) externalIds[identifier.source] = identifier.value;
  }
  return {
    id: row.id,
    status: row.status,
    phone: primary('phone'),
    email: primary('email'),
    cardNumber: primary('card'),
    externalIds,
    identifiers: shown,
    firstName: row.firstName,
    lastName: row.lastName,
    birthDate: row.birthDate,
    gender: row.gender,
    city: row.city,
    timezone: row.timezone,
    locale: row.locale,
    tags: row.tags,
    attributes: row.attributes,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(row.erasedAt ? { erasedAt: row.erasedAt.toISOString() } : {}),
  };
}

/** Loads customers with their identifiers, in the order of `ids`; unknown ids are skipped. */
export async function loadCustomerRecords(db: DbOrTx, ids: string[], masked: boolean): Promise<CustomerRecord[]> {
  if (ids.length === 0) return [];
  const [rows, identifiers] = await Promise.all([
    db.selectFrom('customers').select(customerColumns).where('id', 'in', ids).execute(),
    db
      .selectFrom('customerIdentifiers')
      .select(['customerId', 'kind', 'source', 'value', 'isPrimary'])
      .where('customerId', 'in', ids)
      .orderBy('kind')
      .orderBy('source')
      .orderBy('isPrimary', 'desc')
      .orderBy('createdAt')
      .orderBy('value')
      .execute(),
  ]);
  const byCustomer = new Map<string, IdentifierRow[]>();
  for (const identifier of identifiers) {
    const list = byCustomer.get(identifier.customerId) ?? [];
    list.push(identifier);
    byCustomer.set(identifier.customerId, list);
  }
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toRecord(row, byCustomer.get(id) ?? [], masked)] : [];
  });
}

export async function loadCustomerRecord(db: DbOrTx, id: string, masked: boolean): Promise<CustomerRecord> {
  const [record] = await loadCustomerRecords(db, [id], masked);
  if (!record) throw customerError('customer.not_found', `No customer ${id}`);
  return record;
}

/**
 * The id a caller should act on: a merged customer's id resolves to its survivor (merges keep
 * the chain flat, so one hop is enough). Throws customer.not_found for unknown ids.
 */
export async function resolveCustomerId(db: DbOrTx, id: string): Promise<string> {
  const row = await db.selectFrom('customers').select(['id', 'mergedInto']).where('id', '=', id).executeTakeFirst();
  if (!row) throw customerError('customer.not_found', `No customer ${id}`);
  return row.mergedInto ?? row.id;
}

/** Locks a customer row for a change; merged ids resolve to the survivor first. */
export async function lockCustomer(tx: DbOrTx, id: string): Promise<{ id: string; status: CustomersTable['status'] }> {
  let target = id;
  // A concurrent merge may move the customer between resolving and locking: follow it.
  for (let hop = 0; hop < 3; hop++) {
    const resolved = await resolveCustomerId(tx, target);
    const row = await tx
      .selectFrom('customers')
      .select(['id', 'status', 'mergedInto'])
      .where('id', '=', resolved)
      .forNoKeyUpdate()
      .executeTakeFirstOrThrow();
    if (row.status !== 'merged' || !row.mergedInto) return { id: row.id, status: row.status };
    target = row.mergedInto;
  }
  throw customerError('customer.not_found', `Customer ${id} keeps moving; retry`);
}
