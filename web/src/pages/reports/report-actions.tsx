import { useState } from 'react';
import { api } from '../../api.ts';
import { Badge, Dialog, ErrorNote } from '../../components/ui.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { ReportForm } from './report-form.tsx';
import type { ScheduledReport } from './report-types.ts';
import { runText } from './run-words.ts';

const text = defineText({
  en: {
    edit: 'Edit',
    editTitle: 'Edit the report',
    delete: 'Delete',
    deleteTitle: 'Delete the report?',
    deleteWarning: '“{name}” and all its runs will be deleted; this cannot be undone.',
    confirmDelete: 'Delete the report and its runs',
    cancel: 'Cancel',
  },
  ru: {
    edit: 'Изменить',
    editTitle: 'Изменить отчёт',
    delete: 'Удалить',
    deleteTitle: 'Удалить отчёт?',
    deleteWarning: '«{name}» и все его запуски будут удалены; отменить это нельзя.',
    confirmDelete: 'Удалить отчёт и запуски',
    cancel: 'Отмена',
  },
});

/** A report's last run and its state, as the report itself names it. */
export function LastRun({ run }: { run: ScheduledReport['lastRun'] }) {
  const t = useText(runText);
  const format = useFormat();
  if (!run) return <span className="muted">{t('never')}</span>;
  return (
    <span className="last-run">
      {format.dateTime(run.createdAt)} <Badge tone={run.status === 'completed' ? 'good' : 'bad'}>{t(run.status)}</Badge>
    </span>
  );
}

/** Edit (a dialog with the form) and delete (a dialog that asks first) of one report. */
export function ReportActions({ report, onChanged, onDeleted }: { report: ScheduledReport; onChanged: (report: ScheduledReport) => void; onDeleted: () => void }) {
  const t = useText(text);
  const [open, setOpen] = useState<'edit' | 'delete' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const remove = async () => {
    setError(null);
    try {
      await api.delete(`/v1/reports/${report.id}`);
      setOpen(null);
      onDeleted();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <span className="actions row-actions">
      <button type="button" className="secondary" aria-label={`${t('edit')}: ${report.name}`} onClick={() => setOpen('edit')}>
        {t('edit')}
      </button>
      <button type="button" className="secondary" aria-label={`${t('delete')}: ${report.name}`} onClick={() => setOpen('delete')}>
        {t('delete')}
      </button>
      <Dialog title={t('editTitle')} open={open === 'edit'} onClose={() => setOpen(null)}>
        <ReportForm
          report={report}
          onSaved={(saved) => {
            setOpen(null);
            onChanged(saved);
          }}
          onCancel={() => setOpen(null)}
        />
      </Dialog>
      <Dialog title={t('deleteTitle')} open={open === 'delete'} onClose={() => setOpen(null)}>
        <p>{t('deleteWarning', { name: report.name })}</p>
        <ErrorNote error={error} />
        <div className="actions">
          <button type="button" className="danger" onClick={() => void remove()}>
            {t('confirmDelete')}
          </button>
          <button type="button" className="secondary" onClick={() => setOpen(null)}>
            {t('cancel')}
          </button>
        </div>
      </Dialog>
    </span>
  );
}
