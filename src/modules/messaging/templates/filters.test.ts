import { describe, expect, it } from 'vitest';
import { contextWith, NOW, renderText } from './test-helpers.ts';

// Intl separates groups, and the amount from ₽, with U+00A0 (no-break space).
const NBSP = '\u00a0';

const ru = contextWith({ locale: 'ru', timeZone: 'Europe/Moscow' });
const en = contextWith({ locale: 'en', timeZone: 'Europe/Moscow' });

describe('money', () => {
  it.each([
    ['ru', '{{ 150000 | money }}', `1${NBSP}500${NBSP}₽`],
    ['ru', '{{ 150050 | money }}', `1${NBSP}500,50${NBSP}₽`],
    ['ru', '{{ 150005 | money }}', `1${NBSP}500,05${NBSP}₽`],
    ['ru', '{{ 5 | money }}', `0,05${NBSP}₽`],
    ['ru', '{{ 0 | money }}', `0${NBSP}₽`],
    ['ru', '{{ -150050 | money }}', `-1${NBSP}500,50${NBSP}₽`],
    ['ru', '{{ 123456789 | money }}', `1${NBSP}234${NBSP}567,89${NBSP}₽`],
    ['ru', '{{ "150050" | money }}', `1${NBSP}500,50${NBSP}₽`],
    ['ru', '{{ 150050 | money: "USD" }}', `1${NBSP}500,50${NBSP}$`],
    ['ru', '{{ 150050 | money: "eur" }}', `1${NBSP}500,50${NBSP}€`],
    ['en', '{{ 150000 | money }}', '₽1,500'],
    ['en', '{{ 150050 | money }}', '₽1,500.50'],
    ['en', '{{ 150050 | money: "USD" }}', '$1,500.50'],
    ['en', '{{ 1500 | money: "JPY" }}', '¥1,500'], // the yen has no minor unit
    ['en', '{{ recommendations[1].priceMinor | money: recommendations[1].currency }}', '₽3,290.50'],
    ['ru', '{{ tier.next.spendNeededMinor | money }}', `15${NBSP}000${NBSP}₽`],
    ['ru', '{{ customer.nothing | money }}', ''],
  ])('%s %s → %j', (locale, source, expected) => {
    expect(renderText(source, locale === 'ru' ? ru : en)).toBe(expected);
  });

  it.each([
    ['{{ 1500.5 | money }}', 'money expects an amount in minor units, a whole number such as 150050 for 1 500,50; got 1500.5'],
    ['{{ "abc" | money }}', 'money expects an amount in minor units, a whole number such as 150050 for 1 500,50; got "abc"'],
    ['{{ 100 | money: "rubles" }}', 'money: "rubles" is not a currency code such as RUB or USD'],
    ['{{ 100 | money: "RUB", "x" }}', 'money takes at most 1 argument'],
  ])('refuses %s', (source, reason) => {
    expect(() => renderText(source, ru)).toThrow(reason);
  });
});

describe('points', () => {
  it.each([
    ['ru', 999, '999'],
    ['ru', 1500, `1${NBSP}500`],
    ['ru', 15000000, `15${NBSP}000${NBSP}000`],
    ['en', 1500, '1,500'],
    ['en', -20, '-20'],
  ])('%s %d → %j', (locale, points, expected) => {
    expect(renderText(`{{ ${points} | points }}`, locale === 'ru' ? ru : en)).toBe(expected);
  });

  it('shows the balance and refuses a fraction', () => {
    expect(renderText('{{ balance.available | points }}', ru)).toBe(`1${NBSP}250`);
    expect(() => renderText('{{ 1.5 | points }}', ru)).toThrow('points expects a whole number of points; got 1.5');
  });
});

describe('plural', () => {
  const ruCases: Array<[number, string]> = [
    [0, '0 баллов'],
    [1, '1 балл'],
    [2, '2 балла'],
    [5, '5 баллов'],
    [11, '11 баллов'],
    [21, '21 балл'],
    [22, '22 балла'],
    [25, '25 баллов'],
    [111, '111 баллов'],
    [1.5, '1,5 балла'],
    [1500, `1${NBSP}500 баллов`],
  ];
  it.each(ruCases)('ru %d → %j', (n, expected) => {
    expect(renderText(`{{ ${n} | plural: 'балл', 'балла', 'баллов' }}`, ru)).toBe(expected);
  });

  const enCases: Array<[number, string]> = [
    [0, '0 points'],
    [1, '1 point'],
    [2, '2 points'],
    [21, '21 points'],
    [1500, '1,500 points'],
  ];
  it.each(enCases)('en %d → %j', (n, expected) => {
    expect(renderText(`{{ ${n} | plural: 'point', 'points' }}`, en)).toBe(expected);
  });

  it('takes the rules from the forms given, the grouping from the customer, and shows the word alone with plural_word', () => {
    expect(renderText("{{ 21 | plural: 'балл', 'балла', 'баллов' }}", en)).toBe('21 балл');
    expect(renderText("{{ 21 | plural: 'point', 'points' }}", ru)).toBe('21 points');
    expect(renderText("{{ balance.available | plural_word: 'балл', 'балла', 'баллов' }}", ru)).toBe('баллов');
    expect(renderText("{{ balance.expiring.points | plural: 'балл', 'балла', 'баллов' }}", ru)).toBe('300 баллов');
    expect(renderText("{{ customer.nothing | plural: 'балл', 'балла', 'баллов' }}", ru)).toBe('');
  });

  it('refuses one form or four, and a count that is not a number', () => {
    expect(() => renderText("{{ 5 | plural: 'балл' }}", ru)).toThrow('plural takes 2 or 3 arguments');
    expect(() => renderText("{{ 5 | plural: 'a', 'b', 'c', 'd' }}", ru)).toThrow('plural takes 2 or 3 arguments');
    expect(() => renderText("{{ 'five' | plural: 'a', 'b' }}", ru)).toThrow('plural expects a number; got "five"');
  });
});

describe('local_date', () => {
  // message.sentAt is NOW: 18:30 on 14 March in Moscow, 01:30 on 15 March in Vladivostok.
  const moscow = { ru, en };
  const vladivostok = { ru: contextWith({ locale: 'ru', timeZone: 'Asia/Vladivostok' }), en: contextWith({ locale: 'en', timeZone: 'Asia/Vladivostok' }) };
  it.each([
    ['short', 'ru', '14.03.2026', '15.03.2026'],
    ['short', 'en', '3/14/26', '3/15/26'],
    ['long', 'ru', '14 марта 2026 г.', '15 марта 2026 г.'],
    ['long', 'en', 'March 14, 2026', 'March 15, 2026'],
    ['day_month', 'ru', '14 марта', '15 марта'],
    ['day_month', 'en', 'March 14', 'March 15'],
    ['time', 'ru', '18:30', '01:30'],
    ['time', 'en', '6:30 PM', '1:30 AM'],
    ['datetime', 'ru', '14 марта 2026 г. в 18:30', '15 марта 2026 г. в 01:30'],
    ['datetime', 'en', 'March 14, 2026 at 6:30 PM', 'March 15, 2026 at 1:30 AM'],
  ] as const)("an instant, '%s' in %s: Moscow %j, Vladivostok %j", (format, locale, inMoscow, inVladivostok) => {
    const source = `{{ message.sentAt | local_date: '${format}' }}`;
    expect(renderText(source, moscow[locale])).toBe(inMoscow);
    expect(renderText(source, vladivostok[locale])).toBe(inVladivostok);
  });

  it('shows a calendar date as it is in every zone (a birthday west of UTC is not the day before)', () => {
    for (const timeZone of ['Europe/Moscow', 'Asia/Vladivostok', 'America/Los_Angeles']) {
      expect(renderText('{{ customer.birthDate | local_date }}', contextWith({ locale: 'ru', timeZone }))).toBe('15 марта 1990 г.');
      expect(renderText("{{ customer.birthDate | local_date: 'day_month' }}", contextWith({ locale: 'en', timeZone }))).toBe('March 15');
    }
  });

  it("reads 'now' from the render's clock, a timestamp without an offset as UTC, and an absent date as nothing", () => {
    expect(renderText("{{ 'now' | local_date: 'datetime' }}", ru)).toBe('14 марта 2026 г. в 18:30');
    expect(renderText("{{ '2026-03-14T15:30:00' | local_date: 'time' }}", ru)).toBe('18:30');
    expect(renderText("{{ '2026-03-14T15:30:00+05:00' | local_date: 'time' }}", ru)).toBe('13:30');
    expect(renderText('{{ promoCode.nothing | local_date }}', ru)).toBe('');
  });

  it('uses the program’s locale and zone when the customer’s are unknown or not valid', () => {
    const program = { ...ru.program, locale: 'en', timeZone: 'Asia/Vladivostok' };
    expect(renderText("{{ message.sentAt | local_date: 'datetime' }}", contextWith({ locale: null, timeZone: null }, { program }))).toBe('March 15, 2026 at 1:30 AM');
    expect(renderText("{{ message.sentAt | local_date: 'datetime' }}", contextWith({ locale: 'not a locale!', timeZone: 'Mars/Olympus' }, { program }))).toBe('March 15, 2026 at 1:30 AM');
    expect(renderText("{{ message.sentAt | local_date: 'time' }}", contextWith({ locale: 'ru_RU', timeZone: null }, { program }))).toBe('01:30');
  });

  it.each([
    ["{{ customer.birthDate | local_date: 'time' }}", 'local_date: "1990-03-15" is a date without a time; use short, long or day_month'],
    ["{{ message.sentAt | local_date: 'shrot' }}", 'local_date: the format is one of short, long, day_month, time, datetime; got "shrot"'],
    ["{{ 'yesterday' | local_date }}", 'local_date expects a date (YYYY-MM-DD) or an ISO timestamp; got "yesterday"'],
    ["{{ '2026-02-30' | local_date }}", 'local_date expects a date (YYYY-MM-DD) or an ISO timestamp; got "2026-02-30"'],
  ])('refuses %s', (source, reason) => {
    expect(() => renderText(source, ru)).toThrow(reason);
  });
});

describe('days_until', () => {
  // Today is 14 March in Moscow and already 15 March in Vladivostok.
  const inMoscow = contextWith({ timeZone: 'Europe/Moscow' });
  const inVladivostok = contextWith({ timeZone: 'Asia/Vladivostok' });
  it.each([
    ['2026-03-14', 0, -1],
    ['2026-03-15', 1, 0],
    ['2026-03-31', 17, 16],
    ['2026-03-01', -13, -14],
    ['2026-03-14T20:00:00Z', 0, 0], // 23:00 on the 14th in Moscow, 06:00 on the 15th in Vladivostok
    ['2026-03-14T21:30:00Z', 1, 0], // 00:30 on the 15th in Moscow
    ['2027-03-14', 365, 364],
  ])('%s: %d days in Moscow, %d in Vladivostok', (date, moscow, vladivostok) => {
    expect(renderText(`{{ '${date}' | days_until }}`, inMoscow)).toBe(String(moscow));
    expect(renderText(`{{ '${date}' | days_until }}`, inVladivostok)).toBe(String(vladivostok));
  });

  it('counts from the clock given, not the system clock, and feeds plural', () => {
    const source = "{{ balance.expiring.date | days_until | plural: 'день', 'дня', 'дней' }}";
    expect(renderText(source, inMoscow)).toBe('17 дней');
    expect(NOW.toISOString()).toBe('2026-03-14T15:30:00.000Z');
    expect(renderText('{{ tier.nothing | days_until }}', inMoscow)).toBe('');
  });
});

describe("Liquid's own date filter", () => {
  it("reads 'now' from the render's clock, in the customer's zone", () => {
    expect(renderText("{{ 'now' | date: '%Y-%m-%d %H:%M' }}", contextWith({ timeZone: 'Europe/Moscow' }))).toBe('2026-03-14 18:30');
    expect(renderText("{{ 'today' | date: '%Y-%m-%d %H:%M' }}", contextWith({ timeZone: 'Asia/Vladivostok' }))).toBe('2026-03-15 01:30');
    expect(renderText("{{ message.sentAt | date: '%H:%M' }}", contextWith({ timeZone: 'Asia/Vladivostok' }))).toBe('01:30');
  });
});
