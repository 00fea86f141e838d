import { viewOf, type Database } from '../db/database.ts';
import type { CustomerImportRow, Customers } from '../modules/customers/index.ts';
import type { Loyalty } from '../modules/loyalty/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { PlatformTables } from '../platform/platform.tables.ts';
import { seededRandom } from '../platform/seeded-random.ts';
import { loadDemoLoyalty } from './demo-loyalty.ts';
import { loadDemoProgram, type DemoApi } from './demo-program.ts';

const femaleNames = ['Anna', 'Maria', 'Elena', 'Olga', 'Natalia', 'Irina', 'Svetlana', 'Tatiana', 'Daria', 'Ekaterina', 'Polina', 'Sofia'];
const maleNames = ['Ivan', 'Alexey', 'Dmitry', 'Sergey', 'Andrey', 'Mikhail', 'Nikolai', 'Pavel', 'Artem', 'Maxim', 'Roman', 'Egor'];
const lastNames = ['Ivanov', 'Smirnov', 'Kuznetsov', 'Popov', 'Vasiliev', 'Petrov', 'Sokolov', 'Mikhailov', 'Novikov', 'Fedorov', 'Morozov', 'Volkov'];
const cities: Array<[string, string]> = [
  ['Moscow', 'Europe/Moscow'],
  ['Saint Petersburg', 'Europe/Moscow'],
  ['Kazan', 'Europe/Moscow'],
  ['Yekaterinburg', 'Asia/Yekaterinburg'],
  ['Novosibirsk', 'Asia/Novosibirsk'],
  ['Samara', 'Europe/Samara'],
];
const tagPool = ['vip', 'employee', 'newsletter', 'wholesale', 'app-user'];

const DAY_MS = 86_400_000;

/** `count` demo customers; sign-up dates spread over the year before `now`, so lists look lived-in. */
export function demoCustomerRows(count: number, now: Date, seed = 2026): CustomerImportRow[] {
  const random = seededRandom(seed);
  const joined = seededRandom(seed + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, index) => {
    const female = random() < 0.58;
    const first = pick(female ? femaleNames : maleNames);
    const last = pick(lastNames) + (female ? 'a' : '');
    const [city, timezone] = pick(cities);
    const year = 1955 + Math.floor(random() * 50);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const marketing = random() < 0.62;
    const row: CustomerImportRow = {
      line: index + 2,
      identifiers: [
        { kind: 'phone', source: '', value: `+7916${String(1_000_000 + index * 7919).slice(-7)}` },
        { kind: 'email', source: '', value: `${first}.${last}.${index}@example.com`.toLowerCase() },
        { kind: 'card', source: '', value: String(7_770_000_000 + index) },
      ],
      profile: {
        firstName: first,
        lastName: last,
        birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
        gender: female ? 'female' : 'male',
        city,
        timezone,
        locale: 'ru-RU',
        tags: random() < 0.3 ? [pick(tagPool)] : [],
      },
      attributes: {},
      consents: [
        { channel: 'all', purpose: 'personal_data', granted: true },
        { channel: 'email', purpose: 'marketing', granted: marketing },
        { channel: 'sms', purpose: 'marketing', granted: marketing && random() < 0.7 },
        { channel: 'push', purpose: 'marketing', granted: random() < 0.4 },
      ],
      consentTextVersion: 'demo-2026-01',
      signedUpAt: new Date(now.getTime() - Math.floor(joined() * 365) * DAY_MS),
    };
    return row;
  });
}

/** What the demo loads through: the modules' services, and the database for the platform's settings. */
export type DemoTarget = { database: Database; customers: Customers; loyalty: Loyalty } & DemoApi;

const MARKER = 'demo.loaded';

/**
 * Loads the demo data set once, through the modules' public services; a later call finds the
 * marker and does nothing. Each step runs in its own transaction and leaves what is already
 * there, and the marker is written last, so a load that stopped half-way is finished by the
 * next one.
 */
export async function loadDemoData(target: DemoTarget, clock: Clock, customers = 300): Promise<boolean> {
  // The demo touches only the platform's settings table itself; module data goes through services.
  const settings = viewOf<PlatformTables>(target.database.db);
  const loaded = await settings.selectFrom('systemSettings').select('key').where('key', '=', MARKER).executeTakeFirst();
  if (loaded) return false;
  const rows = demoCustomerRows(customers, clock.now());
  const written = await target.customers.importRows(rows, 'demo');
  const customerIds = rows.map((row) => written.customerIds.get(row.line)).filter((id) => id !== undefined);
  await loadDemoLoyalty(target.loyalty, clock, customerIds);
  await loadDemoProgram(target, clock);
  const marker = await settings
    .insertInto('systemSettings')
    .values({ key: MARKER, value: JSON.stringify({ customers }), updatedAt: clock.now() })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return marker !== undefined;
}
