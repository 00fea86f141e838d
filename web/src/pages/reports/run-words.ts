import { defineText, useFormat, useText } from '../../i18n.tsx';

/** A run's state and trigger in words (the list of reports and a report's page). */
export const runText = defineText({
  en: {
    completed: 'Done',
    failed: 'Failed',
    schedule: 'On schedule',
    request: 'Run by hand',
    never: 'Not run yet',
    period: '{from} – {to}',
  },
  ru: {
    completed: 'Готов',
    failed: 'Ошибка',
    schedule: 'По расписанию',
    request: 'Запущен вручную',
    never: 'Ещё не запускался',
    period: '{from} – {to}',
  },
});

/** A run's period in words: one day as a date, a longer period as its first and last days. */
export function usePeriodWords(): (from: string, to: string) => string {
  const t = useText(runText);
  const format = useFormat();
  return (from, to) => (from === to ? format.date(from) : t('period', { from: format.date(from), to: format.date(to) }));
}
