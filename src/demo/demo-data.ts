import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Clock } from '../platform/clock.ts';
import type { Ids } from '../platform/ids.ts';
import type { ImportRow } from '../modules/customers/import/csv-row.ts';
import { writeBatch } from '../modules/customers/import/write-batch.ts';
import { loadDemoLoyalty } from './demo-loyalty.ts';
import { seededRandom } from './random.ts';

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

export function demoCustomerRows(count: number, seed = 2026): ImportRow[] {
  const random = seededRandom(seed);
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
    const row: ImportRow = {
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
    };
    return row;
  });
}

/** Loads the demo data set once; a second call finds the marker and does nothing. */
export async function loadDemoData(db: Db, clock: Clock, ids: Ids, customers = 300): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const marker = await tx
      .insertInto('systemSettings')
      .values({ key: 'demo.loaded', value: JSON.stringify({ customers }), updatedAt: clock.now() })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!marker) return false;
    const at = clock.now();
    await writeBatch(tx, { now: () => at }, ids, 'demo', demoCustomerRows(customers));
    // Spread sign-up dates over the past year (deterministically, by id) so lists look lived-in.
    await sql`update customers
      set created_at = created_at - (('x' || substr(md5(id), 1, 7))::bit(28)::int % 365) * interval '1 day'
      where created_at = ${at}`.execute(tx);
    await loadDemoLoyalty(tx, clock, ids);
    return true;
  });
}
