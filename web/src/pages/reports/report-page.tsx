import { useState } from 'react';
import { api } from '../../api.ts';
import type { PageProps } from '../../routes.ts';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, ErrorNote, Loading, Notice, Page, Progress } from '../../components/ui.tsx';
import { usePagedList, useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { ReportActions } from './report-actions.tsx';
import type { ReportRun, ScheduledReport } from './report-types.ts';
import { useReportWords } from './report-words.ts';
import { RunView } from './run-view.tsx';
import { runText, usePeriodWords } from './run-words.ts';
import './reports.css';

const text = defineText({
  en: {
    back: 'All scheduled reports',
    what: 'What it reports',
    schedule: 'Schedule',
    nextRun: 'Next run',
    sentTo: 'E-mailed to',
    keptOnly: 'nobody: kept here',
    paused: 'Paused: it does not run on its schedule until switched on again (Edit).',
    runNow: 'Run now',
    running: 'Running the report over its last complete period…',
    ran: 'The run is done: its figures are below.',
    runs: 'Runs',
    caption: 'Runs of the report, newest first',
    period: 'Period',
    trigger: 'How it ran',
    state: 'State',
    when: 'Made at',
    show: 'Show',
    showing: 'Shown',
    empty: 'No runs yet',
    emptyHint: 'The first scheduled run comes at the time shown above; “Run now” makes one at once over the last complete period.',
    emptyRead: 'The first scheduled run comes at the time shown above.',
    pick: 'Choose a run in the list to read its figures here.',
  },
  ru: {
    back: 'Все отчёты по расписанию',
    what: 'Что в отчёте',
    schedule: 'Расписание',
    nextRun: 'Следующий запуск',
    sentTo: 'Отправляется на',
    keptOnly: 'никому: хранится здесь',
    paused: 'Приостановлен: по расписанию не запускается, пока его снова не включат (Изменить).',
    runNow: 'Запустить сейчас',
    running: 'Строим отчёт за последний завершённый период…',
    ran: 'Запуск готов: его показатели ниже.',
    runs: 'Запуски',
    caption: 'Запуски отчёта, сначала новые',
    period: 'Период',
    trigger: 'Как запущен',
    state: 'Состояние',
    when: 'Построен',
    show: 'Показать',
    showing: 'Показан',
    empty: 'Запусков пока нет',
    emptyHint: 'Первый запуск по расписанию — во время, указанное выше; «Запустить сейчас» построит отчёт сразу за последний завершённый период.',
    emptyRead: 'Первый запуск по расписанию — во время, указанное выше.',
    pick: 'Выберите запуск в списке, чтобы увидеть его показатели здесь.',
  },
});

export default function ReportPage({ params }: PageProps) {
  const t = useText(text);
  const r = useText(runText);
  const format = useFormat();
  const words = useReportWords();
  const periodWords = usePeriodWords();
  const can = useCan();
  const canWrite = can('analytics:write');
  const id = params.id ?? '';
  const report = useResource((signal) => api.get<ScheduledReport>(`/v1/reports/${id}`, undefined, signal), [id]);
  const runs = usePagedList<ReportRun>(`/v1/reports/${id}/runs`, {}, 20);
  const [shown, setShown] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [ran, setRan] = useState(false);
  const [runError, setRunError] = useState<unknown>(null);

  // The run is made while the request lasts: the bar runs until the server answers with it.
  const runNow = async () => {
    setRunError(null);
    setRan(false);
    setRunning(true);
    try {
      const run = await api.post<ReportRun>(`/v1/reports/${id}/runs`);
      setShown(run.id);
      setRan(true);
      runs.reload();
    } catch (caught) {
      setRunError(caught);
    } finally {
      setRunning(false);
    }
  };

  if (report.error) return <Page title={t('back')}><ErrorNote error={report.error} onRetry={report.reload} /></Page>;
  if (!report.data) return <Loading />;
  const data = report.data;
  const current = shown ?? runs.items[0]?.id ?? null;

  return (
    <Page
      title={data.name}
      intro={<Link to="/analytics/reports">← {t('back')}</Link>}
      actions={
        canWrite ? (
          <>
            <button type="button" className="primary" disabled={running} onClick={() => void runNow()}>
              {t('runNow')}
            </button>
            <ReportActions report={data} onChanged={report.setData} onDeleted={() => navigate('/analytics/reports')} />
          </>
        ) : null
      }
    >
      <dl className="facts report-facts">
        <dt>{t('what')}</dt>
        <dd>
          {words.kind(data.kind)}
          {Object.keys(data.query).length > 0 ? ` · ${words.query(data.query)}` : ''}
        </dd>
        <dt>{t('schedule')}</dt>
        <dd>
          {words.schedule(data.schedule)} · {words.zone(data.timezone)}
        </dd>
        <dt>{t('sentTo')}</dt>
        <dd>{data.recipients.length > 0 ? data.recipients.join(', ') : t('keptOnly')}</dd>
        <dt>{t('nextRun')}</dt>
        <dd>{data.active ? format.dateTime(data.nextRunAt) : t('paused')}</dd>
      </dl>
      {running ? <Progress value={null} label={t('running')} /> : null}
      {ran ? <Notice tone="success">{t('ran')}</Notice> : null}
      <ErrorNote error={runError} />
      <Card title={t('runs')}>
        <DataTable
          caption={t('caption')}
          {...pagedRows(runs)}
          empty={{ title: t('empty'), hint: canWrite ? t('emptyHint') : t('emptyRead') }}
          columns={[
            { key: 'period', title: t('period'), render: (row) => periodWords(row.from, row.to) },
            { key: 'trigger', title: t('trigger'), render: (row) => r(row.trigger) },
            { key: 'state', title: t('state'), render: (row) => <Badge tone={row.status === 'completed' ? 'good' : 'bad'}>{r(row.status)}</Badge> },
            { key: 'when', title: t('when'), render: (row) => format.dateTime(row.createdAt) },
            {
              key: 'show',
              title: t('show'),
              render: (row) =>
                row.id === current ? (
                  <span className="muted">{t('showing')}</span>
                ) : (
                  <button type="button" className="secondary" aria-label={`${t('show')}: ${periodWords(row.from, row.to)}, ${format.dateTime(row.createdAt)}`} onClick={() => setShown(row.id)}>
                    {t('show')}
                  </button>
                ),
            },
          ]}
        />
      </Card>
      {current ? <RunView report={data} runId={current} /> : runs.items.length > 0 ? <p className="muted">{t('pick')}</p> : null}
    </Page>
  );
}
