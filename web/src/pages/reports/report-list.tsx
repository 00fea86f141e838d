import { useState } from 'react';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Dialog, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { LastRun, ReportActions } from './report-actions.tsx';
import { ReportForm } from './report-form.tsx';
import type { ScheduledReport } from './report-types.ts';
import { useReportWords } from './report-words.ts';
import './reports.css';

const text = defineText({
  en: {
    title: 'Scheduled reports',
    intro: 'Reports that run by themselves once their day, week or month has ended, and keep each run to read here or download as CSV or JSON.',
    create: 'New report',
    createTitle: 'New scheduled report',
    caption: 'Scheduled reports',
    name: 'Name',
    what: 'What it reports',
    schedule: 'Schedule',
    lastRun: 'Last run',
    nextRun: 'Next run',
    actions: 'Actions',
    paused: 'Paused',
    empty: 'No scheduled reports yet',
    emptyHint: 'Create one with “New report”: the weekly key figures by store, say, are then ready every Monday morning.',
    emptyRead: 'An analyst or a marketer can schedule one; each run then shows here.',
  },
  ru: {
    title: 'Отчёты по расписанию',
    intro: 'Отчёты, которые строятся сами, когда закончился день, неделя или месяц; каждый запуск можно посмотреть здесь или скачать в CSV или JSON.',
    create: 'Новый отчёт',
    createTitle: 'Новый отчёт по расписанию',
    caption: 'Отчёты по расписанию',
    name: 'Название',
    what: 'Что в отчёте',
    schedule: 'Расписание',
    lastRun: 'Последний запуск',
    nextRun: 'Следующий запуск',
    actions: 'Действия',
    paused: 'Приостановлен',
    empty: 'Отчётов по расписанию пока нет',
    emptyHint: 'Создайте его кнопкой «Новый отчёт»: например, ключевые показатели по магазинам будут готовы каждый понедельник утром.',
    emptyRead: 'Аналитик или маркетолог может настроить отчёт; его запуски появятся здесь.',
  },
});

export default function ReportList() {
  const t = useText(text);
  const format = useFormat();
  const words = useReportWords();
  const can = useCan();
  const canWrite = can('analytics:write');
  const [creating, setCreating] = useState(false);
  const list = usePagedList<ScheduledReport>('/v1/reports', {}, 20);

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        canWrite ? (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            {t('create')}
          </button>
        ) : null
      }
    >
      <Dialog title={t('createTitle')} open={creating} onClose={() => setCreating(false)}>
        <ReportForm onSaved={(report) => navigate(`/analytics/reports/${report.id}`)} onCancel={() => setCreating(false)} />
      </Dialog>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: canWrite ? t('emptyHint') : t('emptyRead') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/analytics/reports/${row.id}`}>{row.name}</Link> },
          {
            key: 'what',
            title: t('what'),
            render: (row) => (
              <>
                {words.kind(row.kind)}
                {Object.keys(row.query).length > 0 ? <span className="muted"> · {words.query(row.query)}</span> : null}
              </>
            ),
          },
          { key: 'schedule', title: t('schedule'), render: (row) => <>{words.schedule(row.schedule)}<span className="muted"> · {words.zone(row.timezone)}</span></> },
          { key: 'lastRun', title: t('lastRun'), render: (row) => <LastRun run={row.lastRun} /> },
          { key: 'nextRun', title: t('nextRun'), render: (row) => (row.active ? format.dateTime(row.nextRunAt) : <Badge>{t('paused')}</Badge>) },
          ...(canWrite
            ? [{ key: 'actions', title: t('actions'), render: (row: ScheduledReport) => <ReportActions report={row} onChanged={list.reload} onDeleted={list.reload} /> }]
            : []),
        ]}
      />
    </Page>
  );
}
