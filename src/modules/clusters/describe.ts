/**
 * A cluster in a marketer's words, from its centroid: each feature's z-score (how many standard
 * deviations the cluster's mean lies from all customers' mean) says what stands out, and the
 * feature's own value keeps a word honest ("mostly online" only when most receipts are online).
 * "frequent small baskets, coffee and dairy, mostly morning".
 */
export type Centroid = { z: Record<string, number>; value: Record<string, number> };

/** How far from everyone's mean a feature must lie, in standard deviations, to be worth a word. */
export const STANDS_OUT = 0.5;

const high = (c: Centroid, key: string) => (c.z[key] ?? 0) >= STANDS_OUT;
const low = (c: Centroid, key: string) => (c.z[key] ?? 0) <= -STANDS_OUT;

export function describeCluster(c: Centroid): string {
  const words: string[] = [];
  const often = high(c, 'frequency') ? 'frequent' : low(c, 'frequency') ? 'occasional' : '';
  const basket = high(c, 'averageBasketMinor') ? 'large baskets' : low(c, 'averageBasketMinor') ? 'small baskets' : '';
  if (basket) words.push(often ? `${often} ${basket}` : basket);
  else if (often) words.push(`${often} buyers`);
  if (high(c, 'linesPerBasket') && !basket) words.push('many items a basket');
  if (high(c, 'recencyDays')) words.push('not seen lately');
  else if (low(c, 'recencyDays')) words.push('bought recently');
  // The categories this cluster buys more of than customers at large, the strongest two, each a fifth of its spend or more.
  const categories = Object.keys(c.z)
    .filter((key) => key.startsWith('share.') && key !== 'share.other' && high(c, key) && (c.value[key] ?? 0) >= 0.2)
    .sort((a, b) => (c.z[b] ?? 0) - (c.z[a] ?? 0))
    .slice(0, 2)
    .map((key) => key.slice('share.'.length));
  if (categories.length > 0) words.push(categories.join(' and '));
  else if (high(c, 'share.other') && (c.value['share.other'] ?? 0) >= 0.2) words.push('other categories');
  if (high(c, 'onlineShare') && (c.value.onlineShare ?? 0) >= 0.5) words.push('mostly online');
  else if (low(c, 'onlineShare') && (c.value.onlineShare ?? 0) <= 0.1) words.push('in store');
  const times = (['morning', 'afternoon', 'evening'] as const)
    .filter((time) => high(c, `${time}Share`) && (c.value[`${time}Share`] ?? 0) >= 0.5)
    .sort((a, b) => (c.z[`${b}Share`] ?? 0) - (c.z[`${a}Share`] ?? 0));
  if (times[0]) words.push(`mostly ${times[0]}`);
  if (high(c, 'stores')) words.push('several stores');
  if (high(c, 'discountShare')) words.push('buys on discount');
  if (high(c, 'pointsShare')) words.push('uses points');
  return words.length > 0 ? words.join(', ') : 'typical customers';
}
