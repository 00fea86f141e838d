import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, ErrorNote, Field, Progress, fieldError } from '../../components/ui.tsx';
import { usePagedList, usePolling } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { numberOf, type CodeBatch, type Promotion } from './program-types.ts';

const text = defineText({
  en: {
    title: 'Promo-code batches',
    intro: 'Unique codes for this promotion, made in the background, to print or mail.',
    needsCode: 'This promotion applies without a code; codes only matter once “Only with a promo code” is on.',
    count: 'How many codes',
    prefix: 'Prefix',
    prefixHint: 'Letters and digits every code starts with (optional)',
    length: 'Random characters',
    lengthHint: 'Left empty: the fewest that make a guessed code one in 10,000',
    uses: 'Uses per code',
    usesHint: 'Left empty: single-use codes',
    check: 'Add a check character (catches a mistyped character)',
    generate: 'Generate codes',
    making: 'Making codes',
    done: { one: '{count} code made.', other: '{count} codes made.' },
    failed: 'The batch failed: {why}',
    export: 'Export the codes (CSV)',
    exportOf: 'CSV with the codes of batch {id}',
    caption: 'Batches of this promotion, newest first',
    created: 'Made',
    codes: 'Codes',
    status: 'Status',
    file: 'File',
    queued: 'Queued',
    running: 'Running',
    completed: 'Completed',
    failedStatus: 'Failed',
    empty: 'No batches yet',
    emptyHint: 'Generate codes above: a batch of a thousand takes a few seconds.',
  },
  ru: {
    title: 'Пакеты промокодов',
    intro: 'Уникальные коды этой акции: создаются в фоне, для печати или рассылки.',
    needsCode: 'Эта акция действует без кода; коды важны, только когда включено «Только по промокоду».',
    count: 'Сколько кодов',
    prefix: 'Префикс',
    prefixHint: 'Буквы и цифры в начале каждого кода (необязательно)',
    length: 'Случайных символов',
    lengthHint: 'Пусто — столько, чтобы угадать код можно было не чаще одного раза из 10 000',
    uses: 'Использований кода',
    usesHint: 'Пусто — одноразовые коды',
    check: 'Добавить контрольный символ (ловит опечатку)',
    generate: 'Создать коды',
    making: 'Создаём коды',
    done: { one: 'Создан {count} код.', few: 'Создано {count} кода.', many: 'Создано {count} кодов.', other: 'Создано {count} кода.' },
    failed: 'Пакет не создан: {why}',
    export: 'Выгрузить коды (CSV)',
    exportOf: 'CSV с кодами пакета {id}',
    caption: 'Пакеты этой акции, сначала новые',
    created: 'Создан',
    codes: 'Кодов',
    status: 'Статус',
    file: 'Файл',
    queued: 'В очереди',
    running: 'Идёт',
    completed: 'Готов',
    failedStatus: 'Ошибка',
    empty: 'Пакетов пока нет',
    emptyHint: 'Создайте коды выше: тысяча кодов делается за несколько секунд.',
  },
});

const exportUrl = (id: string) => `/v1/promo-codes/batches/${id}/export`;

export function PromoCodeBatches({ promotion }: { promotion: Promotion }) {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const list = usePagedList<CodeBatch>('/v1/promo-codes/batches', { promotionId: promotion.id }, 20);
  const [count, setCount] = useState('1000');
  const [prefix, setPrefix] = useState('');
  const [length, setLength] = useState('');
  const [uses, setUses] = useState('');
  const [check, setCheck] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [batchId, setBatchId] = useState<string | null>(null);
  const polled = usePolling<CodeBatch>(batchId ? `/v1/promo-codes/batches/${batchId}` : null, (batch) => batch.status === 'queued' || batch.status === 'running', 500);
  const batch = polled.data && polled.data.id === batchId ? polled.data : null;
  const { reload } = list;
  const finished = batch && batch.status !== 'queued' && batch.status !== 'running' ? batch.id : null;
  // The list shows the new batch's final state once it has ended.
  useEffect(() => {
    if (finished) reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per ended batch
  }, [finished]);

  const generate = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const body = Object.fromEntries(
        Object.entries({ promotionId: promotion.id, count: numberOf(count), prefix: prefix.trim() || undefined, length: numberOf(length), usesPerCode: numberOf(uses), checkCharacter: check }).filter(([, v]) => v !== undefined),
      );
      const started = await api.post<CodeBatch>('/v1/promo-codes/batches', body);
      setBatchId(started.id);
    } catch (caught) {
      setError(caught);
    }
  };
  const statusOf = (b: CodeBatch) => (b.status === 'failed' ? t('failedStatus') : t(b.status));
  const shown = ['count', 'prefix', 'length', 'usesPerCode'].some((name) => fieldError(error, name));

  return (
    <Card title={t('title')}>
      <p className="muted">{t('intro')}</p>
      {!promotion.requiresCode ? <p className="muted">{t('needsCode')}</p> : null}
      {can('promotions:write') ? (
        <form className="form program-form" noValidate onSubmit={(event) => void generate(event)}>
          <ErrorNote error={shown ? null : error} />
          <div className="form-row">
            <Field label={t('count')} error={fieldError(error, 'count')}>
              {(props) => <input {...props} inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} />}
            </Field>
            <Field label={t('prefix')} hint={t('prefixHint')} error={fieldError(error, 'prefix')}>
              {(props) => <input {...props} value={prefix} onChange={(e) => setPrefix(e.target.value)} />}
            </Field>
          </div>
          <div className="form-row">
            <Field label={t('length')} hint={t('lengthHint')} error={fieldError(error, 'length')}>
              {(props) => <input {...props} inputMode="numeric" value={length} onChange={(e) => setLength(e.target.value)} />}
            </Field>
            <Field label={t('uses')} hint={t('usesHint')} error={fieldError(error, 'usesPerCode')}>
              {(props) => <input {...props} inputMode="numeric" value={uses} onChange={(e) => setUses(e.target.value)} />}
            </Field>
          </div>
          <label className="check">
            <input type="checkbox" checked={check} onChange={(e) => setCheck(e.target.checked)} /> {t('check')}
          </label>
          <div className="actions program-actions">
            <button type="submit" className="primary" disabled={batch !== null && (batch.status === 'queued' || batch.status === 'running')}>
              {t('generate')}
            </button>
          </div>
        </form>
      ) : null}
      {batchId && !batch && !polled.error ? <Progress value={null} label={t('making')} /> : null}
      <ErrorNote error={polled.error} />
      {batch && (batch.status === 'queued' || batch.status === 'running' || batch.status === 'completed') ? <Progress value={batch.progress} label={t('making')} /> : null}
      {batch && batch.status === 'completed' ? (
        <p role="status">
          {t('done', { count: batch.generated })}{' '}
          <a href={exportUrl(batch.id)} download>
            {t('export')}
          </a>
        </p>
      ) : null}
      {batch && batch.status === 'failed' ? <ErrorNote error={new Error(t('failed', { why: batch.failure ?? '' }))} /> : null}
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'created', title: t('created'), render: (row) => format.dateTime(row.createdAt) },
          { key: 'codes', title: t('codes'), numeric: true, render: (row) => `${format.number(row.generated)} / ${format.number(row.count)}` },
          { key: 'prefix', title: t('prefix'), render: (row) => row.prefix || '—' },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={row.status === 'completed' ? 'good' : row.status === 'failed' ? 'bad' : 'info'}>{statusOf(row)}</Badge> },
          {
            key: 'file',
            title: t('file'),
            render: (row) =>
              row.status === 'completed' ? (
                <a href={exportUrl(row.id)} download aria-label={t('exportOf', { id: row.id })}>
                  CSV
                </a>
              ) : (
                '—'
              ),
          },
        ]}
      />
    </Card>
  );
}
