import { sql } from 'kysely';
import type { Db, DbOrTx, Tx } from './loyalty.db.ts';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { platformTx, type PlatformTx } from '../../platform/db-views.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import { parseInstant } from '../../platform/text.ts';
import { isTimezone } from '../../platform/time-zones.ts';
import {
  defaultEarningRules,
  defaultProgramSettings,
  defaultTierConfig,
  type EarningRuleSet,
  type ProgramSettings,
  type TierConfig,
} from './config-types.ts';
import { bumpCacheVersion } from './checkout-cache.ts';
import { loyaltyError } from './loyalty.errors.ts';

export type ConfigKind = 'program' | 'earning_rules' | 'tiers';
type Bodies = { program: ProgramSettings; earning_rules: EarningRuleSet; tiers: TierConfig };
export type Versioned<T> = { body: T; version: number; updatedAt: string | null };
export type LoyaltyConfig = { program: Versioned<ProgramSettings>; rules: Versioned<EarningRuleSet>; tiers: Versioned<TierConfig> };

const defaults: Bodies = { program: defaultProgramSettings, earning_rules: defaultEarningRules, tiers: defaultTierConfig };

/** The current version of every configuration, in one query (checkout reads it on every receipt). */
export async function loadLoyaltyConfig(db: DbOrTx): Promise<LoyaltyConfig> {
  const rows = await sql<{ kind: ConfigKind; version: number; body: unknown; createdAt: Date }>`
    select distinct on (kind) kind, version, body, created_at from loyalty_config order by kind, version desc`.execute(db);
  const pick = <K extends ConfigKind>(kind: K): Versioned<Bodies[K]> => {
    const row = rows.rows.find((r) => r.kind === kind);
    return row ? { body: row.body as Bodies[K], version: row.version, updatedAt: row.createdAt.toISOString() } : { body: defaults[kind], version: 0, updatedAt: null };
  };
  return { program: pick('program'), rules: pick('earning_rules'), tiers: pick('tiers') };
}

function checkRules(set: EarningRuleSet): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const ids = new Set<string>();
  set.rules.forEach((rule, i) => {
    const at = `rules.${i}`;
    if (ids.has(rule.id)) problems.push({ field: `${at}.id`, reason: `"${rule.id}" is used twice` });
    ids.add(rule.id);
    if (rule.id.startsWith('tier:')) problems.push({ field: `${at}.id`, reason: 'ids starting with "tier:" name tier benefits' });
    const needs = { percent: 'rateBp', multiplier: 'factor', per_item: 'points', per_receipt: 'points' } as const;
    const field = needs[rule.kind];
    if (rule[field] === undefined) problems.push({ field: `${at}.${field}`, reason: `is required for a ${rule.kind} rule` });
    const from = rule.validFrom === undefined ? null : parseInstant(rule.validFrom);
    const to = rule.validTo === undefined ? null : parseInstant(rule.validTo);
    if (rule.validFrom !== undefined && !from) problems.push({ field: `${at}.validFrom`, reason: 'must be a real time between 1900 and 9999' });
    if (rule.validTo !== undefined && !to) problems.push({ field: `${at}.validTo`, reason: 'must be a real time between 1900 and 9999' });
    if (from && to && from.getTime() >= to.getTime()) problems.push({ field: `${at}.validTo`, reason: 'must be after validFrom' });
  });
  return problems;
}

function checkTiers(config: TierConfig): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (config.tiers[0]?.threshold !== 0) problems.push({ field: 'tiers.0.threshold', reason: 'the entry tier must have threshold 0' });
  config.tiers.forEach((tier, i) => {
    if (config.tiers.findIndex((t) => t.id === tier.id) !== i) problems.push({ field: `tiers.${i}.id`, reason: `"${tier.id}" is used twice` });
    if (i > 0 && tier.threshold <= config.tiers[i - 1]!.threshold) problems.push({ field: `tiers.${i}.threshold`, reason: 'thresholds must rise from tier to tier' });
  });
  return problems;
}

function checkProgram(settings: ProgramSettings): FieldProblem[] {
  return settings.maxRedeemShareBp > 0 && settings.minRedeemPoints < 0 ? [{ field: 'minRedeemPoints', reason: 'must not be negative' }] : [];
}

const checkers: { [K in ConfigKind]: (body: Bodies[K]) => FieldProblem[] } = {
  program: checkProgram,
  earning_rules: checkRules,
  tiers: checkTiers,
};

/**
 * The segments module's check of the ids a save names (buildApp sets it; loyalty built alone
 * accepts any id): the ids that are not segments. It holds the others `for share` in `tx`
 * until the save commits, so a delete of one waits and then sees the rule that names it.
 */
export type SegmentCheck = (tx: PlatformTx, ids: readonly string[]) => Promise<string[]>;

/** Every earning rule's `conditions.segments` entry that names no segment, by its place. */
async function unknownSegments(tx: Tx, check: SegmentCheck, set: EarningRuleSet): Promise<FieldProblem[]> {
  const named = set.rules.flatMap((rule, i) => (rule.conditions.segments ?? []).map((id, j) => ({ id, field: `rules.${i}.conditions.segments.${j}` })));
  if (named.length === 0) return [];
  const unknown = new Set(await check(platformTx(tx), named.map((entry) => entry.id)));
  return named.filter((entry) => unknown.has(entry.id)).map((entry) => ({ field: entry.field, reason: `no segment ${entry.id}; GET /v1/segments lists them` }));
}

/**
 * The checks a save of earning rules or tiers makes, without saving: the what-if replay takes a
 * changed set as PUT takes it, and answers the same field problems. The segment check runs in a
 * transaction of its own that writes nothing.
 */
export async function configProblems(db: Db, kind: 'earning_rules' | 'tiers', body: EarningRuleSet | TierConfig, segments: SegmentCheck | null): Promise<FieldProblem[]> {
  if (kind === 'tiers') return checkTiers(body as TierConfig);
  const problems = checkRules(body as EarningRuleSet);
  if (problems.length > 0 || !segments) return problems;
  return db.transaction().execute((tx) => unknownSegments(tx, segments, body as EarningRuleSet));
}

/** Earning rules of the current version that name the segment, as a segment's delete reports them. */
export async function rulesNamingSegment(tx: Tx, segmentId: string): Promise<string[]> {
  const { body } = await currentVersion(tx, 'earning_rules');
  return body.rules.filter((rule) => rule.conditions.segments?.includes(segmentId)).map((rule) => `earning rule "${rule.id}"`);
}

/** What a save asks: a new body, or a change of the current one (a merge patch, one rule), made under the writers' lock. */
export type ConfigChange<T> = T | ((current: T) => T);

/**
 * Saves a new version; the previous ones stay, so every receipt's rules can be traced. With
 * `expectedVersion` (the version the caller read), a version saved since is a 409 instead of a
 * lost update. A body equal to the current one saves nothing: PUT what GET answered, and
 * nothing changes.
 */
export async function saveLoyaltyConfig<K extends ConfigKind>(
  tx: Tx,
  clock: Clock,
  actor: Actor,
  kind: K,
  change: ConfigChange<Bodies[K]>,
  expectedVersion?: number,
  segments: SegmentCheck | null = null,
): Promise<Versioned<Bodies[K]>> {
  // Serialise writers of one kind: the current version is read, changed and written under this lock.
  await sql`select pg_advisory_xact_lock(7246002, ${['program', 'earning_rules', 'tiers'].indexOf(kind)})`.execute(tx);
  const current = await currentVersion(tx, kind);
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw loyaltyError(
      'config.version_conflict',
      `version: you read version ${expectedVersion}, but version ${current.version} was saved since; read it again and repeat your change`,
      [{ field: 'version', reason: `is ${expectedVersion}; the current version is ${current.version}` }],
    );
  }
  const body = typeof change === 'function' ? (change as (current: Bodies[K]) => Bodies[K])(current.body) : change;
  const problems = checkers[kind](body);
  if (problems.length > 0) throw loyaltyError('config.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  if (canonicalJson(body) === canonicalJson(current.body)) return current;
  if (kind === 'earning_rules' && segments) {
    const unknown = await unknownSegments(tx, segments, body as EarningRuleSet);
    if (unknown.length > 0) throw loyaltyError('config.invalid', unknown.map((p) => `${p.field}: ${p.reason}`).join('; '), unknown);
  }
  const version = current.version + 1;
  const now = clock.now();
  await tx.insertInto('loyaltyConfig').values({ kind, version, body: JSON.stringify(body), createdAt: now, createdBy: actor.keyId ?? actor.name }).execute();
  await bumpCacheVersion(tx);
  await writeAudit(tx, clock, actor, { action: `loyalty.${kind}.update`, entityType: 'loyalty_config', entityId: kind, details: { version } });
  return { body, version, updatedAt: now.toISOString() };
}

async function currentVersion<K extends ConfigKind>(tx: Tx, kind: K): Promise<Versioned<Bodies[K]>> {
  const row = await tx
    .selectFrom('loyaltyConfig')
    .select(['version', 'body', 'createdAt'])
    .where('kind', '=', kind)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { body: row.body as Bodies[K], version: row.version, updatedAt: row.createdAt.toISOString() } : { body: defaults[kind], version: 0, updatedAt: null };
}

export function checkTimezone(timezone: string): void {
  if (!isTimezone(timezone)) throw loyaltyError('store.invalid', 'timezone is not an IANA timezone such as Europe/Moscow', [{ field: 'timezone', reason: 'is not an IANA timezone' }]);
}
