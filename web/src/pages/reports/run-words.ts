import { defineText } from '../../i18n.tsx';

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
