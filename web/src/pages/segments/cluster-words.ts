/**
 * A cluster described in Russian, by the same reading of its centroid as the server's English
 * description (src/modules/clusters/describe.ts): a feature half a standard deviation from
 * everyone's mean is worth a word, and its own value keeps the word honest.
 */
type Centroid = { zScores: Record<string, number>; centroid: Record<string, number> };

const STANDS_OUT = 0.5;

export function describeRu({ zScores: z, centroid: value }: Centroid): string {
  const high = (key: string) => (z[key] ?? 0) >= STANDS_OUT;
  const low = (key: string) => (z[key] ?? 0) <= -STANDS_OUT;
  const words: string[] = [];
  const often = high('frequency') ? 'частые' : low('frequency') ? 'редкие' : '';
  const basket = high('averageBasketMinor') ? 'крупные чеки' : low('averageBasketMinor') ? 'небольшие чеки' : '';
  if (basket) words.push(often ? `${often} ${basket}` : basket);
  else if (often) words.push(often === 'частые' ? 'частые покупатели' : 'редкие покупатели');
  if (high('linesPerBasket') && !basket) words.push('много товаров в чеке');
  if (high('recencyDays')) words.push('давно не приходили');
  else if (low('recencyDays')) words.push('покупали недавно');
  const categories = Object.keys(z)
    .filter((key) => key.startsWith('share.') && key !== 'share.other' && high(key) && (value[key] ?? 0) >= 0.2)
    .sort((a, b) => (z[b] ?? 0) - (z[a] ?? 0))
    .slice(0, 2)
    .map((key) => key.slice('share.'.length));
  if (categories.length > 0) words.push(categories.join(' и '));
  else if (high('share.other') && (value['share.other'] ?? 0) >= 0.2) words.push('другие категории');
  if (high('onlineShare') && (value.onlineShare ?? 0) >= 0.5) words.push('в основном онлайн');
  else if (low('onlineShare') && (value.onlineShare ?? 0) <= 0.1) words.push('в магазине');
  const times = (['morning', 'afternoon', 'evening'] as const)
    .filter((time) => high(`${time}Share`) && (value[`${time}Share`] ?? 0) >= 0.5)
    .sort((a, b) => (z[`${b}Share`] ?? 0) - (z[`${a}Share`] ?? 0));
  const timeWords = { morning: 'в основном утром', afternoon: 'в основном днём', evening: 'в основном вечером' };
  if (times[0]) words.push(timeWords[times[0]]);
  if (high('stores')) words.push('несколько магазинов');
  if (high('discountShare')) words.push('покупают со скидкой');
  if (high('pointsShare')) words.push('платят баллами');
  return words.length > 0 ? words.join(', ') : 'обычные клиенты';
}
