import { CODE_ALPHABET, randomCodes } from '../promotions/index.ts';

/**
 * Gift-card codes are bearer secrets: whoever holds one spends the money on it. So they are long
 * and random — 16 characters of promotions' 32-letter alphabet without look-alikes (no 0/O, 1/I)
 * are 80 bits, where a promo code needs only to be one in 10,000 — and they are shown in full
 * only where the caller issued or typed them (see `maskCode`).
 */
export const CODE_RANDOM_LENGTH = 16;
/** A code an operator brings (cards printed elsewhere) must be as hard to guess: at least 16 characters. */
export const MIN_CODE_LENGTH = 16;
export const MAX_CODE_LENGTH = 64;

export { CODE_ALPHABET };

/** As printed and as typed: upper-case, without spaces and dashes ("ABCD-EFGH-…" is "ABCDEFGH…"). */
export const normalizeCode = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

export function newCodes(count: number, prefix: string): string[] {
  return randomCodes(count, CODE_RANDOM_LENGTH, prefix, false);
}

/** What lists and receipts show: the last four characters, the rest hidden (its length too). */
export function maskCode(code: string): string {
  return `************${code.slice(-4)}`;
}

/** Grouped by four for printing: "ABCD-EFGH-JKLM-NPQR" (the till and the API drop the dashes). */
export function printedCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1-');
}

export const isCardId = (value: string) => /^gcd_[0-9a-f]{32}$/.test(value);
