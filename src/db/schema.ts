import type { CustomersTables } from '../modules/customers/customers.tables.ts';
import type { LoyaltyTables } from '../modules/loyalty/loyalty.tables.ts';
import type { PromotionsTables } from '../modules/promotions/promotions.tables.ts';
import type { PlatformTables } from '../platform/platform.tables.ts';

/**
 * The whole database: the platform's tables and every module's. Each module declares its
 * tables beside its code and queries only through its own view (`<module>.db.ts`); this union
 * is for migrations, tests and buildApp's wiring, where each module's view is made from it.
 */
export type DB = PlatformTables & CustomersTables & LoyaltyTables & PromotionsTables;
