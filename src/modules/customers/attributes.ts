import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { decodeCursor, isTextKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { Db, DbOrTx } from './customers.db.ts';
import { customerError } from './customers.errors.ts';
import type { AttributeDefinitionsTable } from './customers.tables.ts';

export type AttributeType = AttributeDefinitionsTable['type'];
export type AttributeValue = string | number | boolean;
export type AttributeDefinition = {
  key: string;
  type: AttributeType;
  label: string;
  options: string[] | null;
  personal: boolean;
};

/** What PUT takes: what GET answers (`key` must then be the route's, `options` may be null), or less. */
export type AttributeDefinitionInput = Omit<AttributeDefinition, 'key' | 'options' | 'personal'> & {
  key?: string;
  options?: string[] | null;
  personal?: boolean;
};

const columns = ['key', 'type', 'label', 'options', 'personal'] as const;

export async function listAttributeDefinitions(db: DbOrTx): Promise<AttributeDefinition[]> {
  return db.selectFrom('attributeDefinitions').select(columns).orderBy('key').execute();
}

/** The definitions by key, a page at a time. */
export async function pageAttributeDefinitions(db: DbOrTx, limit: number, cursor?: string): Promise<Page<AttributeDefinition>> {
  const after = decodeCursor(cursor, isTextKey);
  let query = db.selectFrom('attributeDefinitions').select(columns).orderBy('key').limit(limit + 1);
  if (after !== undefined) query = query.where('key', '>', after);
  return pageOf(await query.execute(), limit, (row) => row.key);
}

export async function getAttributeDefinition(db: DbOrTx, key: string): Promise<AttributeDefinition> {
  const definition = await db.selectFrom('attributeDefinitions').select(columns).where('key', '=', key).executeTakeFirst();
  if (!definition) throw customerError('attribute.not_found', `No attribute ${key} is declared`);
  return definition;
}

export async function attributeDefinitionMap(db: DbOrTx): Promise<Map<string, AttributeDefinition>> {
  const list = await listAttributeDefinitions(db);
  return new Map(list.map((definition) => [definition.key, definition]));
}

export async function putAttributeDefinition(
  db: Db,
  clock: Clock,
  actor: Actor,
  key: string,
  input: AttributeDefinitionInput,
): Promise<{ definition: AttributeDefinition; created: boolean }> {
  if (input.key !== undefined && input.key !== key) {
    throw customerError('attribute.invalid', `key: the body names ${input.key} while the path names ${key}`, [{ field: 'key', reason: 'must be the key in the path' }]);
  }
  if (input.type === 'enum' && (!input.options || input.options.length === 0)) {
    throw customerError('attribute.invalid', 'An enum attribute needs a non-empty list of options', [
      { field: 'options', reason: 'is required for type enum' },
    ]);
  }
  if (input.type !== 'enum' && input.options !== undefined && input.options !== null) {
    throw customerError('attribute.invalid', 'Only enum attributes take options', [{ field: 'options', reason: 'only for type enum' }]);
  }
  const options = input.type === 'enum' ? [...new Set(input.options)] : null;
  return db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('attributeDefinitions').select(columns).where('key', '=', key).forUpdate().executeTakeFirst();
    if (existing && existing.type !== input.type) {
      throw customerError('attribute.type_change', `Attribute ${key} is a ${existing.type}; define a new key instead`);
    }
    const now = clock.now();
    const definition = await tx
      .insertInto('attributeDefinitions')
      .values({ key, type: input.type, label: input.label, options, personal: input.personal ?? false, createdAt: now, updatedAt: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({ label: input.label, options, personal: input.personal ?? existing?.personal ?? false, updatedAt: now }),
      )
      .returning(columns)
      .executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, {
      action: existing ? 'attribute.update' : 'attribute.create',
      entityType: 'attribute',
      entityId: key,
      details: { type: input.type },
    });
    return { definition, created: !existing };
  });
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function checkValue(definition: AttributeDefinition, value: unknown): string | null {
  switch (definition.type) {
    case 'string':
      return typeof value === 'string' && value.length <= 1000 ? null : 'must be text of at most 1000 characters';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'integer':
      return Number.isSafeInteger(value) ? null : 'must be a whole number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? null : 'must be a date YYYY-MM-DD';
    case 'enum':
      return typeof value === 'string' && definition.options?.includes(value) ? null : `must be one of ${definition.options?.join(', ')}`;
  }
}

/**
 * Checks values against their declared definitions. Null means "remove the value".
 * Returns the values to set, the keys to remove and every problem found.
 */
export function checkAttributes(
  values: Record<string, unknown>,
  definitions: Map<string, AttributeDefinition>,
): { set: Record<string, AttributeValue>; remove: string[]; problems: FieldProblem[] } {
  const set: Record<string, AttributeValue> = {};
  const remove: string[] = [];
  const problems: FieldProblem[] = [];
  for (const [key, value] of Object.entries(values)) {
    const definition = definitions.get(key);
    if (!definition) {
      problems.push({ field: `attributes.${key}`, reason: 'is not a defined attribute (PUT /v1/customer-attributes/{key} first)' });
      continue;
    }
    if (value === null) {
      remove.push(key);
      continue;
    }
    const problem = checkValue(definition, value);
    if (problem) problems.push({ field: `attributes.${key}`, reason: problem });
    else set[key] = value as AttributeValue;
  }
  return { set, remove, problems };
}

/** Parses CSV text into an attribute's type ("" means no value). */
export function parseAttributeText(definition: AttributeDefinition, text: string): { ok: true; value: AttributeValue } | { ok: false; reason: string } {
  let value: unknown = text;
  if (definition.type === 'number' || definition.type === 'integer') {
    value = text.trim() === '' ? Number.NaN : Number(text.trim());
  } else if (definition.type === 'boolean') {
    const lower = text.trim().toLowerCase();
    value = ['true', 'yes', '1'].includes(lower) ? true : ['false', 'no', '0'].includes(lower) ? false : text;
  }
  const problem = checkValue(definition, value);
  return problem ? { ok: false, reason: problem } : { ok: true, value: value as AttributeValue };
}

/** Attribute keys whose values are removed on erase: all free text, and any marked personal. */
export function erasableAttributeKeys(definitions: Iterable<AttributeDefinition>): string[] {
  return [...definitions].filter((d) => d.type === 'string' || d.personal).map((d) => d.key);
}
