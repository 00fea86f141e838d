import { describe, expect, it } from 'vitest';
import { birthdayIn, dueOffer, monthDaysAround, startOfLocalDay } from './birthday-dates.ts';

describe('birthday dates', () => {
  it.each([
    ['1990-03-10', 2026, '2026-03-10'],
    ['2000-02-29', 2028, '2028-02-29'],
    ['2000-02-29', 2027, '2027-02-28'],
    ['2000-02-29', 2100, '2100-02-28'],
    ['1999-12-31', 2026, '2026-12-31'],
  ])('%s is celebrated in %i on %s', (birthDate, year, day) => {
    expect(birthdayIn(birthDate, year)).toBe(day);
  });

  it.each([
    // birthDate, today, before, after → year, from, to (or null)
    ['1990-03-10', '2026-03-10', 0, 0, { year: 2026, birthday: '2026-03-10', from: '2026-03-10', to: '2026-03-10', late: false }],
    ['1990-03-10', '2026-03-09', 0, 7, null],
    ['1990-03-10', '2026-03-17', 0, 7, { year: 2026, birthday: '2026-03-10', from: '2026-03-10', to: '2026-03-17', late: false }],
    // Missed whole: late within 7 days after the window, valid from today for the window's 8 days.
    ['1990-03-10', '2026-03-18', 0, 7, { year: 2026, birthday: '2026-03-10', from: '2026-03-18', to: '2026-03-25', late: true }],
    ['1990-03-10', '2026-03-24', 0, 7, { year: 2026, birthday: '2026-03-10', from: '2026-03-24', to: '2026-03-31', late: true }],
    ['1990-03-10', '2026-03-25', 0, 7, null],
    ['1990-03-10', '2026-03-03', 7, 0, { year: 2026, birthday: '2026-03-10', from: '2026-03-03', to: '2026-03-10', late: false }],
    // Windows across the new year belong to the birthday's year.
    ['1990-01-02', '2025-12-28', 7, 3, { year: 2026, birthday: '2026-01-02', from: '2025-12-26', to: '2026-01-05', late: false }],
    ['1990-12-30', '2027-01-04', 0, 5, { year: 2026, birthday: '2026-12-30', from: '2026-12-30', to: '2027-01-04', late: false }],
    // 29 February in a common year: 28 February.
    ['2000-02-29', '2027-02-28', 0, 0, { year: 2027, birthday: '2027-02-28', from: '2027-02-28', to: '2027-02-28', late: false }],
    ['2000-02-29', '2027-03-01', 0, 0, { year: 2027, birthday: '2027-02-28', from: '2027-03-01', to: '2027-03-01', late: true }],
    ['2000-02-29', '2027-03-08', 0, 0, null],
    ['2000-02-29', '2028-02-28', 0, 0, null],
  ] as const)('born %s, today %s, %i before, %i after', (birthDate, today, before, after, expected) => {
    expect(dueOffer(birthDate, today, before, after)).toEqual(expected);
  });

  it('asks for the month-days a day each side wider, with 29 February beside 28 February', () => {
    expect(monthDaysAround('2027-02-27', 0, 0)).toEqual(['02-26', '02-27', '02-28', '02-29']);
    expect(monthDaysAround('2026-01-01', 1, 1)).toEqual(['01-01', '01-02', '01-03', '12-30', '12-31']);
  });

  it.each([
    ['2026-03-10', 'Asia/Vladivostok', '2026-03-09T14:00:00.000Z'],
    ['2026-03-10', 'UTC', '2026-03-10T00:00:00.000Z'],
    ['2026-03-10', 'America/New_York', '2026-03-10T04:00:00.000Z'],
    // The day New York moves its clocks (at 02:00): midnight is still EST.
    ['2026-03-08', 'America/New_York', '2026-03-08T05:00:00.000Z'],
    ['2026-03-09', 'America/New_York', '2026-03-09T04:00:00.000Z'],
    ['2026-10-25', 'Europe/London', '2026-10-24T23:00:00.000Z'],
  ])('%s starts in %s at %s', (date, zone, instant) => {
    expect(startOfLocalDay(date, zone).toISOString()).toBe(instant);
  });
});
