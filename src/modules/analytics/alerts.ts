import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { localTime } from '../../platform/local-time.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { alertDefaults, alertKpis, dailyFigures, groupKeyOf, judge, valueOf, type AlertKpi, type DayValue } from './alert-rules.ts';
import type { Db } from './analytics.db.ts';
import { emitEvents } from './analytics.events.ts';
import { analyticsError } from './analytics.errors.ts';
import type { Ids } from './analytics.ids.ts';
import type { AlertGrouping, AlertKind, AlertParams, AnalyticsAlertRulesTable, AnalyticsAlertsTable } from './analytics.tables.ts';
import { checkTimezone, startOfDay } from './period.ts';
import { checkRecipients } from './recipients.ts';
import type { AnalyticsSources } from './sources.ts';
import { sql, type Selectable } from 'kysely';

export type AlertRuleInput = { name: string; kind: AlertKind; kpi: AlertKpi; groupBy?: AlertGrouping; params?: AlertParams; timezone?: string; recipients?: string[]; active?: boolean };
export type AlertRuleView = { id: string; name: string; kind: AlertKind; kpi: AlertKpi; groupBy: AlertGrouping; params: Required<AlertParams>; timezone: string; recipients: string[]; active: boolean; checkedThrough: string | null; createdAt: string; updatedAt: string };
export type AlertView = { id: string; ruleId: string; day: string; group: Record<string, string | null>; kpi: string; value: number; message: string; evidence: Record<string, unknown>; firedAt: string };
export type CheckResult = { ruleId: string; day: string; fired: AlertView[]; judged: Array<{ group: Record<string, string | null>; value: number | null; median: number | null; low: number | null; high: number | null; historyDays: number; fired: boolean }> };

const DAY = 86_400_000;
const kpiWords: Record<AlertKpi, string> = {
  revenueMinor: 'Revenue (minor units)', receipts: 'Receipts', averageCheckMinor: 'Average check (minor units)', recognitionRate: 'Recognition rate at the till',
  identifiedReceipts: 'Identified receipts', tillReceipts: 'Till receipts', customers: 'Buyers',
};

function fullParams(kind: AlertKind, given: AlertParams = {}): Required<AlertParams> {
  const merged: Required<AlertParams> = { threshold: 0.2, days: 28, weeks: 8, k: 3, ...alertDefaults[kind], ...given };
  const problems: string[] = [];
  if (!(merged.threshold > 0 && merged.threshold < 1)) problems.push('params.threshold: must be between 0 and 1, e.g. 0.2 for 20 %');
  if (!(Number.isInteger(merged.days) && merged.days >= 3 && merged.days <= 366)) problems.push('params.days: must be a whole number of days from 3 to 366');
  if (!(Number.isInteger(merged.weeks) && merged.weeks >= 2 && merged.weeks <= 52)) problems.push('params.weeks: must be a whole number of weeks from 2 to 52');
  if (!(merged.k > 0 && merged.k <= 10)) problems.push('params.k: must be above 0 and at most 10');
  if (!(Number.isInteger(merged.minHistory) && merged.minHistory >= 1 && merged.minHistory <= (kind === 'drop' ? merged.days : merged.weeks))) {
    problems.push(`params.minHistory: must be a whole number from 1 to ${kind === 'drop' ? 'days' : 'weeks'}`);
  }
  if (problems.length > 0) throw analyticsError('analytics.invalid_alert_rule', problems.join('; '), problems.map((p) => ({ field: p.split(':')[0]!, reason: p.split(': ')[1]! })));
  return merged;
}

const ruleView = (row: Selectable<AnalyticsAlertRulesTable>): AlertRuleView => ({
  id: row.id, name: row.name, kind: row.kind, kpi: row.kpi as AlertKpi, groupBy: row.groupBy, params: fullParams(row.kind, row.params), timezone: row.timezone, recipients: row.recipients,
  active: row.active, checkedThrough: row.checkedThrough, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
});
const alertView = (row: Selectable<AnalyticsAlertsTable>): AlertView => ({
  id: row.id, ruleId: row.ruleId, day: row.day, group: row.groupKey, kpi: row.kpi, value: row.value, message: row.message, evidence: row.evidence, firedAt: row.firedAt.toISOString(),
});

const dateMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const groupWords = (group: Record<string, string | null>) =>
  Object.keys(group).length === 0 ? 'in total' : Object.entries(group).map(([k, v]) => `${k} ${v ?? '(none)'}`).join(', ');

export function createAlerts(deps: { db: Db; clock: Clock; ids: Ids; sources: AnalyticsSources }) {
  const { db, clock, ids, sources } = deps;

  async function load(id: string) {
    const row = await db.selectFrom('analyticsAlertRules').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw analyticsError('analytics.alert_rule_not_found', `No alert rule ${id}; GET /v1/alert-rules lists them`);
    return row;
  }

  /** Judges one day of a rule, every group, and stores the alerts it fires (once per rule, day and group). */
  async function check(id: string, day: string): Promise<CheckResult> {
    const rule = ruleView(await load(id));
    // A day that is no date (month 13) parses to NaN, which has no ISO form: refused before it is formatted.
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(dateMs(day)) || isoDay(dateMs(day)) !== day) {
      throw analyticsError('analytics.invalid_query', `day: must be a date as YYYY-MM-DD; got ${JSON.stringify(day)}`, [{ field: 'day', reason: 'must be a date as YYYY-MM-DD' }]);
    }
    // The day and its history are read as instants: a day whose next one is past 9999 (or before year 1) has none.
    if (day < '1900-01-01' || day > '9999-12-30') {
      throw analyticsError('analytics.invalid_query', `day: must be from 1900-01-01 to 9999-12-30; got ${day}`, [{ field: 'day', reason: 'must be from 1900-01-01 to 9999-12-30' }]);
    }
    const { params } = rule;
    const span = rule.kind === 'drop' ? params.days : params.weeks * 7;
    const from = startOfDay(dateMs(day) - span * DAY, rule.timezone);
    const to = startOfDay(dateMs(day) + DAY, rule.timezone);
    const rows = await dailyFigures(db, sources, rule.groupBy, from, to, rule.timezone);
    const byGroup = new Map<string, { key: string[]; days: Map<string, (typeof rows)[number]> }>();
    for (const row of rows) {
      const k = JSON.stringify(row.group);
      if (!byGroup.has(k)) byGroup.set(k, { key: row.group, days: new Map() });
      byGroup.get(k)!.days.set(row.day, row);
    }
    // The history's days: the `days` before, or the same weekday of the `weeks` before.
    const historyDays = rule.kind === 'drop'
      ? Array.from({ length: params.days }, (_, i) => isoDay(dateMs(day) - (params.days - i) * DAY))
      : Array.from({ length: params.weeks }, (_, i) => isoDay(dateMs(day) - (params.weeks - i) * 7 * DAY));
    const result: CheckResult = { ruleId: id, day, fired: [], judged: [] };
    for (const { key, days } of byGroup.values()) {
      const group = groupKeyOf(rule.groupBy, key);
      const value = valueOf(rule.kpi, days.get(day));
      const history: DayValue[] = historyDays.flatMap((d) => {
        const v = valueOf(rule.kpi, days.get(d));
        return v === null ? [] : [{ day: d, value: v }];
      });
      const verdict = value === null ? null : judge(rule.kind, params, value, history);
      result.judged.push({ group, value, median: verdict?.median ?? null, low: verdict?.low ?? null, high: verdict?.high ?? null, historyDays: history.length, fired: verdict?.fired ?? false });
      if (!verdict?.fired || value === null) continue;
      const limit = rule.kind === 'drop'
        ? `alert below ${verdict.low}`
        : `band ${verdict.low} to ${verdict.high}`;
      const over = rule.kind === 'drop' ? `the ${params.days} days before` : `the same weekday of the ${params.weeks} weeks before`;
      const message = `${kpiWords[rule.kpi]} ${groupWords(group)} on ${day} was ${value}, ${verdict.reason} of ${verdict.median} over ${over} (${limit})`;
      const evidence = { rule: { kind: rule.kind, kpi: rule.kpi, params }, value, median: verdict.median, low: verdict.low, high: verdict.high, history };
      // Stored with its event in one transaction: an alert fired is delivered once (webhooks, e-mail to the rule's recipients).
      const inserted = await db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('analyticsAlerts')
          .values({ id: ids.next('alt'), ruleId: id, day, groupKey: JSON.stringify(group), kpi: rule.kpi, value, message, evidence: JSON.stringify(evidence), firedAt: clock.now() })
          .onConflict((oc) => oc.columns(['ruleId', 'day', 'groupKey']).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (row) {
          await emitEvents(tx, clock, ids, [{
            type: 'alert.fired', customerId: null,
            payload: { alertId: row.id, ruleId: id, name: rule.name, day, group, kpi: rule.kpi, value, message, evidence, recipients: rule.recipients },
          }]);
        }
        return row;
      });
      const stored = inserted ?? (await db.selectFrom('analyticsAlerts').selectAll().where('ruleId', '=', id).where('day', '=', day).where(sql<boolean>`group_key = ${JSON.stringify(group)}::jsonb`).executeTakeFirstOrThrow());
      result.fired.push(alertView(stored));
    }
    return result;
  }

  return {
    async create(input: AlertRuleInput, actor: Actor): Promise<AlertRuleView> {
      const params = fullParams(input.kind, input.params);
      const timezone = checkTimezone(input.timezone ?? 'UTC');
      const now = clock.now();
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('analyticsAlertRules')
          .values({ id: ids.next('alr'), name: input.name, kind: input.kind, kpi: input.kpi, groupBy: input.groupBy ?? 'none', params: JSON.stringify(params), timezone, recipients: checkRecipients(input.recipients ?? []), active: input.active ?? true, checkedThrough: null, createdAt: now, updatedAt: now })
          .returningAll()
          .executeTakeFirstOrThrow();
        await writeAudit(tx, clock, actor, { action: 'alert_rule.create', entityType: 'alert_rule', entityId: row.id, details: { kind: row.kind, kpi: row.kpi } });
        return ruleView(row);
      });
    },
    get: async (id: string) => ruleView(await load(id)),
    async list(limit: number, cursor?: string): Promise<Page<AlertRuleView>> {
      const after = decodeCursor(cursor, isIdKey('alr'));
      let query = db.selectFrom('analyticsAlertRules').selectAll().orderBy('id').limit(limit + 1);
      if (after) query = query.where('id', '>', after);
      const page = pageOf(await query.execute(), limit, (row) => row.id);
      return { items: page.items.map(ruleView), nextCursor: page.nextCursor };
    },
    async update(id: string, patch: Partial<AlertRuleInput>, actor: Actor): Promise<AlertRuleView> {
      const current = ruleView(await load(id));
      const kind = patch.kind ?? current.kind;
      const params = fullParams(kind, { ...(patch.kind && patch.kind !== current.kind ? {} : current.params), ...patch.params });
      const timezone = checkTimezone(patch.timezone ?? current.timezone);
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .updateTable('analyticsAlertRules')
          .set({
            name: patch.name ?? current.name, kind, kpi: patch.kpi ?? current.kpi, groupBy: patch.groupBy ?? current.groupBy, params: JSON.stringify(params), timezone,
            recipients: checkRecipients(patch.recipients ?? current.recipients), active: patch.active ?? current.active, updatedAt: clock.now(),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await writeAudit(tx, clock, actor, { action: 'alert_rule.update', entityType: 'alert_rule', entityId: id, details: { fields: Object.keys(patch).sort() } });
        return ruleView(row);
      });
    },
    async remove(id: string, actor: Actor): Promise<AlertRuleView> {
      const rule = ruleView(await load(id));
      return db.transaction().execute(async (tx) => {
        await tx.deleteFrom('analyticsAlertRules').where('id', '=', id).execute();
        await writeAudit(tx, clock, actor, { action: 'alert_rule.delete', entityType: 'alert_rule', entityId: id, details: {} });
        return rule;
      });
    },
    check,
    async alerts(query: { limit: number; cursor?: string; ruleId?: string }): Promise<Page<AlertView>> {
      const after = decodeCursor(query.cursor, isIdKey('alt'));
      let q = db.selectFrom('analyticsAlerts').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
      if (query.ruleId) q = q.where('ruleId', '=', query.ruleId);
      if (after) q = q.where('id', '<', after);
      const page = pageOf(await q.execute(), query.limit, (row) => row.id);
      return { items: page.items.map(alertView), nextCursor: page.nextCursor };
    },
    async alert(id: string): Promise<AlertView> {
      const row = await db.selectFrom('analyticsAlerts').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw analyticsError('analytics.alert_not_found', `No alert ${id}; GET /v1/alerts lists them`);
      return alertView(row);
    },
    /**
     * The scheduled check: each active rule judges every day since the last it checked up to
     * yesterday in its zone (at most a week back, so a long stop does not flood), then remembers
     * where it got. A day judged twice fires nothing twice.
     */
    async checkDue(signal?: AbortSignal): Promise<Record<string, number>> {
      const rules = await db.selectFrom('analyticsAlertRules').selectAll().where('active', '=', true).orderBy('id').execute();
      let days = 0;
      let fired = 0;
      for (const rule of rules) {
        if (signal?.aborted) break;
        const yesterday = dateMs(localTime(clock.now(), rule.timezone).date) - DAY;
        const first = Math.max(rule.checkedThrough ? dateMs(rule.checkedThrough) + DAY : yesterday, yesterday - 6 * DAY);
        for (let d = first; d <= yesterday; d += DAY) {
          const result = await check(rule.id, isoDay(d));
          days++;
          fired += result.fired.length;
          await db.updateTable('analyticsAlertRules').set({ checkedThrough: isoDay(d) }).where('id', '=', rule.id).execute();
        }
      }
      return { rules: rules.length, days, fired };
    },
  };
}

export type Alerts = ReturnType<typeof createAlerts>;
export { alertKpis };
