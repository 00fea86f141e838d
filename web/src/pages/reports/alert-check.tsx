import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { isoDay } from '../../components/analytics-period.tsx';
import { ErrorNote, Field, fieldError } from '../../components/ui.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { AlertCheck as CheckAnswer, AlertRule } from './report-types.ts';
import { useReportWords } from './report-words.ts';

const text = defineText({
  en: {
    day: 'Day to judge',
    dayHint: 'A past day; the daily check judges yesterday by itself',
    check: 'Check',
    checking: 'Checking…',
    fired: { one: 'It fired {count} alert on {day}:', other: 'It fired {count} alerts on {day}:' },
    quiet: 'Nothing unusual on {day}.',
    nothing: 'There were no figures to judge on {day} (no receipts in the history or on the day).',
    judged: '{group}: {value} against a median of {median} (alert {limit})',
    below: 'below {low}',
    outside: 'outside {low} – {high}',
    short: '{group}: {value}, but only {count} days of history with a value: too few to judge',
    noValue: '{group}: no value on the day',
    moved: '{what} {group}: {value} against a median of {median} ({change})',
  },
  ru: {
    day: 'День для проверки',
    dayHint: 'Прошедший день; ежедневная проверка сама оценивает вчерашний',
    check: 'Проверить',
    checking: 'Проверяем…',
    fired: { one: 'Сработало {count} оповещение за {day}:', few: 'Сработало {count} оповещения за {day}:', many: 'Сработало {count} оповещений за {day}:', other: 'Сработало {count} оповещения за {day}:' },
    quiet: 'За {day} ничего необычного.',
    nothing: 'За {day} нечего оценивать (нет чеков ни в истории, ни в этот день).',
    judged: '{group}: {value} при медиане {median} (оповещение {limit})',
    below: 'ниже {low}',
    outside: 'вне {low} – {high}',
    short: '{group}: {value}, но истории со значениями лишь {count} дн.: мало для оценки',
    noValue: '{group}: в этот день значения нет',
    moved: '{what} {group}: {value} при медиане {median} ({change})',
  },
});

const yesterday = () => {
  const d = new Date();
  d.setDate(d.getDate() - 1);
  return isoDay(d);
};

/** "Check now": judges one day of the rule and says what came out, in words. */
export function AlertCheck({ rule, onChecked }: { rule: AlertRule; onChecked: () => void }) {
  const t = useText(text);
  const format = useFormat();
  const words = useReportWords();
  const [day, setDay] = useState(yesterday);
  const [answer, setAnswer] = useState<CheckAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setAnswer(null);
    setBusy(true);
    try {
      setAnswer(await api.post<CheckAnswer>(`/v1/alert-rules/${rule.id}/check`, { day }));
      onChecked();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const v = (value: number | null) => words.value(rule.kpi, value);
  const change = (value: number, median: number | null) => (median ? format.number(value / median - 1, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }) : '—');

  return (
    <div>
      <form className="check-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field label={t('day')} hint={t('dayHint')} error={fieldError(error, 'day')}>
          {(props) => <input {...props} type="date" value={day} onChange={(e) => setDay(e.target.value)} />}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('checking') : t('check')}
        </button>
      </form>
      <ErrorNote error={fieldError(error, 'day') ? null : error} />
      {answer ? (
        <div className="check-outcome" role="status">
          {answer.fired.length > 0 ? (
            <>
              <p>
                <strong>{t('fired', { count: answer.fired.length, day: format.date(answer.day) })}</strong>
              </p>
              <ul>
                {answer.fired.map((alert) => (
                  <li key={alert.id}>
                    {t('moved', { what: words.kpi(rule.kpi), group: words.group(alert.group), value: v(alert.value), median: v(alert.evidence.median ?? null), change: change(alert.value, alert.evidence.median ?? null) })}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p>{answer.judged.length === 0 ? t('nothing', { day: format.date(answer.day) }) : t('quiet', { day: format.date(answer.day) })}</p>
          )}
          {answer.judged.length > 0 && answer.fired.length < answer.judged.length ? (
            <ul>
              {answer.judged
                .filter((j) => !j.fired)
                .map((j) => {
                  const group = words.group(j.group);
                  const key = JSON.stringify(j.group);
                  if (j.value === null) return <li key={key}>{t('noValue', { group })}</li>;
                  if (j.median === null) return <li key={key}>{t('short', { group, value: v(j.value), count: j.historyDays })}</li>;
                  const limit = j.high === null ? t('below', { low: v(j.low) }) : t('outside', { low: v(j.low), high: v(j.high) });
                  return <li key={key}>{t('judged', { group, value: v(j.value), median: v(j.median), limit })}</li>;
                })}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
