import { ApiError } from '../../api.ts';

/** A gift card as the gift-card routes answer it (src/modules/gift-cards/gift-cards.schemas.ts). */
export type GiftCardStatus = 'issued' | 'active' | 'blocked' | 'expired';
export type GiftCard = {
  id: string;
  code: string;
  status: GiftCardStatus;
  balanceMinor: number;
  currency: string;
  batchId: string | null;
  customerId: string | null;
  expiresAt: string | null;
  validDays: number | null;
  activatedAt: string | null;
  blockedAt: string | null;
  blockReason: string | null;
  createdAt: string;
  updatedAt: string;
};

export type GiftCardEntry = {
  id: number;
  kind: 'issue' | 'activate' | 'redeem' | 'refund' | 'adjust' | 'expire';
  amountMinor: number;
  balanceAfterMinor: number;
  receiptId: string | null;
  refundId: string | null;
  reason: string | null;
  createdAt: string;
};

export type GiftCardBatch = {
  id: string;
  count: number;
  amountMinor: number;
  currency: string;
  prefix: string;
  expiresAt: string | null;
  validDays: number | null;
  generated: number;
  progress: number;
  status: 'queued' | 'running' | 'completed' | 'failed';
  failure: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export const statusTone = (status: GiftCardStatus) => (status === 'active' ? 'good' : status === 'blocked' ? 'bad' : status === 'expired' ? 'warn' : 'info');

/**
 * Money typed in major units ("3 000,50") as minor units for the API; what is not a number goes
 * as typed, so the server answers in words what is wrong with it.
 */
export function minorOf(value: string): number | string | undefined {
  const trimmed = value.trim().replace(/\s/g, '').replace(',', '.');
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? Math.round(n * 100) : trimmed;
}

/** A whole number typed in a field, or the text as typed for the server to refuse in words. */
export function integerOf(value: string): number | string | undefined {
  const trimmed = value.trim().replace(/\s/g, '');
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

/** A date field's day (yyyy-mm-dd) as the end of that day in this browser's zone, as ISO. */
export function endOfDay(day: string): string | undefined {
  if (!day) return undefined;
  const date = new Date(`${day}T23:59:59`);
  return Number.isNaN(date.getTime()) ? day : date.toISOString();
}

/** The body without the fields left empty. */
export function compact(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

/**
 * A key for one change, kept for a retry after a lost answer (no connection) and renewed after
 * any answer, so a corrected form is a new request rather than a conflicting replay.
 */
export const keepsKey = (error: unknown) => error instanceof ApiError && error.status === 0;
