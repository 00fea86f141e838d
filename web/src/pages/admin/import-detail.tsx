import { useState } from 'react';
import { DataTable } from '../../components/table.tsx';
import { Card, ErrorNote, Loading, Page, Progress, Stat } from '../../components/ui.tsx';
import { usePolling } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { PageProps } from '../../routes.ts';
import { Link } from '../../router.tsx';
import { ImportStatus } from './import-status.tsx';
import { isRunning, type ImportJob } from './import-types.ts';
import './admin.css';

const ERRORS_PAGE = 50;

const text = defineText({
  en: {
    title: 'Import of {file}',
    back: 'All imports',
    progress: 'Progress',
    status: 'Status',
    rowsDone: 'Rows done',
    created: 'Created',
    updated: 'Updated',
    failed: 'Refused',
    finished: 'Finished',
    failure: 'The import stopped: {reason}',
    errors: 'Refused lines',
    errorsCaption: 'Lines the import refused, with the column and the reason',
    line: 'Line',
    column: 'Column',
    reason: 'Reason',
    noErrors: 'No line was refused',
    noErrorsRunning: 'No line refused so far',
    noErrorsHint: 'Every row of the file was imported.',
    noErrorsRunningHint: 'Refused lines appear here as the import reads the file.',
    shownOf: { one: '{shown} of {count} refused line shown', other: '{shown} of {count} refused lines shown' },
    more: 'Show more lines',
  },
  ru: {
    title: 'Загрузка {file}',
    back: 'Все загрузки',
    progress: 'Ход загрузки',
    status: 'Состояние',
    rowsDone: 'Строк обработано',
    created: 'Создано',
    updated: 'Обновлено',
    failed: 'Отклонено',
    finished: 'Завершена',
    failure: 'Загрузка остановилась: {reason}',
    errors: 'Отклонённые строки',
    errorsCaption: 'Строки, которые загрузка отклонила, со столбцом и причиной',
    line: 'Строка',
    column: 'Столбец',
    reason: 'Причина',
    noErrors: 'Ни одна строка не отклонена',
    noErrorsRunning: 'Пока ни одна строка не отклонена',
    noErrorsHint: 'Все строки файла загружены.',
    noErrorsRunningHint: 'Отклонённые строки появятся здесь по мере чтения файла.',
    shownOf: { one: 'Показано {shown} из {count} отклонённой строки', few: 'Показано {shown} из {count} отклонённых строк', many: 'Показано {shown} из {count} отклонённых строк', other: 'Показано {shown} из {count} отклонённых строк' },
    more: 'Показать ещё строки',
  },
});

export default function ImportDetail({ params }: PageProps) {
  const t = useText(text);
  const format = useFormat();
  // The server answers the first `errorsLimit` refused lines; "show more" asks for the next page of them.
  const [errorsLimit, setErrorsLimit] = useState(ERRORS_PAGE);
  const { data: job, error } = usePolling<ImportJob>(`/v1/imports/${encodeURIComponent(params.id ?? '')}?errorsLimit=${errorsLimit}`, isRunning, 700);

  if (error) return <Page title={t('title', { file: params.id ?? '' })}><ErrorNote error={error} /></Page>;
  if (!job) return <Loading />;
  const running = isRunning(job);
  return (
    <Page title={t('title', { file: job.fileName })} intro={<Link to="/imports">{t('back')}</Link>}>
      <Card title={t('progress')}>
        <Progress value={job.status === 'queued' ? null : job.status === 'completed' ? 1 : job.progress} label={t('progress')} />
        <div className="import-counts">
          <Stat label={t('status')} value={<ImportStatus job={job} />} />
          <Stat label={t('rowsDone')} value={format.number(job.rowsDone)} />
          <Stat label={t('created')} value={format.number(job.rowsCreated)} />
          <Stat label={t('updated')} value={format.number(job.rowsUpdated)} />
          <Stat label={t('failed')} value={format.number(job.rowsFailed)} />
          {job.finishedAt ? <Stat label={t('finished')} value={format.dateTime(job.finishedAt)} /> : null}
        </div>
        {job.failure ? <ErrorNote error={new Error(t('failure', { reason: job.failure }))} /> : null}
      </Card>
      <Card title={t('errors')}>
        <DataTable
          caption={t('errorsCaption')}
          rows={job.errors}
          rowKey={(row) => `${row.line}:${row.field}:${row.reason}`}
          empty={running ? { title: t('noErrorsRunning'), hint: t('noErrorsRunningHint') } : { title: t('noErrors'), hint: t('noErrorsHint') }}
          columns={[
            { key: 'line', title: t('line'), numeric: true, render: (row) => format.number(row.line) },
            { key: 'field', title: t('column'), render: (row) => <code>{row.field}</code> },
            { key: 'reason', title: t('reason'), render: (row) => row.reason },
          ]}
        />
        {job.errorsTotal > 0 ? (
          <p className="muted">
            {t('shownOf', { shown: format.number(job.errors.length), count: job.errorsTotal })}{' '}
            {job.errors.length < job.errorsTotal ? (
              <button type="button" className="secondary" onClick={() => setErrorsLimit((n) => n + ERRORS_PAGE)}>
                {t('more')}
              </button>
            ) : null}
          </p>
        ) : null}
      </Card>
    </Page>
  );
}
