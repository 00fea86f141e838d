import type { Customers } from '../customers/index.ts';
import { promotionError } from './promotions.errors.ts';

/**
 * A named-customers audience checked against the customers there are, before it is stored: an id
 * that names no one (a typo, an erased customer) is refused in words rather than kept as a
 * promotion no one can get, and a merged duplicate's id becomes its survivor's (once, however
 * often both were named). Other audiences pass as they are.
 */
export async function withKnownCustomers<T>(input: T, customers: Pick<Customers, 'resolveList'>): Promise<T> {
  const audience = (input as { audience?: { kind?: string; customerIds?: unknown } } | null)?.audience;
  if (audience?.kind !== 'customers' || !Array.isArray(audience.customerIds)) return input;
  const ids = audience.customerIds as string[];
  const resolved = await customers.resolveList('customerId', ids);
  const unknown = ids.filter((_, i) => !resolved[i] || !('customerId' in resolved[i]!));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).join(', ') + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : '');
    throw promotionError('promotion.invalid', `audience.customerIds: no customer has the id ${shown}`, [{ field: 'audience.customerIds', reason: `names no customer: ${shown}` }]);
  }
  const current = [...new Set(resolved.map((r) => (r as { customerId: string }).customerId))];
  return { ...input, audience: { ...audience, customerIds: current } };
}
