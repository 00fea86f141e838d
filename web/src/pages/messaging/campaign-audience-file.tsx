import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { Card, ErrorNote, Field, Notice } from '../../components/ui.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';

const text = defineText({
  en: {
    title: 'Audience from a file',
    intro: 'A CSV file whose first line names the column: customerId, phone, email or cardNumber; then one customer a line. It replaces the draft’s audience; a segment’s members are not kept.',
    file: 'CSV file',
    upload: 'Upload the list',
    uploading: 'Uploading…',
    chooseFirst: 'Choose a file first',
    done: '{matched} of {rows} lines matched a customer (by {column}); the campaign will go to {listSize}.',
    unknown: { one: 'No customer for {count} line: {lines}.', other: 'No customer for {count} lines: {lines}.' },
    duplicates: { one: '{count} line named a customer already on the list: {lines}.', other: '{count} lines named a customer already on the list: {lines}.' },
    invalid: 'Not read: {rows}.',
  },
  ru: {
    title: 'Получатели из файла',
    intro: 'CSV-файл, в первой строке которого названа колонка: customerId, phone, email или cardNumber; дальше по клиенту в строке. Файл заменяет получателей черновика; участники сегмента не сохраняются.',
    file: 'CSV-файл',
    upload: 'Загрузить список',
    uploading: 'Загрузка…',
    chooseFirst: 'Сначала выберите файл',
    done: 'Найдено клиентов: {matched} из {rows} строк (по колонке {column}); рассылка уйдёт {listSize} клиентам.',
    unknown: { one: 'Нет клиента для {count} строки: {lines}.', few: 'Нет клиента для {count} строк: {lines}.', many: 'Нет клиента для {count} строк: {lines}.', other: 'Нет клиента для {count} строки: {lines}.' },
    duplicates: { one: '{count} строка повторяет клиента из списка: {lines}.', few: '{count} строки повторяют клиентов из списка: {lines}.', many: '{count} строк повторяют клиентов из списка: {lines}.', other: '{count} строки повторяют клиентов из списка: {lines}.' },
    invalid: 'Не прочитаны: {rows}.',
  },
});

/** What PUT /v1/campaigns/{id}/audience answers. */
type AudienceUpload = {
  column: string;
  rows: number;
  matched: number;
  listSize: number;
  unknown: { count: number; lines: number[] };
  duplicates: { count: number; lines: number[] };
  invalid: { count: number; rows: Array<{ line: number; reason: string }> };
};

/** The first lines of a long list, then "…": the report names lines so a person can fix the file. */
const someOf = (lines: number[]) => (lines.length > 20 ? `${lines.slice(0, 20).join(', ')}, …` : lines.join(', '));

/** A draft campaign's audience replaced by an uploaded CSV list, with the server's report of each line it could not use. */
export function AudienceFile({ campaignId, onUploaded }: { campaignId: string; onUploaded: () => void }) {
  const t = useText(text);
  const format = useFormat();
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [report, setReport] = useState<AudienceUpload | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setReport(null);
    if (!file) {
      setMissing(true);
      return;
    }
    setMissing(false);
    setBusy(true);
    try {
      setReport(await api.upload<AudienceUpload>(`/v1/campaigns/${campaignId}/audience`, file, 'text/csv', undefined, 'PUT'));
      onUploaded();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('title')}>
      <p className="muted">{t('intro')}</p>
      <form className="form" noValidate onSubmit={(event) => void submit(event)}>
        <ErrorNote error={error} />
        <Field label={t('file')} error={missing ? t('chooseFirst') : null}>
          {(props) => <input {...props} type="file" accept=".csv,text/csv" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />}
        </Field>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('uploading') : t('upload')}
          </button>
        </div>
      </form>
      {report ? (
        <Notice tone={report.unknown.count + report.duplicates.count + report.invalid.count > 0 ? 'warning' : 'success'}>
          <p>{t('done', { matched: format.number(report.matched), rows: format.number(report.rows), column: report.column, listSize: format.number(report.listSize) })}</p>
          {report.unknown.count > 0 ? <p>{t('unknown', { count: report.unknown.count, lines: someOf(report.unknown.lines) })}</p> : null}
          {report.duplicates.count > 0 ? <p>{t('duplicates', { count: report.duplicates.count, lines: someOf(report.duplicates.lines) })}</p> : null}
          {report.invalid.count > 0 ? <p>{t('invalid', { rows: report.invalid.rows.slice(0, 20).map((row) => `${row.line}: ${row.reason}`).join('; ') })}</p> : null}
        </Notice>
      ) : null}
    </Card>
  );
}
