import { useState } from 'react';
import { api } from '../../api.ts';
import { downloadFile } from '../../components/download.ts';
import { Card, ErrorNote, Loading } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import type { ReportRun, ScheduledReport } from './report-types.ts';
import { RunResult } from './run-result.tsx';
import { usePeriodWords } from './run-words.ts';

const text = defineText({
  en: {
    title: 'Run of {period}',
    csv: 'Download CSV',
    json: 'Download JSON',
    failed: 'This run failed: {reason}',
    noReason: 'no reason was kept',
  },
  ru: {
    title: 'Запуск за {period}',
    csv: 'Скачать CSV',
    json: 'Скачать JSON',
    failed: 'Этот запуск не удался: {reason}',
    noReason: 'причина не сохранилась',
  },
});

/** One run read from its route: its figures as tables, and its files to download. */
export function RunView({ report, runId }: { report: ScheduledReport; runId: string }) {
  const t = useText(text);
  const periodWords = usePeriodWords();
  const run = useResource((signal) => api.get<ReportRun>(`/v1/reports/${report.id}/runs/${runId}`, undefined, signal), [report.id, runId]);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  if (run.error) return <ErrorNote error={run.error} onRetry={run.reload} />;
  if (!run.data) return <Loading />;
  const data = run.data;
  const download = (kind: 'csv' | 'json') => {
    setDownloadError(null);
    // The run route gives the format asked; a failed run has no CSV (409, in the server's words).
    downloadFile(`/v1/reports/${report.id}/runs/${data.id}?format=${kind}`, kind === 'csv' ? 'text/csv' : 'application/json', `report-${data.from}-${data.to}.${kind}`).catch(setDownloadError);
  };
  return (
    <Card title={t('title', { period: periodWords(data.from, data.to) })}>
      {data.status === 'failed' ? (
        <div className="alert error" role="alert">
          <p>{t('failed', { reason: data.failure ?? t('noReason') })}</p>
        </div>
      ) : (
        <>
          <div className="run-downloads">
            <button type="button" className="secondary" onClick={() => download('csv')}>
              {t('csv')}
            </button>
            <button type="button" className="secondary" onClick={() => download('json')}>
              {t('json')}
            </button>
          </div>
          <ErrorNote error={downloadError} />
          <div className="run-result">
            <RunResult result={data.result} />
          </div>
        </>
      )}
    </Card>
  );
}
