import { sql, type Selectable } from 'kysely';
import { platformTx } from '../../platform/db-views.ts';
import type { PointsPort } from '../loyalty/index.ts';
import type { Tx } from './engagement.db.ts';
import type { ActionConditions, ActionRulesTable } from './engagement.tables.ts';

export type Award = { ruleId: string; points: number };

type Rule = Selectable<ActionRulesTable>;

export type RuleContext = {
  eventId: string;
  customerId: string;
  type: string;
  properties: Record<string, unknown>;
  now: Date;
  /** The customer's calendar day of `now` (per-day limits count by it). */
  day: string;
  actor: string;
};

/** Whether the event's properties satisfy the rule's conditions (each named property equals its value). */
export function matches(conditions: ActionConditions, properties: Record<string, unknown>): boolean {
  return Object.entries(conditions.properties ?? {}).every(([key, value]) => properties[key] === value);
}

/** The most awards a customer may get from the rule in all (null: no limit). */
export function perCustomerCap(rule: Pick<Rule, 'oncePerCustomer' | 'perCustomerTotal'>): number | null {
  if (rule.oncePerCustomer) return 1;
  return rule.perCustomerTotal;
}

/**
 * Applies every active rule for the event's type, in rule-id order, inside the caller's
 * transaction (the points port's, on the customer's current record). Each award is made under a
 * savepoint in this order: the points first (loyalty's balance lock: a merge takes it first too,
 * so the two never wait for each other in opposite orders), then the limits as guarded
 * statements — the per-customer counter, the per-day counter, the rule's budget. When one of them
 * refuses, the savepoint rolls the award back and the rule gives nothing; nothing half-made stays.
 * A customer already at a limit by the committed counters is skipped before any of that.
 */
export async function applyRules(tx: Tx, points: PointsPort, ctx: RuleContext): Promise<Award[]> {
  const rules = await tx
    .selectFrom('actionRules')
    .selectAll()
    .where('eventType', '=', ctx.type)
    .where('status', '=', 'active')
    .where((eb) => eb.or([eb('validFrom', 'is', null), eb('validFrom', '<=', ctx.now)]))
    .where((eb) => eb.or([eb('validTo', 'is', null), eb('validTo', '>', ctx.now)]))
    .orderBy('id')
    .execute();
  const candidates = rules.filter((rule) => matches(rule.conditions, ctx.properties));
  if (candidates.length === 0) return [];
  const open = await stillOpen(tx, candidates, ctx);
  const awards: Award[] = [];
  for (const rule of candidates.filter((r) => open.has(r.id))) {
    await sql`savepoint action_award`.execute(tx);
    await points.award(platformTx(tx), { customerId: ctx.customerId, points: rule.points, reference: ctx.eventId, reason: `Bonus: ${rule.name}`, actor: ctx.actor });
    if (await takeLimits(tx, rule, ctx)) {
      await tx.insertInto('actionAwards').values({ eventId: ctx.eventId, ruleId: rule.id, customerId: ctx.customerId, points: rule.points, awardedAt: ctx.now }).execute();
      await sql`release savepoint action_award`.execute(tx);
      awards.push({ ruleId: rule.id, points: rule.points });
    } else {
      await sql`rollback to savepoint action_award`.execute(tx);
      await sql`release savepoint action_award`.execute(tx);
    }
  }
  return awards;
}

/** Rules the committed counters still allow (a read without locks: the guarded statements decide). */
async function stillOpen(tx: Tx, rules: Rule[], ctx: RuleContext): Promise<Set<string>> {
  const ids = rules.map((rule) => rule.id);
  const [totals, days] = await Promise.all([
    tx.selectFrom('actionRuleCounts').select(['ruleId', 'awards']).where('customerId', '=', ctx.customerId).where('ruleId', 'in', ids).execute(),
    tx.selectFrom('actionRuleDailyCounts').select(['ruleId', 'awards']).where('customerId', '=', ctx.customerId).where('ruleId', 'in', ids).where('day', '=', ctx.day).execute(),
  ]);
  const total = new Map(totals.map((row) => [row.ruleId, row.awards]));
  const today = new Map(days.map((row) => [row.ruleId, row.awards]));
  return new Set(
    rules
      .filter((rule) => {
        const cap = perCustomerCap(rule);
        if (cap !== null && (total.get(rule.id) ?? 0) >= cap) return false;
        if (rule.perCustomerPerDay !== null && (today.get(rule.id) ?? 0) >= rule.perCustomerPerDay) return false;
        return rule.totalPoints === null || Number(rule.budgetUsed) + rule.points <= Number(rule.totalPoints);
      })
      .map((rule) => rule.id),
  );
}

/**
 * The limits, each one statement that counts only while under its limit (ON CONFLICT DO UPDATE …
 * WHERE and UPDATE … WHERE re-check the row's latest version under its lock, so concurrent
 * events take turns and none passes a limit). False as soon as one refuses.
 */
async function takeLimits(tx: Tx, rule: Rule, ctx: RuleContext): Promise<boolean> {
  const cap = perCustomerCap(rule);
  const counted = await sql<{ awards: number }>`
    insert into action_rule_counts as c (customer_id, rule_id, awards, points) values (${ctx.customerId}, ${rule.id}, 1, ${rule.points})
    on conflict (customer_id, rule_id) do update set awards = c.awards + 1, points = c.points + excluded.points
      where ${cap}::int is null or c.awards < ${cap}::int
    returning awards`.execute(tx);
  if (counted.rows.length === 0) return false;
  if (rule.perCustomerPerDay !== null) {
    const daily = await sql<{ awards: number }>`
      insert into action_rule_daily_counts as d (customer_id, rule_id, day, awards) values (${ctx.customerId}, ${rule.id}, ${ctx.day}::date, 1)
      on conflict (customer_id, rule_id, day) do update set awards = d.awards + 1 where d.awards < ${rule.perCustomerPerDay}::int
      returning awards`.execute(tx);
    if (daily.rows.length === 0) return false;
  }
  if (rule.totalPoints !== null) {
    const budget = await sql<{ id: string }>`
      update action_rules set budget_used = budget_used + ${rule.points}
      where id = ${rule.id} and budget_used + ${rule.points} <= total_points
      returning id`.execute(tx);
    if (budget.rows.length === 0) return false;
  }
  return true;
}
