import { randomInt } from 'node:crypto';

/**
 * A digital card's number for a customer who joined online: the marketer's prefix, random
 * digits to twelve, and a Luhn check digit (a mistyped number at the till is caught), thirteen
 * digits that print as a Code 128 barcode any scanner reads. Uniqueness is the identifiers'
 * unique index: a clash (one in 10^8 and more) is retried by the caller.
 */
export function newCardNumber(prefix: string): string {
  let digits = prefix.slice(0, 8);
  while (digits.length < 12) digits += String(randomInt(0, 10));
  return digits + luhnDigit(digits);
}

export function luhnDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
