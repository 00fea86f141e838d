import type { Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { Db, DbOrTx, Tx } from './engagement.db.ts';
import { engagementError } from './engagement.errors.ts';
import type { Ids } from './engagement.ids.ts';
import { ActionRuleCreate } from './engagement.schemas.ts';
import type { ActionConditions, ActionRuleStatus, ActionRulesTable } from './engagement.tables.ts';

/**
 * Action rules: "an event of this type earns N points", with limits the database enforces when
 * events arrive (apply-rules.ts) and a validity window. Changes are versioned and audited.
 */
export type ActionLimits = { oncePerCustomer?: boolean; perCustomerPerDay?: number; perCustomerTotal?: number; totalPoints?: number };

export type ActionRuleInput = {
  name: string;
  eventType: string;
  points: number;
  status?: ActionRuleStatus;
  validFrom?: string;
  validTo?: string;
  limits?: ActionLimits;
  conditions?: ActionConditions;
};

export type ActionRuleView = Required<Pick<ActionRuleInput, 'name' | 'eventType' | 'points' | 'status' | 'limits' | 'conditions'>> &
  Pick<ActionRuleInput, 'validFrom' | 'validTo'> & {
    id: string;
    usage: { awards: number; points: number; budgetLeft: number | null };
    version: number;
    createdAt: string;
    updatedAt: string;
  };

type Row = Selectable<ActionRulesTable>;
type Usage = { awards: number; points: number };

export function limitsOf(row: Row): ActionLimits {
  return {
    ...(row.oncePerCustomer ? { oncePerCustomer: true } : {}),
    ...(row.perCustomerPerDay !== null ? { perCustomerPerDay: row.perCustomerPerDay } : {}),
    ...(row.perCustomerTotal !== null ? { perCustomerTotal: row.perCustomerTotal } : {}),
    ...(row.totalPoints !== null ? { totalPoints: Number(row.totalPoints) } : {}),
  };
}

function toView(row: Row, usage: Usage): ActionRuleView {
  return {
    id: row.id,
    name: row.name,
    eventType: row.eventType,
    points: row.points,
    status: row.status,
    ...(row.validFrom ? { validFrom: row.validFrom.toISOString() } : {}),
    ...(row.validTo ? { validTo: row.validTo.toISOString() } : {}),
    limits: limitsOf(row),
    conditions: row.conditions,
    usage: { ...usage, budgetLeft: row.totalPoints === null ? null : Number(row.totalPoints) - Number(row.budgetUsed) },
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Awards and points per rule, from the per-customer counters (the rule row stays cold unless it has a budget). */
async function usageOf(db: DbOrTx, ruleIds: string[]): Promise<Map<string, Usage>> {
  const usage = new Map<string, Usage>(ruleIds.map((id) => [id, { awards: 0, points: 0 }]));
  if (ruleIds.length === 0) return usage;
  const rows = await db
    .selectFrom('actionRuleCounts')
    .select((eb) => ['ruleId', eb.fn.sum<string>('awards').as('awards'), eb.fn.sum<string>('points').as('points')])
    .where('ruleId', 'in', ruleIds)
    .groupBy('ruleId')
    .execute();
  for (const row of rows) usage.set(row.ruleId, { awards: Number(row.awards), points: Number(row.points) });
  return usage;
}

async function viewOf(db: DbOrTx, row: Row): Promise<ActionRuleView> {
  return toView(row, (await usageOf(db, [row.id])).get(row.id)!);
}

function toInput(view: ActionRuleView): ActionRuleInput {
  const { id: _id, usage: _usage, version: _version, createdAt: _created, updatedAt: _updated, ...input } = view;
  return input;
}

function checkInput(input: ActionRuleInput, budgetUsed = 0): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (input.validFrom && input.validTo && Date.parse(input.validFrom) >= Date.parse(input.validTo)) problems.push({ field: 'validTo', reason: 'must be after validFrom' });
  const limits = input.limits ?? {};
  if (limits.totalPoints !== undefined && limits.totalPoints < budgetUsed) {
    problems.push({ field: 'limits.totalPoints', reason: `must be at least the points already given (${budgetUsed})` });
  }
  if (limits.oncePerCustomer && limits.perCustomerTotal !== undefined && limits.perCustomerTotal > 1) {
    problems.push({ field: 'limits.perCustomerTotal', reason: 'contradicts oncePerCustomer (one award ever); leave one of them out' });
  }
  return problems;
}

function refuse(problems: FieldProblem[]): never {
  throw engagementError('action_rule.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

function columnsOf(input: ActionRuleInput) {
  const limits = input.limits ?? {};
  return {
    name: input.name,
    eventType: input.eventType,
    points: input.points,
    status: input.status ?? ('active' as const),
    validFrom: input.validFrom ?? null,
    validTo: input.validTo ?? null,
    oncePerCustomer: limits.oncePerCustomer ?? false,
    perCustomerPerDay: limits.perCustomerPerDay ?? null,
    perCustomerTotal: limits.perCustomerTotal ?? null,
    totalPoints: limits.totalPoints ?? null,
    conditions: JSON.stringify(input.conditions ?? {}),
  };
}

/** Columns compared by content: instants by their time, the conditions parsed. */
const comparable = (c: ReturnType<typeof columnsOf>) => ({
  ...c,
  validFrom: c.validFrom === null ? null : Date.parse(c.validFrom),
  validTo: c.validTo === null ? null : Date.parse(c.validTo),
  conditions: JSON.parse(c.conditions) as unknown,
});

export async function createRule(db: Db, clock: Clock, ids: Ids, actor: Actor, input: ActionRuleInput): Promise<ActionRuleView> {
  const problems = checkInput(input);
  if (problems.length > 0) refuse(problems);
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const row = await tx.insertInto('actionRules').values({ id: ids.next('acr'), ...columnsOf(input), createdAt: now, updatedAt: now }).returningAll().executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'action_rule.create', entityType: 'action_rule', entityId: row.id, details: { eventType: row.eventType, points: row.points, status: row.status } });
    return toView(row, { awards: 0, points: 0 });
  });
}

const notFound = (id: string) => engagementError('action_rule.not_found', `No action rule ${id}; GET /v1/action-rules lists them`);

export async function getRule(db: DbOrTx, id: string): Promise<ActionRuleView> {
  const row = await db.selectFrom('actionRules').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(id);
  return viewOf(db, row);
}

export async function listRules(db: DbOrTx, query: { limit: number; cursor?: string; status?: ActionRuleStatus; eventType?: string }): Promise<Page<ActionRuleView>> {
  const before = decodeCursor(query.cursor, isIdKey('acr'));
  let select = db.selectFrom('actionRules').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  if (query.status) select = select.where('status', '=', query.status);
  if (query.eventType) select = select.where('eventType', '=', query.eventType);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  const usage = await usageOf(db, page.items.map((row) => row.id));
  return { items: page.items.map((row) => toView(row, usage.get(row.id)!)), nextCursor: page.nextCursor };
}

async function locked(tx: Tx, id: string): Promise<Row> {
  const row = await tx.selectFrom('actionRules').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound(id);
  return row;
}

function checkVersion(row: Row, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && expectedVersion !== row.version) {
    throw engagementError(
      'action_rule.version_conflict',
      `version: you read version ${expectedVersion}, but version ${row.version} was saved since; read it again and repeat your change`,
      [{ field: 'version', reason: `is ${expectedVersion}; the current version is ${row.version}` }],
    );
  }
}

/**
 * PUT and PATCH: the rule replaced by `change(current)` under its row lock (an award taking
 * from the budget waits, so the budget is never lowered below what was given meanwhile). An
 * unchanged rule is not saved again.
 */
export async function saveRule(
  db: Db,
  clock: Clock,
  actor: Actor,
  id: string,
  change: (current: ActionRuleInput) => ActionRuleInput,
  expectedVersion?: number,
): Promise<ActionRuleView> {
  return db.transaction().execute(async (tx) => {
    const row = await locked(tx, id);
    checkVersion(row, expectedVersion);
    const current = toInput(await viewOf(tx, row));
    const input = change(current);
    const problems = checkInput(input, Number(row.budgetUsed));
    if (problems.length > 0) refuse(problems);
    const columns = columnsOf(input);
    if (canonicalJson(comparable(columnsOf(current))) === canonicalJson(comparable(columns))) return viewOf(tx, row);
    const saved = await tx.updateTable('actionRules').set({ ...columns, version: row.version + 1, updatedAt: clock.now() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'action_rule.update', entityType: 'action_rule', entityId: id, details: { version: saved.version, status: saved.status, points: saved.points } });
    return viewOf(tx, saved);
  });
}

export function mergeRule(patch: Record<string, unknown>) {
  return (current: ActionRuleInput): ActionRuleInput => checkMerged<ActionRuleInput>(ActionRuleCreate, applyMergePatch(current, patch));
}

/** A rule that never awarded may go; one that did stays for its history (archive it). */
export async function deleteRule(db: Db, clock: Clock, actor: Actor, id: string, expectedVersion?: number): Promise<ActionRuleView> {
  return db.transaction().execute(async (tx) => {
    const row = await locked(tx, id);
    checkVersion(row, expectedVersion);
    const used = await tx.selectFrom('actionAwards').select('eventId').where('ruleId', '=', id).limit(1).executeTakeFirst();
    if (used) throw engagementError('action_rule.in_use', `Action rule ${id} has awarded points: it stays for their history; set its status to archived instead`);
    const view = await viewOf(tx, row);
    await tx.deleteFrom('actionRuleCounts').where('ruleId', '=', id).execute();
    await tx.deleteFrom('actionRuleDailyCounts').where('ruleId', '=', id).execute();
    await tx.deleteFrom('actionRules').where('id', '=', id).execute();
    await writeAudit(tx, clock, actor, { action: 'action_rule.delete', entityType: 'action_rule', entityId: id, details: {} });
    return view;
  });
}
