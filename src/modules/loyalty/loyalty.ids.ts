import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';
import { customerIds, type CustomerIdPrefix } from '../customers/index.ts';

/** Receipts (`rcp_…`) and point lots (`lot_…`). */
export const loyaltyIds = defineIdPrefixes(['rcp', 'lot'] as const);
type LoyaltyIdPrefix = (typeof loyaltyIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<LoyaltyIdPrefix>;

const isOwn = (prefix: string): prefix is LoyaltyIdPrefix => (loyaltyIds.prefixes as readonly string[]).includes(prefix);

/** Route patterns of the ids loyalty names: its own, and customers' (its routes under /v1/customers/{id}). */
export function idPattern(prefix: LoyaltyIdPrefix | CustomerIdPrefix): string {
  return isOwn(prefix) ? loyaltyIds.pattern(prefix) : customerIds.pattern(prefix);
}
