import { normalizeEmail } from '../customers/index.ts';
import { analyticsError } from './analytics.errors.ts';

export const MAX_RECIPIENTS = 20;

/**
 * The e-mail addresses a scheduled report or an alert goes to, as the outbox will store them:
 * trimmed, lower-cased, each once, in the order given. An address that is no address is
 * refused in words, by its place in the list.
 */
export function checkRecipients(addresses: string[], field = 'recipients'): string[] {
  if (addresses.length > MAX_RECIPIENTS) {
    throw analyticsError('analytics.invalid_recipients', `${field}: at most ${MAX_RECIPIENTS} addresses; got ${addresses.length}`, [{ field, reason: `must list at most ${MAX_RECIPIENTS} addresses` }]);
  }
  const problems: Array<{ field: string; reason: string }> = [];
  const checked: string[] = [];
  addresses.forEach((raw, i) => {
    const address = normalizeEmail(raw);
    if (!address.ok) problems.push({ field: `${field}.${i}`, reason: address.reason });
    else if (!checked.includes(address.value)) checked.push(address.value);
  });
  if (problems.length > 0) throw analyticsError('analytics.invalid_recipients', problems.map((p) => `${p.field} ${p.reason}`).join('; '), problems);
  return checked;
}
