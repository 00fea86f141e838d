import { useState, type FormEvent } from 'react';
import { defineText, useText } from '../i18n.tsx';
import { Field } from './ui.tsx';

/**
 * The period an analytics page reports on: a preset (the last 7, 30 or 90 days, this month, the
 * last 12 months, this year) or two dates. Days are the browser's own (its time zone goes to the
 * API with the dates), both ends included, as the reports count them.
 */
export type PresetKey = 'last7' | 'last30' | 'last90' | 'thisMonth' | 'last12Months' | 'thisYear' | 'custom';
export type ChosenPeriod = { preset: PresetKey; from: string; to: string; timezone: string };

const text = defineText({
  en: {
    period: 'Period',
    last7: 'Last 7 days',
    last30: 'Last 30 days',
    last90: 'Last 90 days',
    thisMonth: 'This month',
    last12Months: 'Last 12 months',
    thisYear: 'This year',
    custom: 'Dates of my choice',
    from: 'From',
    to: 'To',
    apply: 'Show',
    datesHint: 'Both days included, counted in {zone}',
    badDates: 'Give both days, the first not after the last.',
  },
  ru: {
    period: 'Период',
    last7: 'Последние 7 дней',
    last30: 'Последние 30 дней',
    last90: 'Последние 90 дней',
    thisMonth: 'Этот месяц',
    last12Months: 'Последние 12 месяцев',
    thisYear: 'Этот год',
    custom: 'Свои даты',
    from: 'С',
    to: 'По',
    apply: 'Показать',
    datesHint: 'Оба дня включительно, по часовому поясу {zone}',
    badDates: 'Укажите оба дня, первый не позже последнего.',
  },
});

const pad = (n: number) => String(n).padStart(2, '0');
export const isoDay = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
const parseDay = (day: string) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d!);
};
export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function presetPeriod(preset: Exclude<PresetKey, 'custom'>, today = new Date()): { from: string; to: string } {
  const to = isoDay(today);
  const back = (days: number) => isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - days));
  switch (preset) {
    case 'last7':
      return { from: back(6), to };
    case 'last30':
      return { from: back(29), to };
    case 'last90':
      return { from: back(89), to };
    case 'thisMonth':
      return { from: isoDay(new Date(today.getFullYear(), today.getMonth(), 1)), to };
    case 'last12Months':
      return { from: isoDay(new Date(today.getFullYear(), today.getMonth() - 11, 1)), to };
    case 'thisYear':
      return { from: isoDay(new Date(today.getFullYear(), 0, 1)), to };
  }
}

/** The period of the same length just before (what the KPI route's compare=previous compares with). */
export function previousPeriod(period: { from: string; to: string }): { from: string; to: string } {
  const from = parseDay(period.from);
  const to = parseDay(period.to);
  const days = Math.round((to.getTime() - from.getTime()) / 86_400_000) + 1;
  return { from: isoDay(new Date(from.getFullYear(), from.getMonth(), from.getDate() - days)), to: isoDay(new Date(from.getFullYear(), from.getMonth(), from.getDate() - 1)) };
}

export function initialPeriod(preset: Exclude<PresetKey, 'custom'>): ChosenPeriod {
  return { preset, ...presetPeriod(preset), timezone: browserZone() };
}

export function PeriodPicker({ value, onChange, presets }: { value: ChosenPeriod; onChange: (next: ChosenPeriod) => void; presets: Array<Exclude<PresetKey, 'custom'>> }) {
  const t = useText(text);
  const [preset, setPreset] = useState<PresetKey>(value.preset);
  const [from, setFrom] = useState(value.from);
  const [to, setTo] = useState(value.to);
  const [problem, setProblem] = useState<string | null>(null);

  const choose = (next: PresetKey) => {
    setPreset(next);
    setProblem(null);
    if (next !== 'custom') {
      const dates = presetPeriod(next);
      setFrom(dates.from);
      setTo(dates.to);
      onChange({ preset: next, ...dates, timezone: value.timezone });
    }
  };
  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to) {
      setProblem(t('badDates'));
      return;
    }
    setProblem(null);
    onChange({ preset: 'custom', from, to, timezone: value.timezone });
  };

  return (
    <form className="period-picker" onSubmit={apply} noValidate>
      <Field label={t('period')}>
        {(props) => (
          <select {...props} value={preset} onChange={(event) => choose(event.target.value as PresetKey)}>
            {[...presets, 'custom' as const].map((key) => (
              <option key={key} value={key}>
                {t(key)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {preset === 'custom' ? (
        <>
          <Field label={t('from')} error={problem}>
            {(props) => <input {...props} type="date" value={from} onChange={(event) => setFrom(event.target.value)} />}
          </Field>
          <Field label={t('to')} hint={t('datesHint', { zone: value.timezone })}>
            {(props) => <input {...props} type="date" value={to} onChange={(event) => setTo(event.target.value)} />}
          </Field>
          <div className="period-apply">
            <button type="submit" className="primary">
              {t('apply')}
            </button>
          </div>
        </>
      ) : null}
    </form>
  );
}
