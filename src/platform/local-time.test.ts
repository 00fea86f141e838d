import { describe, expect, it } from 'vitest';
import { localTime, withinTime } from './local-time.ts';

/** The zone's wall clock as Intl reads it for one instant, with nothing cached: what localTime must agree with. */
const formats = new Map<string, Intl.DateTimeFormat>();
function direct(at: Date, timeZone: string) {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!) + 1,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

// Zones whose clocks change at whole UTC hours, at half and quarter hours, by half an hour (Lord Howe), or never.
const zones = ['UTC', 'Europe/Moscow', 'Europe/Berlin', 'America/New_York', 'America/St_Johns', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/Santiago', 'Asia/Vladivostok'];

describe('localTime', () => {
  it.each(zones)('agrees with Intl minute by minute around every change of offset in 2026, and every 37 minutes through the year (%s)', (zone) => {
    const from = Date.UTC(2026, 0, 1);
    const to = Date.UTC(2027, 0, 1);
    const checked: number[] = [];
    for (let ms = from; ms < to; ms += 37 * 60_000 + 13_000) checked.push(ms);
    // Each day's hours walked minute by minute where the offset at its ends differs (a change of offset inside).
    for (let day = from; day < to; day += 86_400_000) {
      if (direct(new Date(day), zone).minutes === direct(new Date(day + 86_400_000), zone).minutes) continue;
      for (let ms = day - 3_600_000; ms < day + 86_400_000 + 3_600_000; ms += 60_000) checked.push(ms, ms + 59_999);
    }
    const wrong = checked.flatMap((ms) => {
      const at = new Date(ms);
      const [got, want] = [localTime(at, zone), direct(at, zone)];
      return got.weekday === want.weekday && got.minutes === want.minutes && got.date === want.date ? [] : [{ at: at.toISOString(), got, want }];
    });
    expect(wrong).toEqual([]);
  });

  it('answers an instant asked again, and instants out of order, the same', () => {
    const times = [Date.UTC(2026, 9, 25, 0, 59, 59, 999), Date.UTC(2026, 2, 29, 1, 0), Date.UTC(2026, 9, 25, 1, 0), Date.UTC(2026, 2, 29, 0, 59), Date.UTC(1999, 11, 31, 23, 59)];
    for (const ms of [...times, ...times.reverse()]) expect(localTime(new Date(ms), 'Europe/Berlin')).toEqual(direct(new Date(ms), 'Europe/Berlin'));
  });
});

describe('withinTime', () => {
  it.each([
    [9 * 60, '08:00', '11:00', true],
    [11 * 60, '08:00', '11:00', false],
    [23 * 60, '22:00', '02:00', true],
    [3 * 60, '22:00', '02:00', false],
    [0, undefined, undefined, true],
  ])('%i minutes in [%s, %s): %s', (minutes, from, to, expected) => {
    expect(withinTime(minutes, from, to)).toBe(expected);
  });
});
