/** Masks contacts for roles that need the shape of the data, not the person. */
export function maskPhone(phone: string): string {
  // +79123456789 -> +7912*****89: country and operator code stay readable for analysis
  if (phone.length <= 6) return '*'.repeat(phone.length);
  return phone.slice(0, 5) + '*'.repeat(phone.length - 7) + phone.slice(-2);
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

export function maskCard(card: string): string {
  if (card.length <= 4) return '*'.repeat(card.length);
  return '*'.repeat(card.length - 4) + card.slice(-4);
}
