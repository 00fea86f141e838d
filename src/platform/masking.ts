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

/** 203.0.113.45 -> 203.0.*.*; 2001:db8:85a3::8a2e -> 2001:db8:*: the network, not the device. */
export function maskIp(ip: string): string {
  if (ip.includes(':')) {
    const groups = ip.split(':').filter((group) => group !== '');
    return `${groups.slice(0, 2).join(':')}:*`;
  }
  const parts = ip.split('.');
  if (parts.length !== 4) return '***';
  return `${parts[0]}.${parts[1]}.*.*`;
}

/** Maria Petrova -> M***: a person's name (an operator's, say), reduced to its initial. */
export function maskName(name: string): string {
  const first = [...name.trim()][0];
  return first ? `${first}***` : '***';
}
