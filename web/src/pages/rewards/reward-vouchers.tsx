import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { Card, ErrorNote, Field, Notice } from '../../components/ui.tsx';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { Reward, VoucherUploadResult } from './rewards-types.ts';

const text = defineText({
  en: {
    title: 'Upload voucher codes',
    intro: 'The partner’s codes, handed out one per order, oldest upload first. A code already in the pool, or twice in the upload, is skipped, so no code is ever given twice.',
    paste: 'Paste codes',
    pasteHint: 'One code a line; or the partner’s CSV with a header row “code,valid_until”',
    validUntil: 'Pasted codes valid until',
    validUntilHint: 'Optional: the partner honours them until then; an expired code is never handed out',
    file: 'Or choose a CSV file',
    fileHint: 'A header row “code” (and “valid_until”), then one voucher a line',
    upload: 'Upload the codes',
    uploading: 'Uploading…',
    nothing: 'Paste codes or choose a file first.',
    result: 'Added {added}, skipped as duplicates {duplicates}. Vouchers free now: {free}.',
  },
  ru: {
    title: 'Загрузка кодов ваучеров',
    intro: 'Коды партнёра выдаются по одному на заказ, сначала из самых ранних загрузок. Код, который уже есть в пуле или повторяется в загрузке, пропускается, поэтому один код никогда не выдаётся дважды.',
    paste: 'Вставьте коды',
    pasteHint: 'По одному коду в строке; или CSV партнёра со строкой заголовка «code,valid_until»',
    validUntil: 'Вставленные коды действуют до',
    validUntilHint: 'Необязательно: партнёр принимает их до этого момента; просроченный код не выдаётся',
    file: 'Или выберите файл CSV',
    fileHint: 'Строка заголовка «code» (и «valid_until»), затем по ваучеру в строке',
    upload: 'Загрузить коды',
    uploading: 'Загружаем…',
    nothing: 'Сначала вставьте коды или выберите файл.',
    result: 'Добавлено: {added}, пропущено повторов: {duplicates}. Свободных ваучеров теперь: {free}.',
  },
});

/** Adds codes to a partner_voucher reward's pool (POST /v1/rewards/{id}/vouchers), pasted or from the partner's CSV. */
export function VoucherUpload({ reward, onUploaded }: { reward: Reward; onUploaded: () => void }) {
  const t = useText(text);
  const format = useFormat();
  const [pasted, setPasted] = useState('');
  const [validUntil, setValidUntil] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [nothing, setNothing] = useState(false);
  const [result, setResult] = useState<VoucherUploadResult | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setResult(null);
    const lines = pasted.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
    setNothing(!file && lines.length === 0);
    if (!file && lines.length === 0) return;
    setBusy(true);
    const path = `/v1/rewards/${reward.id}/vouchers`;
    try {
      let answer: VoucherUploadResult;
      if (file) answer = await api.upload<VoucherUploadResult>(path, file, 'text/csv');
      // Pasted text with the CSV's header goes as CSV; bare codes as JSON, with the date chosen.
      else if (/^code\b/i.test(lines[0]!)) answer = await api.upload<VoucherUploadResult>(path, new Blob([`${lines.join('\n')}\n`]), 'text/csv');
      else {
        const until = validUntil ? new Date(validUntil).toISOString() : undefined;
        answer = await api.post<VoucherUploadResult>(path, { vouchers: lines.map((code) => (until ? { code, validUntil: until } : { code })) });
      }
      setResult(answer);
      setPasted('');
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
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
      <form className="form rewards-vouchers" noValidate onSubmit={(event) => void submit(event)}>
        <Field label={t('paste')} hint={t('pasteHint')} error={nothing ? t('nothing') : null}>
          {(props) => <textarea {...props} spellCheck={false} value={pasted} onChange={(e) => setPasted(e.target.value)} />}
        </Field>
        <Field label={t('validUntil')} hint={t('validUntilHint')}>
          {(props) => <input {...props} type="datetime-local" value={validUntil} onChange={(e) => setValidUntil(e.target.value)} />}
        </Field>
        <Field label={t('file')} hint={t('fileHint')}>
          {(props) => <input {...props} ref={fileInput} type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('uploading') : t('upload')}
        </button>
      </form>
      <div className="rewards-answer">
        <ErrorNote error={error} />
        {result ? <Notice tone="success">{t('result', { added: format.number(result.added), duplicates: format.number(result.duplicates), free: format.number(result.vouchersFree) })}</Notice> : null}
      </div>
    </Card>
  );
}
