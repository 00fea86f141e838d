import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { isTimezone } from '../../platform/time-zones.ts';
import type { DbOrTx, Db } from './fiscal-receipts.db.ts';
import { fiscalReceiptError } from './fiscal-receipts.errors.ts';
import { defaultSettings, type FiscalSettingsBody } from './fiscal-types.ts';

/** What the settings check asks loyalty: whether a store exists, which SKUs the catalog has. */
export type CatalogCheck = {
  storeExists(storeId: string): Promise<boolean>;
  knownSkus(skus: string[]): Promise<Set<string>>;
};

export type SettingsView = FiscalSettingsBody & { tokenSet: boolean; version: number; updatedAt: string | null };
export type StoredSettings = { body: FiscalSettingsBody; token: string | null; version: number };

/** The settings as stored, the defaults (switched off) before the first save. */
export async function loadSettings(db: DbOrTx): Promise<StoredSettings & { updatedAt: Date | null }> {
  const row = await db.selectFrom('fiscalReceiptSettings').select(['body', 'token', 'version', 'updatedAt']).executeTakeFirst();
  if (!row) return { body: defaultSettings, token: null, version: 0, updatedAt: null };
  return { body: { ...defaultSettings, ...row.body }, token: row.token, version: row.version, updatedAt: row.updatedAt };
}

export function viewOf(stored: StoredSettings & { updatedAt: Date | null }): SettingsView {
  return { ...stored.body, tokenSet: stored.token !== null, version: stored.version, updatedAt: stored.updatedAt ? stored.updatedAt.toISOString() : null };
}

export async function readSettings(db: Db): Promise<SettingsView> {
  return viewOf(await loadSettings(db));
}

/** Field by field, what makes the settings unusable; the schema has checked the shapes. */
async function problemsOf(body: FiscalSettingsBody, catalog: CatalogCheck): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (body.serviceUrl !== null) {
    let url: URL | null = null;
    try {
      url = new URL(body.serviceUrl);
    } catch {
      problems.push({ field: 'serviceUrl', reason: 'is not a URL: give the service\'s endpoint, https://…' });
    }
    if (url && url.username + url.password !== '') problems.push({ field: 'serviceUrl', reason: 'must not hold a user name or password: give the token in token' });
  }
  if (!isTimezone(body.timezone)) problems.push({ field: 'timezone', reason: `${body.timezone} is not an IANA timezone such as Europe/Moscow` });
  if (body.storeId !== null && !(await catalog.storeExists(body.storeId))) {
    problems.push({ field: 'storeId', reason: `there is no store ${body.storeId}; PUT /v1/stores/${body.storeId} creates it` });
  }
  body.products.forEach((rule, index) => {
    if (rule.nameContains === undefined && rule.barcode === undefined) {
      problems.push({ field: `products[${index}]`, reason: 'needs nameContains or barcode (or both): how a receipt line is known to be this product' });
    }
    if (rule.nameContains !== undefined && normaliseName(rule.nameContains).length < 2) {
      problems.push({ field: `products[${index}].nameContains`, reason: 'must hold at least 2 letters or digits besides spaces' });
    }
  });
  const skus = [...new Set(body.products.map((rule) => rule.sku))];
  const known = skus.length > 0 ? await catalog.knownSkus(skus) : new Set<string>();
  body.products.forEach((rule, index) => {
    if (!known.has(rule.sku)) problems.push({ field: `products[${index}].sku`, reason: `${rule.sku} is not in the catalog; PUT /v1/products adds it` });
  });
  if (body.enabled) {
    if (body.serviceUrl === null) problems.push({ field: 'serviceUrl', reason: 'is needed to switch receipts on (enabled: true): where they are verified' });
    if (body.storeId === null) problems.push({ field: 'storeId', reason: 'is needed to switch receipts on (enabled: true): where verified receipts are booked' });
  }
  return problems;
}

/** Lower case, ё as е, runs of spaces as one: how a rule's text and a line's name are compared. */
export function normaliseName(text: string): string {
  return text.toLocaleLowerCase('ru').replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();
}

/**
 * PUT /v1/fiscal-receipts/settings: replaces the settings (takes what GET answers). The token is
 * kept when left out, removed with null. With `version`, a save since is a 409 and nothing changes.
 */
export async function replaceSettings(
  db: Db,
  clock: Clock,
  actor: Actor,
  catalog: CatalogCheck,
  input: FiscalSettingsBody & { token?: string | null },
  expectedVersion?: number,
): Promise<SettingsView> {
  const { token, ...fields } = input;
  const body: FiscalSettingsBody = {
    enabled: fields.enabled,
    serviceUrl: fields.serviceUrl,
    serviceFormat: fields.serviceFormat,
    timeoutMs: fields.timeoutMs,
    allowPrivateNetwork: fields.allowPrivateNetwork,
    timezone: fields.timezone,
    storeId: fields.storeId,
    maxAgeDays: fields.maxAgeDays,
    products: fields.products.map((rule) => ({ sku: rule.sku, ...(rule.nameContains !== undefined ? { nameContains: rule.nameContains } : {}), ...(rule.barcode !== undefined ? { barcode: rule.barcode } : {}) })),
  };
  const problems = await problemsOf(body, catalog);
  if (problems.length > 0) {
    throw fiscalReceiptError('fiscal_receipt.settings_invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  }
  return db.transaction().execute(async (tx) => {
    // The row lock orders concurrent saves, so a version check cannot pass twice.
    const current = await tx.selectFrom('fiscalReceiptSettings').select(['body', 'version', 'token', 'updatedAt']).forUpdate().executeTakeFirst();
    const version = current?.version ?? 0;
    if (expectedVersion !== undefined && expectedVersion !== version) {
      throw fiscalReceiptError('fiscal_receipt.version_conflict', `The settings are at version ${version}; you read version ${expectedVersion}. Read them again and repeat your change.`);
    }
    const nextToken = token === undefined ? (current?.token ?? null) : token;
    // What GET answered, sent back: nothing changes (no new version, nothing audited).
    if (current && nextToken === current.token && canonicalJson({ ...defaultSettings, ...current.body }) === canonicalJson(body)) {
      return viewOf({ body: { ...defaultSettings, ...current.body }, token: current.token, version: current.version, updatedAt: current.updatedAt });
    }
    const now = clock.now();
    // No row to lock before the first save: a first save made meanwhile wins the insert, and this
    // one, having read version 0, is refused like any save over another's change.
    const row = await tx
      .insertInto('fiscalReceiptSettings')
      .values({ id: true, body: JSON.stringify(body), token: nextToken, version: version + 1, updatedAt: now })
      .onConflict((oc) => (current ? oc.column('id').doUpdateSet({ body: JSON.stringify(body), token: nextToken, version: version + 1, updatedAt: now }) : oc.column('id').doNothing()))
      .returning(['body', 'token', 'version', 'updatedAt'])
      .executeTakeFirst();
    if (!row) throw fiscalReceiptError('fiscal_receipt.version_conflict', 'The settings were saved by someone else a moment ago, for the first time; read them again and repeat your change.');
    // The audit says whether the token changed, never what it is.
    await writeAudit(tx, clock, actor, {
      action: 'fiscal_receipt.settings',
      entityType: 'fiscal_receipt_settings',
      entityId: null,
      details: { enabled: body.enabled, storeId: body.storeId, serviceFormat: body.serviceFormat, products: body.products.length, token: token === undefined ? 'kept' : token === null ? 'removed' : 'set' },
    });
    return viewOf({ body: { ...defaultSettings, ...row.body }, token: row.token, version: row.version, updatedAt: row.updatedAt });
  });
}
