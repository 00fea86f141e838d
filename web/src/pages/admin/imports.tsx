import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Card, ErrorNote, Field, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { ImportStatus } from './import-status.tsx';
import type { ImportJob } from './import-types.ts';
import './admin.css';

type Kind = 'customers' | 'receipts';
const uploads: Record<Kind, { url: string; contentType: string; permission: string; accept: string }> = {
  customers: { url: '/v1/imports/customers', contentType: 'text/csv', permission: 'customers:import', accept: '.csv,text/csv' },
  receipts: { url: '/v1/receipts/bulk', contentType: 'application/x-ndjson', permission: 'receipts:import', accept: '.ndjson,.jsonl,.txt' },
};

const text = defineText({
  en: {
    title: 'Imports',
    intro: 'Load customers from a CSV file or past receipts from NDJSON; follow each import and read the lines it refused.',
    upload: 'Upload a file',
    kind: 'What the file holds',
    customers: 'Customers (CSV)',
    receipts: 'Past receipts (NDJSON)',
    kindHint: 'Customers: a header row with phone, email, card_number, first_name… (docs/import.md). Receipts: one JSON receipt a line.',
    file: 'File',
    earn: 'Earn points on these receipts by the current rules (owner only; audited)',
    send: 'Upload and import',
    sending: 'Uploading…',
    noFile: 'Choose a file first.',
    exports: 'Exports',
    exportCustomers: 'Download all customers as CSV',
    exportHint: 'The file can be edited and imported back: the id column is ignored on import.',
    caption: 'Past imports',
    started: 'Started',
    name: 'File',
    type: 'Type',
    status: 'Status',
    rows: 'Rows done',
    failed: 'Refused',
    empty: 'No imports yet',
    emptyHint: 'Upload a CSV of customers above; the import runs in the background and shows its progress here.',
  },
  ru: {
    title: 'Импорт',
    intro: 'Загрузите клиентов из CSV или прошлые чеки из NDJSON; следите за каждой загрузкой и читайте строки, которые она отклонила.',
    upload: 'Загрузить файл',
    kind: 'Что в файле',
    customers: 'Клиенты (CSV)',
    receipts: 'Прошлые чеки (NDJSON)',
    kindHint: 'Клиенты: строка заголовков phone, email, card_number, first_name… (docs/import.md). Чеки: один чек JSON в строке.',
    file: 'Файл',
    earn: 'Начислить баллы за эти чеки по текущим правилам (только владелец; попадает в журнал)',
    send: 'Загрузить и импортировать',
    sending: 'Загрузка…',
    noFile: 'Сначала выберите файл.',
    exports: 'Выгрузка',
    exportCustomers: 'Скачать всех клиентов в CSV',
    exportHint: 'Файл можно отредактировать и загрузить обратно: столбец id при импорте не учитывается.',
    caption: 'Прошлые загрузки',
    started: 'Начат',
    name: 'Файл',
    type: 'Тип',
    status: 'Состояние',
    rows: 'Строк обработано',
    failed: 'Отклонено',
    empty: 'Загрузок пока нет',
    emptyHint: 'Загрузите CSV с клиентами выше; импорт идёт в фоне и показывает здесь свой ход.',
  },
});

export default function Imports() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const kinds = (Object.keys(uploads) as Kind[]).filter((kind) => can(uploads[kind].permission));
  const [kind, setKind] = useState<Kind>(kinds[0] ?? 'customers');
  const [earn, setEarn] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sending, setSending] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const list = usePagedList<ImportJob>('/v1/imports', {}, 20);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const file = fileInput.current?.files?.[0];
    if (!file) {
      setError(new Error(t('noFile')));
      return;
    }
    const upload = uploads[kind];
    setSending(true);
    try {
      const job = await api.upload<ImportJob>(upload.url, file, upload.contentType, { fileName: file.name, ...(kind === 'receipts' && earn ? { earn: true } : {}) });
      navigate(`/imports/${job.id}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setSending(false);
    }
  };

  return (
    <Page title={t('title')} intro={t('intro')}>
      {kinds.length > 0 ? (
        <Card title={t('upload')}>
          <form className="form" onSubmit={(event) => void submit(event)} noValidate>
            <ErrorNote error={error} />
            <div className="upload-row">
              <Field label={t('kind')} hint={t('kindHint')}>
                {(props) => (
                  <select {...props} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
                    {kinds.map((k) => (
                      <option key={k} value={k}>
                        {t(k)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('file')}>{(props) => <input {...props} ref={fileInput} type="file" accept={uploads[kind].accept} />}</Field>
            </div>
            {kind === 'receipts' && can('receipts:import-earn') ? (
              <label className="check">
                <input type="checkbox" checked={earn} onChange={(e) => setEarn(e.target.checked)} /> {t('earn')}
              </label>
            ) : null}
            <button type="submit" className="primary" disabled={sending}>
              {sending ? t('sending') : t('send')}
            </button>
          </form>
        </Card>
      ) : null}
      {can('customers:export') ? (
        <Card title={t('exports')}>
          <p>
            <a href="/v1/exports/customers" download="customers.csv">
              {t('exportCustomers')}
            </a>
          </p>
          <p className="muted">{t('exportHint')}</p>
        </Card>
      ) : null}
      <h2>{t('caption')}</h2>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/imports/${row.id}`}>{row.fileName}</Link> },
          { key: 'kind', title: t('type'), render: (row) => (row.kind in uploads ? t(row.kind as Kind) : row.kind) },
          { key: 'started', title: t('started'), render: (row) => format.dateTime(row.createdAt) },
          { key: 'status', title: t('status'), render: (row) => <ImportStatus job={row} /> },
          { key: 'rows', title: t('rows'), numeric: true, render: (row) => format.number(row.rowsDone) },
          { key: 'failed', title: t('failed'), numeric: true, render: (row) => format.number(row.rowsFailed) },
        ]}
      />
    </Page>
  );
}
