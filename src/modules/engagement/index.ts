import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import type { CustomerLifecycleHooks, Customers } from '../customers/index.ts';
import type { PointsPort } from '../loyalty/index.ts';
import type { Promotions } from '../promotions/index.ts';
import { createRule, deleteRule, getRule, listRules, mergeRule, saveRule, type ActionRuleInput } from './action-rules.ts';
import { detectCustomerActions } from './auto-actions.ts';
import { issueBirthdayOffers } from './birthday-offers.ts';
import { loadBirthdaySettings, saveBirthdaySettings, type BirthdaySettings } from './birthday-settings.ts';
import { listCustomerEvents, postEvent, type EngagementDeps, type EventInput } from './customer-events.ts';
import type { Db, Tx } from './engagement.db.ts';
import type { Ids } from './engagement.ids.ts';
import { BirthdayOfferBody } from './engagement.schemas.ts';
import type { ActionRuleStatus } from './engagement.tables.ts';

export { engagementModule } from './engagement.module.ts';
export { engagementRoutes } from './engagement.routes.ts';
export type { BirthdaySettings } from './birthday-settings.ts';

export type EngagementModuleDeps = { db: Db; clock: Clock; ids: Ids; customers: Customers; points: PointsPort; promotions: Pick<Promotions, 'codes' | 'promotions'> };
export type EngagementJob = 'detect-customer-actions' | 'issue-birthday-offers';

/** The engagement module's public face: customer events and bonuses for actions, birthday offers. */
export function createEngagement(moduleDeps: EngagementModuleDeps, hooks: CustomerLifecycleHooks<Tx>) {
  const { db, clock, ids, customers, points, promotions } = moduleDeps;
  const deps: EngagementDeps = { db, clock, ids, customers, points };

  // A merge moves the duplicate's events, awards and limit counters to the survivor (its counts
  // add up, so "once ever" stays once for the merged customer), and its birthday offers: one for
  // a year the survivor already has keeps merged_from, outside the once-a-year index. Loyalty's
  // hook, registered first, has taken both balance locks: the lock an award takes first too.
  hooks.onMerge.push(async (tx, fromId, intoId) => {
    await tx.updateTable('customerEvents').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
    await tx.updateTable('actionAwards').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
    await sql`insert into action_rule_counts as c (customer_id, rule_id, awards, points)
      select ${intoId}, rule_id, awards, points from action_rule_counts where customer_id = ${fromId}
      on conflict (customer_id, rule_id) do update set awards = c.awards + excluded.awards, points = c.points + excluded.points`.execute(tx);
    await tx.deleteFrom('actionRuleCounts').where('customerId', '=', fromId).execute();
    await sql`insert into action_rule_daily_counts as d (customer_id, rule_id, day, awards)
      select ${intoId}, rule_id, day, awards from action_rule_daily_counts where customer_id = ${fromId}
      on conflict (customer_id, rule_id, day) do update set awards = d.awards + excluded.awards`.execute(tx);
    await tx.deleteFrom('actionRuleDailyCounts').where('customerId', '=', fromId).execute();
    await sql`update birthday_offers d set customer_id = ${intoId},
        merged_from = case when d.merged_from is null and exists (
          select 1 from birthday_offers s where s.customer_id = ${intoId} and s.year = d.year and s.merged_from is null) then ${fromId} else d.merged_from end
      where d.customer_id = ${fromId}`.execute(tx);
  });
  // What an event said (a review's text) goes with the customer's personal data; the event rows
  // stay for the ledger's awards. Birthday offers go whole: every date on them (issued_at too,
  // on or near the birthday) tells the birth date, and the ledger's award keeps the offer's id.
  // The personal code of a birthday offer is the promotions module's to erase (its own hook).
  hooks.onErase.push(async (tx, customerIds) => {
    await tx.updateTable('customerEvents').set({ properties: '{}' }).where('customerId', 'in', customerIds).execute();
    await tx.deleteFrom('birthdayOffers').where('customerId', 'in', customerIds).execute();
  });

  const promotionExists = async (id: string) =>
    promotions.promotions.get(id).then(
      () => true,
      (error: unknown) => {
        if ((error as { code?: string }).code === 'promotion.not_found') return false;
        throw error;
      },
    );
  const birthdayDeps = { ...deps, promotions };

  return {
    /** Custom events as SQL (`customer_id, type, occurred_at`): analytics' funnels step through them. */
    eventFacts: () => sql`select e.customer_id, e.type, e.occurred_at from customer_events e`,
    events: {
      post: (input: EventInput, actor: Actor) => postEvent(deps, input, actor),
      list: (customerId: string, query: { limit: number; cursor?: string; type?: string }) => listCustomerEvents(db, customerId, query),
    },
    rules: {
      create: (input: ActionRuleInput, actor: Actor) => createRule(db, clock, ids, actor, input),
      get: (id: string) => getRule(db, id),
      list: (query: { limit: number; cursor?: string; status?: ActionRuleStatus; eventType?: string }) => listRules(db, query),
      replace: (id: string, input: ActionRuleInput, actor: Actor, expectedVersion?: number) => saveRule(db, clock, actor, id, () => input, expectedVersion),
      patch: (id: string, patch: Record<string, unknown>, actor: Actor, expectedVersion?: number) => saveRule(db, clock, actor, id, mergeRule(patch), expectedVersion),
      delete: (id: string, actor: Actor, expectedVersion?: number) => deleteRule(db, clock, actor, id, expectedVersion),
    },
    birthday: {
      settings: () => loadBirthdaySettings(db),
      replace: (input: BirthdaySettings, actor: Actor, expectedVersion?: number) => saveBirthdaySettings(db, clock, actor, () => input, promotionExists, expectedVersion),
      patch: (patch: Record<string, unknown>, actor: Actor, expectedVersion?: number) =>
        saveBirthdaySettings(db, clock, actor, (current) => checkMerged<BirthdaySettings>(BirthdayOfferBody, applyMergePatch(current, patch)), promotionExists, expectedVersion),
    },
    /** An issued birthday offer (messaging reads its window for the greeting); null when there is none. */
    async birthdayOffer(id: string) {
      const row = await db.selectFrom('birthdayOffers').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      return {
        id: row.id,
        customerId: row.customerId,
        year: row.year,
        birthday: row.birthday,
        validFrom: row.validFrom?.toISOString() ?? null,
        validTo: row.validTo?.toISOString() ?? null,
        kind: row.kind,
        points: row.points,
        promotionId: row.promotionId,
        code: row.code,
        issuedAt: row.issuedAt.toISOString(),
      };
    },
    runJob: async (name: EngagementJob, signal?: AbortSignal): Promise<Record<string, number>> =>
      name === 'detect-customer-actions' ? detectCustomerActions(deps, signal) : issueBirthdayOffers(birthdayDeps, signal),
  };
}

export type Engagement = ReturnType<typeof createEngagement>;
