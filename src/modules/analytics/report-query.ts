import type { RawBuilder } from 'kysely';
import { queryWithoutJit } from '../../platform/report-query.ts';
import type { Db } from './analytics.db.ts';

/**
 * Runs one report statement without JIT (src/platform/report-query.ts) and with 64 MB to sort and
 * hash in: on the bench's 200 k receipts the lines' aggregate spilled to disk at the default 4 MB.
 */
export const reportQuery = <T>(db: Db, query: RawBuilder<T>): Promise<T[]> => queryWithoutJit(db, query, { workMemMb: 64 });
