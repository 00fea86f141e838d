import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';
import type { EntryRule, Prize } from './lottery-types.ts';

/** The lotteries module's tables (Kysely's view, camel-cased). Only this module names them. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export type LotteriesTable = {
  id: string;
  name: string;
  description: string | null;
  /** 'open' until drawn or cancelled; upcoming / open / closed are read from the entry period. */
  state: 'open' | 'drawn' | 'cancelled';
  entryFrom: Timestamp;
  entryTo: Timestamp;
  rules: Json<EntryRule[]>;
  prizes: Json<Prize[]>;
  algorithm: string;
  /** 32 random bytes, hex; secret until the draw. */
  seed: string;
  commitment: string;
  entriesDigest: string | null;
  entrants: number | null;
  totalEntries: ColumnType<string | number | null, number | null | undefined, number | null>;
  version: WithDefault<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  drawnAt: Timestamp | null;
};

/** The entries frozen by the draw: what the entriesDigest covers. */
export type LotteryEntriesTable = {
  lotteryId: string;
  customerId: string;
  entries: ColumnType<string | number, number, number>;
  /** The entrant's tickets are [firstTicket, firstTicket + entries) in customer-id order. */
  firstTicket: ColumnType<string | number, number, number>;
  spendEntries: ColumnType<string | number, number, number>;
  actionEntries: ColumnType<string | number, number, number>;
};

export type PrizeStatus = 'granted' | 'pending' | 'failed' | 'no_reward';

export type LotteryWinnersTable = {
  lotteryId: string;
  slot: number;
  prizeIndex: number;
  customerId: string;
  ticket: ColumnType<string | number, number, number>;
  attempts: number;
  rewardId: string | null;
  prizeStatus: PrizeStatus;
  orderId: string | null;
  failure: string | null;
};

export type LotteriesTables = {
  lotteries: LotteriesTable;
  lotteryEntries: LotteryEntriesTable;
  lotteryWinners: LotteryWinnersTable;
};
