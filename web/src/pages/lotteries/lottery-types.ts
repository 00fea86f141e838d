/** A lottery as GET /v1/lotteries/{id} answers it (docs/lotteries.md). */
export type LotteryStatus = 'upcoming' | 'open' | 'closed' | 'drawn' | 'cancelled';
export type SpendRule = { kind: 'spend'; perMinor: number; tierMultipliers?: Record<string, number>; maxEntries?: number };
export type ActionRule = { kind: 'action'; eventType: string; entries: number; maxEntries?: number };
export type EntryRule = SpendRule | ActionRule;
export type Prize = { name: string; rewardId?: string; count: number };
export type Winner = {
  slot: number;
  prizeIndex: number;
  prizeName: string;
  customerId: string;
  ticket: number;
  attempts: number;
  rewardId: string | null;
  prizeStatus: 'granted' | 'pending' | 'failed' | 'no_reward';
  orderId: string | null;
  failure: string | null;
};
export type Lottery = {
  id: string;
  name: string;
  description: string | null;
  status: LotteryStatus;
  entryPeriod: { from: string; to: string };
  rules: EntryRule[];
  prizes: Prize[];
  algorithm: string;
  commitment: string;
  seed: string | null;
  entriesDigest: string | null;
  entrants: number | null;
  totalEntries: number | null;
  winners: Winner[];
  version: number;
  createdAt: string;
  updatedAt: string;
  drawnAt: string | null;
};
export type LotteryEntry = { customerId: string; entries: number; firstTicket: number; spendEntries: number; actionEntries: number };

export const lotteryStatuses: LotteryStatus[] = ['upcoming', 'open', 'closed', 'drawn', 'cancelled'];
export const statusTone = (status: LotteryStatus) => (status === 'open' ? 'good' : status === 'closed' ? 'warn' : status === 'drawn' ? 'info' : 'neutral');

/** An instant as a datetime-local input holds it (the browser's time zone), and back. */
export const localDateTime = (iso: string | undefined | null) => (iso ? new Date(new Date(iso).getTime() - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');
export const isoOf = (local: string): string => {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
};

