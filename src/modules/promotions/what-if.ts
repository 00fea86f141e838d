import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { checkInput, definitionOf, toDefinition, toInput, toView, unknownSegments, type PromotionInput, type SegmentCheck } from './promotion-store.ts';
import type { PromotionDefinition } from './promotion-types.ts';
import type { Db, DbOrTx } from './promotions.db.ts';
import { PromotionCreate } from './promotions.schemas.ts';

/**
 * The promotions a what-if replay prices with. A change names an existing promotion by `id`
 * and is a JSON merge patch of it, as PATCH /v1/promotions/{id} takes it (`{id, status:
 * "paused"}` switches one off, `{id, benefit: {…}}` changes what it gives); a change without an
 * `id` is a new promotion, as POST /v1/promotions takes it, except that it is active unless it
 * says otherwise (a draft would never apply). Each is checked as those routes check it; nothing is
 * saved. The set is every promotion that is then active, in id order, the new ones last.
 */
export type PromotionChange = Record<string, unknown> & { id?: string };

/** What the promotions adjuster's replay takes: the active promotions to price with. */
export type PromotionsScenario = { active: PromotionDefinition[] };

const at = (index: number, field: string) => `promotions.${index}.${field === '(root)' ? '' : field}`.replace(/\.$/, '');

/** Id order, as the checkout's cache lists them (ids of one shape sort the same under any collation). */
const idOrder = (a: PromotionDefinition, b: PromotionDefinition) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A checker's problems, each field placed under `promotions.<index>`. */
function placed(index: number, error: unknown): FieldProblem[] {
  if (error instanceof AppError) return (error.fields ?? [{ field: '(root)', reason: error.detail }]).map((p) => ({ field: at(index, p.field), reason: p.reason }));
  throw error;
}

/** The promotions active now, as the checkout prices with them. */
export async function livePromotions(db: DbOrTx): Promise<PromotionsScenario> {
  const rows = await db.selectFrom('promotions').selectAll().where('status', '=', 'active').execute();
  return { active: rows.map(toDefinition).sort(idOrder) };
}

export async function whatIfPromotions(db: Db, changes: PromotionChange[], segments: SegmentCheck | null): Promise<{ scenario: PromotionsScenario; problems: FieldProblem[] }> {
  const named = [...new Set(changes.flatMap((change) => (typeof change.id === 'string' ? [change.id] : [])))];
  const rows = named.length > 0 ? await db.selectFrom('promotions').selectAll().where('id', 'in', named).execute() : [];
  const byId = new Map(rows.map((row) => [row.id, row]));
  const problems: FieldProblem[] = [];
  const replaced = new Map<string, PromotionDefinition>();
  const added: PromotionDefinition[] = [];
  const inputs: Array<{ index: number; input: PromotionInput }> = [];
  changes.forEach((change, index) => {
    const { id, ...patch } = change;
    if (id !== undefined && !byId.has(id)) {
      problems.push({ field: at(index, 'id'), reason: `no promotion ${String(id)}; GET /v1/promotions lists them (leave id out for a new promotion)` });
      return;
    }
    if (id !== undefined && replaced.has(id)) {
      problems.push({ field: at(index, 'id'), reason: `promotion ${id} is changed twice; put both changes in one` });
      return;
    }
    let input: PromotionInput;
    try {
      const current = id === undefined ? { status: 'active' } : toInput(toView(byId.get(id)!));
      input = checkMerged<PromotionInput>(PromotionCreate, applyMergePatch(current, patch));
    } catch (error) {
      problems.push(...placed(index, error));
      return;
    }
    const found = checkInput(input);
    if (found.length > 0) {
      problems.push(...found.map((p) => ({ field: at(index, p.field), reason: p.reason })));
      return;
    }
    inputs.push({ index, input });
    if (id === undefined) added.push(definitionOf(`what-if:${index}`, input));
    else replaced.set(id, definitionOf(id, input));
  });
  if (segments && problems.length === 0) {
    // The segment check holds what it finds `for share` until its transaction ends: this one writes nothing.
    await db.transaction().execute(async (tx) => {
      for (const { index, input } of inputs) {
        for (const p of await unknownSegments(tx, segments, input)) problems.push({ field: at(index, p.field), reason: p.reason });
      }
    });
  }
  const live = await livePromotions(db);
  const kept = live.active.filter((p) => !replaced.has(p.id));
  const active = [...kept, ...replaced.values()].filter((p) => p.status === 'active').sort(idOrder);
  return { scenario: { active: [...active, ...added.filter((p) => p.status === 'active')] }, problems };
}
