import type { ReactNode } from 'react';
import { defineText, useFormat, useText } from '../i18n.tsx';
import { Stat } from './ui.tsx';

/**
 * A figure of an analytics page beside the period before: the value, and the change in words
 * (up or down, by how much) coloured by whether that direction is good for the business.
 * Each figure is a labelled group, so it reads as "Revenue: 7,900 RUB, up 12 %".
 */
const text = defineText({
  en: {
    up: 'up {change} on the period before',
    down: 'down {change} on the period before',
    same: 'the same as the period before',
    none: 'nothing to compare with before',
    upPoints: { one: 'up {change} point on the period before', other: 'up {change} points on the period before' },
    downPoints: { one: 'down {change} point on the period before', other: 'down {change} points on the period before' },
    upStart: 'up {change} since the start of the period',
    downStart: 'down {change} since the start of the period',
    sameStart: 'the same as at the start of the period',
  },
  ru: {
    up: 'выше на {change}, чем в прошлом периоде',
    down: 'ниже на {change}, чем в прошлом периоде',
    same: 'как в прошлом периоде',
    none: 'сравнить не с чем',
    upPoints: 'выше на {change} п. п., чем в прошлом периоде',
    downPoints: 'ниже на {change} п. п., чем в прошлом периоде',
    upStart: 'больше на {change}, чем в начале периода',
    downStart: 'меньше на {change}, чем в начале периода',
    sameStart: 'столько же, сколько в начале периода',
  },
});

export type Direction = 'up-good' | 'down-good' | 'neutral';

/** A change in words: relative for amounts and counts, in percentage points for shares. */
export function useChange() {
  const t = useText(text);
  const format = useFormat();
  return {
    relative(current: number | null, previous: number | null | undefined, direction: Direction = 'up-good') {
      if (current === null || previous === null || previous === undefined || previous === 0) return { text: t('none'), good: null };
      const change = (current - previous) / Math.abs(previous);
      return describe(change, format.percent(Math.abs(change)), direction);
    },
    /** A stock (points outstanding) at the period's end against its start. */
    sinceStart(end: number, start: number) {
      if (end === start) return { text: t('sameStart'), good: null };
      const amount = start === 0 ? format.number(Math.abs(end - start)) : format.percent(Math.abs(end - start) / Math.abs(start));
      return { text: `${end > start ? '▲' : '▼'} ${t(end > start ? 'upStart' : 'downStart', { change: amount })}`, good: null };
    },
    points(current: number | null, previous: number | null | undefined, direction: Direction = 'up-good') {
      if (current === null || previous === null || previous === undefined) return { text: t('none'), good: null };
      const change = current - previous;
      const shown = Math.round(Math.abs(change) * 1000) / 10;
      // A change that rounds to nothing is said as none, not as "up 0 points".
      if (shown === 0) return { text: t('same'), good: null };
      return describe(change, format.number(shown, { maximumFractionDigits: 1 }), direction, shown);
    },
  };
  /** `points`: the change in percentage points as shown, which picks "point" or "points"; absent for a relative change. */
  function describe(change: number, amount: string, direction: Direction, points?: number) {
    if (Math.abs(change) < 1e-9) return { text: t('same'), good: null };
    const up = change > 0;
    const good = direction === 'neutral' ? null : up === (direction === 'up-good');
    const key = points === undefined ? (up ? 'up' : 'down') : up ? 'upPoints' : 'downPoints';
    return { text: `${up ? '▲' : '▼'} ${t(key, { change: amount, count: points ?? 0 })}`, good };
  }
}

export function Figure({ label, value, change }: { label: string; value: ReactNode; change?: { text: string; good: boolean | null } }) {
  return (
    <div role="group" aria-label={label} className="figure">
      <Stat label={label} value={value} change={change} />
    </div>
  );
}
