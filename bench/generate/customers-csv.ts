import fs from 'node:fs';
import { once } from 'node:events';
import { createRng, mixSeed, type Rng } from './rng.ts';

/**
 * A synthetic customer CSV as a Russian retailer would export it from a POS or an old CRM:
 * phones in every local spelling, e-mails in mixed case, gaps, a few duplicates and a few bad
 * cells. Deterministic: the same options give the same bytes.
 */
export type CustomersCsvOptions = {
  rows: number;
  seed?: number;
  /** Share of rows that repeat an earlier customer's identifiers (an update, not a create). */
  duplicateShare?: number;
  /** Share of rows with one malformed cell (the import refuses them). */
  invalidShare?: number;
};

export const customerCsvColumns = [
  'phone',
  'email',
  'card_number',
  'first_name',
  'last_name',
  'birth_date',
  'gender',
  'city',
  'timezone',
  'tags',
  'consent.email.marketing',
  'consent.sms.marketing',
] as const;

export type CustomerCsvRecord = Record<(typeof customerCsvColumns)[number], string>;

const DEFAULT_SEED = 20_260_115;

// [Cyrillic, Latin] so e-mails look like the name they belong to.
type Name = readonly [string, string];
const femaleFirst: readonly Name[] = [
  ['Анна', 'anna'], ['Мария', 'maria'], ['Елена', 'elena'], ['Ольга', 'olga'], ['Наталья', 'natalya'], ['Ирина', 'irina'],
  ['Татьяна', 'tatyana'], ['Светлана', 'svetlana'], ['Екатерина', 'ekaterina'], ['Юлия', 'yulia'], ['Анастасия', 'anastasia'],
  ['Дарья', 'darya'], ['Ксения', 'ksenia'], ['Виктория', 'viktoria'], ['Полина', 'polina'], ['Алёна', 'alena'],
];
const maleFirst: readonly Name[] = [
  ['Александр', 'alexander'], ['Сергей', 'sergey'], ['Дмитрий', 'dmitry'], ['Андрей', 'andrey'], ['Алексей', 'alexey'],
  ['Максим', 'maxim'], ['Иван', 'ivan'], ['Михаил', 'mikhail'], ['Никита', 'nikita'], ['Артём', 'artem'], ['Евгений', 'evgeny'],
  ['Владимир', 'vladimir'], ['Павел', 'pavel'], ['Роман', 'roman'], ['Олег', 'oleg'], ['Кирилл', 'kirill'],
];
// Male form; the female form adds "а" (Иванов → Иванова).
const lastNames: readonly Name[] = [
  ['Иванов', 'ivanov'], ['Смирнов', 'smirnov'], ['Кузнецов', 'kuznetsov'], ['Попов', 'popov'], ['Васильев', 'vasiliev'],
  ['Петров', 'petrov'], ['Соколов', 'sokolov'], ['Михайлов', 'mikhailov'], ['Новиков', 'novikov'], ['Фёдоров', 'fedorov'],
  ['Морозов', 'morozov'], ['Волков', 'volkov'], ['Алексеев', 'alekseev'], ['Лебедев', 'lebedev'], ['Семёнов', 'semenov'],
  ['Егоров', 'egorov'], ['Павлов', 'pavlov'], ['Козлов', 'kozlov'], ['Степанов', 'stepanov'], ['Николаев', 'nikolaev'],
  ['Орлов', 'orlov'], ['Андреев', 'andreev'], ['Макаров', 'makarov'], ['Никитин', 'nikitin'], ['Захаров', 'zakharov'],
];
// Weighted roughly by population: Moscow appears more often than Vladivostok.
const cities = [
  ['Москва', 'Europe/Moscow', 8], ['Санкт-Петербург', 'Europe/Moscow', 4], ['Казань', 'Europe/Moscow', 2],
  ['Нижний Новгород', 'Europe/Moscow', 2], ['Екатеринбург', 'Asia/Yekaterinburg', 2], ['Челябинск', 'Asia/Yekaterinburg', 1],
  ['Новосибирск', 'Asia/Novosibirsk', 2], ['Омск', 'Asia/Omsk', 1], ['Красноярск', 'Asia/Krasnoyarsk', 1],
  ['Самара', 'Europe/Samara', 1], ['Иркутск', 'Asia/Irkutsk', 1], ['Владивосток', 'Asia/Vladivostok', 1],
  ['Калининград', 'Europe/Kaliningrad', 1], ['Ростов-на-Дону', 'Europe/Moscow', 2], ['Краснодар', 'Europe/Moscow', 2],
] as const;
const cityBag = cities.flatMap((city) => Array.from({ length: city[2] }, () => city));
const domains = ['mail.ru', 'yandex.ru', 'gmail.com', 'bk.ru', 'inbox.ru', 'list.ru', 'rambler.ru', 'ya.ru'] as const;
const tagPool = ['vip', 'newsletter', 'wholesale', 'employee', 'app', 'offline', 'online', 'loyal', 'b2b', 'student'] as const;
const femaleSpellings = ['female', 'F', 'f', 'ж', 'Ж', 'Female'] as const;
const maleSpellings = ['male', 'M', 'm', 'м', 'М', 'Male'] as const;
const yesSpellings = ['yes', 'Yes', 'да', '1', 'true', 'Y'] as const;
const noSpellings = ['no', 'No', 'нет', '0', 'false', 'N'] as const;

// Mobile codes 900–999; 930 is left out because parts of it are not allocated (libphonenumber refuses them).
const mobileCodes = Array.from({ length: 100 }, (_, i) => 900 + i).filter((code) => code !== 930);
const PHONE_SPACE = mobileCodes.length * 10_000_000;
// Multiplying by a number coprime to the space (2^7·3^2·5^7·11) maps customer k to a unique
// number; a multiplier near the golden ratio of the space scatters neighbours across it, so
// numbers arrive in random order, as real ones do (which matters to the index they go into).
const PHONE_STEP = 611_862_847n;
const CARD_SPACE = 1_000_000_000_000;
const CARD_STEP = 7_919;

/** Customer k's mobile number, ten digits "9xxxxxxxxx" (E.164 is "+7" and these). Unique for k below 990,000,000. */
export function customerPhoneDigits(k: number): string {
  const slot = Number((BigInt(k) * PHONE_STEP + 12_345n) % BigInt(PHONE_SPACE));
  return `${mobileCodes[Math.floor(slot / 10_000_000)]}${String(slot % 10_000_000).padStart(7, '0')}`;
}

/** Customer k's loyalty card number, thirteen digits starting with 2. */
export function customerCardNumber(k: number): string {
  return `2${String((k * CARD_STEP + 777) % CARD_SPACE).padStart(12, '0')}`;
}

type Identity = {
  female: boolean;
  first: Name;
  last: Name;
  /** Ten digits, "9xxxxxxxxx". */
  phone: string;
  emailLocal: string;
  domain: string;
  card: string;
};

/** Who customer k is; rebuilt from k alone, so a duplicate row can name an earlier customer. */
function identity(seed: number, k: number): Identity {
  const rng = createRng(mixSeed(seed, k));
  const female = rng.chance(0.55);
  const first = rng.pick(female ? femaleFirst : maleFirst);
  const last = rng.pick(lastNames);
  const phone = customerPhoneDigits(k);
  const emailLocal = rng.pick([`${first[1]}.${last[1]}${k}`, `${first[1][0]}${last[1]}${k}`, `${last[1]}_${k}`]);
  const card = customerCardNumber(k);
  return { female, first, last, phone, emailLocal, domain: rng.pick(domains), card };
}

function spellPhone(rng: Rng, digits: string): string {
  const [a, b, c, d] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6, 8), digits.slice(8, 10)];
  switch (rng.int(0, 7)) {
    case 0:
    case 1:
      return `8 (${a}) ${b}-${c}-${d}`;
    case 2:
      return `+7 ${a} ${b}-${c}-${d}`;
    case 3:
      return `+7${digits}`;
    case 4:
      return `8${digits}`;
    case 5:
      return `+7 (${a}) ${b}-${c}-${d}`;
    case 6:
      return `8-${a}-${b}-${c}-${d}`;
    default:
      return `7${digits}`;
  }
}

function spellEmail(rng: Rng, email: string): string {
  const roll = rng.next();
  if (roll < 0.08) return email.toUpperCase();
  if (roll < 0.2) return email.charAt(0).toUpperCase() + email.slice(1);
  return email;
}

function spellCard(rng: Rng, card: string): string {
  return rng.chance(0.3) ? `${card.slice(0, 4)} ${card.slice(4, 8)} ${card.slice(8)}` : card;
}

function birthDate(rng: Rng): string {
  const date = new Date(Date.UTC(1950, 0, 1) + rng.int(0, 58 * 365) * 86_400_000);
  return date.toISOString().slice(0, 10);
}

function tags(rng: Rng): string {
  const count = rng.int(1, 3);
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(rng.pick(tagPool));
  return [...chosen].join(rng.chance(0.8) ? ';' : '|');
}

/** One cell made wrong in a way real files are wrong; the row is refused by the import. */
function spoil(rng: Rng, record: CustomerCsvRecord): void {
  switch (rng.int(0, 4)) {
    case 0:
      record.phone = `${record.phone || '8 912 000'} доб. 12`;
      return;
    case 1:
      record.email = `${record.email.replace('@', '') || 'someone'}.ru`;
      return;
    case 2:
      record.birth_date = '31.02.1990';
      return;
    case 3:
      record.gender = 'unknown';
      return;
    default:
      record['consent.email.marketing'] = 'maybe';
  }
}

/** The records of the file, in order (without the header). */
export function* customerCsvRecords(options: CustomersCsvOptions): Generator<CustomerCsvRecord> {
  const seed = options.seed ?? DEFAULT_SEED;
  const duplicateShare = options.duplicateShare ?? 0.02;
  const invalidShare = options.invalidShare ?? 0.005;
  if (options.rows > PHONE_SPACE) throw new Error(`at most ${PHONE_SPACE} rows`);
  const rng = createRng(seed);
  let customers = 0;
  for (let i = 0; i < options.rows; i++) {
    const repeat = customers > 0 && rng.chance(duplicateShare);
    const who = identity(seed, repeat ? rng.int(0, customers - 1) : customers++);
    // A repeated customer always keeps the phone, so the row matches them and does not create a new one.
    const hasPhone = repeat || rng.chance(0.93);
    const hasEmail = rng.chance(hasPhone ? 0.75 : 0.9);
    const hasCard = !(hasPhone || hasEmail) || rng.chance(0.55);
    const city = rng.chance(0.9) ? rng.pick(cityBag) : null;
    const record: CustomerCsvRecord = {
      phone: hasPhone ? spellPhone(rng, who.phone) : '',
      email: hasEmail ? spellEmail(rng, `${who.emailLocal}@${who.domain}`) : '',
      card_number: hasCard ? spellCard(rng, who.card) : '',
      first_name: rng.chance(0.97) ? who.first[0] : '',
      last_name: rng.chance(0.9) ? `${who.last[0]}${who.female ? 'а' : ''}` : '',
      birth_date: rng.chance(0.75) ? birthDate(rng) : '',
      gender: rng.chance(0.85) ? rng.pick(who.female ? femaleSpellings : maleSpellings) : '',
      city: city?.[0] ?? '',
      timezone: city && rng.chance(0.8) ? city[1] : '',
      tags: rng.chance(0.4) ? tags(rng) : '',
      'consent.email.marketing': rng.chance(0.85) ? rng.pick(rng.chance(0.6) ? yesSpellings : noSpellings) : '',
      'consent.sms.marketing': rng.chance(0.85) ? rng.pick(rng.chance(0.5) ? yesSpellings : noSpellings) : '',
    };
    if (rng.chance(invalidShare)) spoil(rng, record);
    yield record;
  }
}

export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(values: readonly string[]): string {
  return `${values.map(csvCell).join(',')}\n`;
}

/** Writes the file (header first); returns its size. */
export async function writeCustomersCsv(file: string, options: CustomersCsvOptions): Promise<{ rows: number; bytes: number }> {
  const out = fs.createWriteStream(file);
  let bytes = 0;
  let chunk = csvLine(customerCsvColumns);
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const record of customerCsvRecords(options)) {
    chunk += csvLine(customerCsvColumns.map((column) => record[column]));
    if (chunk.length >= 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await once(out, 'finish');
  return { rows: options.rows, bytes };
}
