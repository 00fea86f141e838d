import { Badge } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import type { ImportJob } from './import-types.ts';

const text = defineText({
  en: { queued: 'Queued', running: 'Running', completed: 'Done', completedWithErrors: 'Done, with refused lines', failed: 'Failed' },
  ru: { queued: 'В очереди', running: 'Идёт', completed: 'Готово', completedWithErrors: 'Готово, есть отклонённые строки', failed: 'Ошибка' },
});

/** An import's status as a badge in words. */
export function ImportStatus({ job }: { job: ImportJob }) {
  const t = useText(text);
  switch (job.status) {
    case 'queued':
      return <Badge tone="info">{t('queued')}</Badge>;
    case 'running':
      return <Badge tone="info">{t('running')}</Badge>;
    case 'completed':
      return job.rowsFailed > 0 ? <Badge tone="warn">{t('completedWithErrors')}</Badge> : <Badge tone="good">{t('completed')}</Badge>;
    default:
      return <Badge tone="bad">{t('failed')}</Badge>;
  }
}
