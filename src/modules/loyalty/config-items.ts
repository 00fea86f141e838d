import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import type { EarningRule, EarningRuleSet, Tier, TierConfig } from './config-types.ts';
import { loyaltyError } from './loyalty.errors.ts';
import { EarningRuleSchema, TierConfigSchema, TierSchema } from './loyalty.schemas.ts';

/**
 * One earning rule or one tier changed on its own (GET, PUT, PATCH, DELETE on
 * /v1/earning-rules/{id}, GET and PATCH on /v1/tiers/{id}): each is a change of the whole set,
 * made under the set's writers' lock and saved as a new version like a PUT of the set, so a
 * receipt still names the one version of the rules it used.
 */

export function findRule(set: EarningRuleSet, id: string): EarningRule {
  const rule = set.rules.find((r) => r.id === id);
  if (!rule) throw loyaltyError('rule.not_found', `No earning rule ${id}; GET /v1/earning-rules lists them`);
  return rule;
}

export function findTier(config: TierConfig, id: string): Tier {
  const tier = config.tiers.find((t) => t.id === id);
  if (!tier) throw loyaltyError('tier.not_found', `No tier ${id}; GET /v1/tiers lists them`);
  return tier;
}

function sameId(bodyId: string | undefined, pathId: string): void {
  if (bodyId !== undefined && bodyId !== pathId) {
    throw loyaltyError('config.invalid', `id: the body names ${bodyId} while the path names ${pathId}`, [{ field: 'id', reason: 'must be the id in the path' }]);
  }
}

/** PUT /v1/earning-rules/{id}: the rule replaced where it stands, or added last. `created` says which. */
export function putRule(id: string, input: Omit<EarningRule, 'id'> & { id?: string }) {
  sameId(input.id, id);
  const outcome = { created: false };
  const change = (set: EarningRuleSet): EarningRuleSet => {
    const rule = { ...input, id };
    outcome.created = !set.rules.some((r) => r.id === id);
    return { rules: outcome.created ? [...set.rules, rule] : set.rules.map((r) => (r.id === id ? rule : r)) };
  };
  return { change, outcome };
}

/** PATCH /v1/earning-rules/{id}: a merge patch of the rule, checked whole once merged. */
export function patchRule(id: string, patch: Record<string, unknown>) {
  return (set: EarningRuleSet): EarningRuleSet => {
    const merged = applyMergePatch(findRule(set, id), patch) as { id?: unknown };
    sameId(typeof merged.id === 'string' ? merged.id : undefined, id);
    const rule = checkMerged<EarningRule>(EarningRuleSchema, { ...merged, id });
    return { rules: set.rules.map((r) => (r.id === id ? rule : r)) };
  };
}

export function removeRule(id: string) {
  return (set: EarningRuleSet): EarningRuleSet => {
    findRule(set, id);
    return { rules: set.rules.filter((r) => r.id !== id) };
  };
}

/** PATCH /v1/tiers: a merge patch of the tier settings (a `tiers` member replaces the whole ladder). */
export function patchTierConfig(patch: Record<string, unknown>) {
  return (config: TierConfig): TierConfig => checkMerged<TierConfig>(TierConfigSchema, applyMergePatch(config, patch));
}

/** PATCH /v1/tiers/{id}: a merge patch of one tier; the ladder's rules (rising thresholds) are checked on save. */
export function patchTier(id: string, patch: Record<string, unknown>) {
  return (config: TierConfig): TierConfig => {
    const merged = applyMergePatch(findTier(config, id), patch) as { id?: unknown };
    sameId(typeof merged.id === 'string' ? merged.id : undefined, id);
    const tier = checkMerged<Tier>(TierSchema, { ...merged, id });
    return { ...config, tiers: config.tiers.map((t) => (t.id === id ? tier : t)) };
  };
}
