import { customerCardNumber, customerPhoneDigits } from './customers-csv.ts';

/** What the loyalty data is made of: the catalog's categories, stores and their cities, names. */
export type Category = { code: string; path: string[]; noun: string; share: number; price: [number, number]; weighed?: boolean; brands: string[] };

/** The catalog's categories: products per category in proportion to `share`; prices in kopecks (per kg when weighed). */
export const catalogCategories: readonly Category[] = [
  { code: 'COF', path: ['grocery', 'coffee'], noun: 'Coffee', share: 4, price: [19_900, 199_000], brands: ['Roastery', 'Lavazza', 'Jacobs', 'Paulig', 'Capsula'] },
  { code: 'TEA', path: ['grocery', 'tea'], noun: 'Tea', share: 3, price: [9_900, 89_000], brands: ['Leaf', 'Greenfield', 'Ahmad', 'Richard'] },
  { code: 'DRY', path: ['grocery', 'dairy'], noun: 'Dairy', share: 8, price: [5_900, 79_000], brands: ['Farm', 'Prostokvashino', 'Valio', 'Danone'] },
  { code: 'CHS', path: ['grocery', 'dairy', 'cheese'], noun: 'Cheese', share: 3, price: [59_000, 199_000], weighed: true, brands: ['Farm', 'Valio', 'Hochland'] },
  { code: 'BRD', path: ['grocery', 'bakery'], noun: 'Bread', share: 5, price: [3_900, 29_900], brands: ['Bakery No. 1', 'Kolomenskoe', 'Harry'] },
  { code: 'MEA', path: ['grocery', 'meat'], noun: 'Meat', share: 6, price: [29_900, 149_000], weighed: true, brands: ['Miratorg', 'Cherkizovo', 'Farm'] },
  { code: 'FSH', path: ['grocery', 'fish'], noun: 'Fish', share: 3, price: [39_900, 249_000], weighed: true, brands: ['Russian Sea', 'Baltic'] },
  { code: 'FRU', path: ['grocery', 'fruit'], noun: 'Fruit', share: 4, price: [9_900, 59_000], weighed: true, brands: ['Orchard', 'Tropics'] },
  { code: 'VEG', path: ['grocery', 'vegetables'], noun: 'Vegetables', share: 4, price: [4_900, 39_000], weighed: true, brands: ['Garden', 'Orchard'] },
  { code: 'SWT', path: ['grocery', 'sweets'], noun: 'Sweets', share: 7, price: [4_900, 89_000], brands: ['Cacao', 'Alpen Gold', 'Krasny Oktyabr', 'Milka'] },
  { code: 'SNK', path: ['grocery', 'snacks'], noun: 'Snacks', share: 5, price: [5_900, 29_900], brands: ['Lays', 'Pringles', 'Khrusteam'] },
  { code: 'FRZ', path: ['grocery', 'frozen'], noun: 'Frozen', share: 5, price: [12_900, 79_000], brands: ['Morozko', 'Sibirskaya'] },
  { code: 'CAN', path: ['grocery', 'canned'], noun: 'Canned', share: 4, price: [7_900, 39_000], brands: ['Heinz', 'Globus'] },
  { code: 'WAT', path: ['drinks', 'water'], noun: 'Water', share: 3, price: [2_900, 12_900], brands: ['Aqua', 'Borjomi'] },
  { code: 'JUI', path: ['drinks', 'juice'], noun: 'Juice', share: 3, price: [8_900, 29_900], brands: ['Dobry', 'Rich'] },
  { code: 'SOD', path: ['drinks', 'soda'], noun: 'Soda', share: 3, price: [5_900, 19_900], brands: ['Chernogolovka', 'Cola'] },
  { code: 'BER', path: ['alcohol', 'beer'], noun: 'Beer', share: 4, price: [6_900, 39_000], brands: ['Baltika', 'Zhiguli'] },
  { code: 'WIN', path: ['alcohol', 'wine'], noun: 'Wine', share: 5, price: [49_900, 499_000], brands: ['Abrau', 'Fanagoria'] },
  { code: 'TOB', path: ['tobacco'], noun: 'Cigarettes', share: 2, price: [17_900, 32_000], brands: ['Tobacco Co', 'Java'] },
  { code: 'HCL', path: ['household', 'cleaning'], noun: 'Cleaner', share: 6, price: [9_900, 99_000], brands: ['Fairy', 'Domestos', 'Persil'] },
  { code: 'CAR', path: ['beauty', 'personal care'], noun: 'Care', share: 6, price: [9_900, 149_000], brands: ['Nivea', 'Dove', 'Natura'] },
  { code: 'KIT', path: ['home', 'kitchen'], noun: 'Kitchenware', share: 3, price: [29_900, 699_000], brands: ['Clay', 'Tefal', 'Grindex'] },
  { code: 'BAB', path: ['baby'], noun: 'Baby', share: 2, price: [14_900, 199_000], brands: ['Pampers', 'Agusha'] },
];

// [city, region, timezone]; Moscow holds four stores in ten.
const cities: ReadonlyArray<readonly [string, string, string]> = [
  ['Moscow', 'Moscow', 'Europe/Moscow'],
  ['Saint Petersburg', 'North-West', 'Europe/Moscow'],
  ['Moscow', 'Moscow', 'Europe/Moscow'],
  ['Kazan', 'Volga', 'Europe/Moscow'],
  ['Yekaterinburg', 'Ural', 'Asia/Yekaterinburg'],
  ['Moscow', 'Moscow', 'Europe/Moscow'],
  ['Novosibirsk', 'Siberia', 'Asia/Novosibirsk'],
  ['Samara', 'Volga', 'Europe/Samara'],
  ['Moscow', 'Moscow', 'Europe/Moscow'],
  ['Krasnodar', 'South', 'Europe/Moscow'],
];
export const femaleNames = ['Anna', 'Maria', 'Elena', 'Olga', 'Natalia', 'Irina', 'Svetlana', 'Tatiana', 'Daria', 'Ekaterina', 'Polina', 'Sofia'];
export const maleNames = ['Ivan', 'Alexey', 'Dmitry', 'Sergey', 'Andrey', 'Mikhail', 'Nikolai', 'Pavel', 'Artem', 'Maxim', 'Roman', 'Egor'];
export const lastNames = ['Ivanov', 'Smirnov', 'Kuznetsov', 'Popov', 'Vasiliev', 'Petrov', 'Sokolov', 'Mikhailov', 'Novikov', 'Fedorov', 'Morozov', 'Volkov'];

export type Store = { index: number; id: string; name: string; city: string; region: string | null; timezone: string; online: boolean };

/** Store 1…n-1 are shops ('st-001' …, bigger ones first); the last is the online shop 'web'. */
export function storesOf(count: number): Store[] {
  return Array.from({ length: count }, (_, i) => {
    const index = i + 1;
    if (index === count) return { index, id: 'web', name: 'Online shop', city: 'Moscow', region: null, timezone: 'Europe/Moscow', online: true };
    const [city, region, timezone] = cities[i % cities.length]!;
    return { index, id: `st-${String(index).padStart(3, '0')}`, name: `${city}, store ${index}`, city, region, timezone, online: false };
  });
}

/** Customer k's identifiers as a till would send them ('8 (912) 345-67-89') and as stored ('+79123456789'). */
export function customerIdentifiers(k: number): { phone: string; phoneE164: string; card: string } {
  const d = customerPhoneDigits(k);
  return { phone: `8 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8)}`, phoneE164: `+7${d}`, card: customerCardNumber(k) };
}

