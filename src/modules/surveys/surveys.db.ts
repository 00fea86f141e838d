import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { SurveysTables } from './surveys.tables.ts';

/** The surveys module's view of the database: its own tables and the platform's (the outbox, the audit log). */
export type SurveysView = SurveysTables & PlatformTables;
export type Db = Kysely<SurveysView>;
export type Tx = Transaction<SurveysView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by another module (the customers' hooks). */
export const ownTx = (tx: PlatformTx): Tx => claimTx<SurveysTables>(tx);
