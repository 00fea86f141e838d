import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, newIdempotencyKey } from '../../api.ts';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, ErrorNote, Field, Page, Progress, fieldError } from '../../components/ui.tsx';
import { usePagedList, usePolling } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { GiftCardNav } from './gift-card-nav.tsx';
import { compact, endOfDay, integerOf, keepsKey, minorOf, type GiftCardBatch } from './gift-card-types.ts';
import './gift-cards.css';

const text = defineText({
  en: {
    title: 'Gift-card batches',
    intro: 'Cards made in the background for printing: each with its own code, issued until sold at the till. Export a finished batch’s codes for the printer.',
    new: 'A new batch',
    count: 'How many cards',
    amount: 'Value of each card',
    amountHint: 'e.g. 3000; left empty: nothing on the card until the till loads what was paid',
    prefix: 'Prefix',
    prefixHint: 'Up to 8 letters and digits before each code’s 16 random ones (optional)',
    validDays: 'Valid for, days',
    validDaysHint: 'Counted from each card’s sale, e.g. 365',
    expiresOn: 'Or valid until',
    expiresOnHint: 'A fixed last day for the whole batch, instead of days from the sale',
    create: 'Make the cards',
    making: 'Making cards',
    done: { one: '{count} card made.', other: '{count} cards made.' },
    failed: 'The batch failed: {why}',
    export: 'Export the codes (CSV)',
    exportOf: 'CSV with the codes of batch {id}',
    exportNote: 'The file holds the codes in full: they are money, so keep it safe.',
    caption: 'Batches, newest first',
    created: 'Made',
    cards: 'Cards',
    value: 'Each',
    term: 'Valid',
    days: { one: '{count} day from the sale', other: '{count} days from the sale' },
    until: 'until {date}',
    status: 'Status',
    file: 'File',
    list: 'Show the cards of batch {id}',
    listTitle: 'Card list',
    show: 'Show',
    queued: 'Queued',
    running: 'Running',
    completed: 'Completed',
    failedStatus: 'Failed',
    empty: 'No batches yet',
    emptyHint: 'Make one above: a thousand cards take a few seconds.',
    emptyReadOnly: 'A marketer or an owner makes batches of cards here.',
  },
  ru: {
    title: 'Партии подарочных карт',
    intro: 'Карты, созданные в фоне для печати: у каждой свой код, карта выпущена, пока её не продадут на кассе. Готовую партию выгрузите для типографии.',
    new: 'Новая партия',
    count: 'Сколько карт',
    amount: 'Номинал каждой карты',
    amountHint: 'Например, 3000; пусто — на карте ничего, пока касса не зачислит оплату',
    prefix: 'Префикс',
    prefixHint: 'До 8 букв и цифр перед 16 случайными символами кода (необязательно)',
    validDays: 'Срок действия, дней',
    validDaysHint: 'Считается с продажи каждой карты, например 365',
    expiresOn: 'Или действует до',
    expiresOnHint: 'Последний день для всей партии, вместо дней с продажи',
    create: 'Создать карты',
    making: 'Создаём карты',
    done: { one: 'Создана {count} карта.', few: 'Создано {count} карты.', many: 'Создано {count} карт.', other: 'Создано {count} карты.' },
    failed: 'Партия не создана: {why}',
    export: 'Выгрузить коды (CSV)',
    exportOf: 'CSV с кодами партии {id}',
    exportNote: 'В файле коды полностью: это деньги, храните его надёжно.',
    caption: 'Партии, сначала новые',
    created: 'Создана',
    cards: 'Карт',
    value: 'Номинал',
    term: 'Срок',
    days: { one: '{count} день с продажи', few: '{count} дня с продажи', many: '{count} дней с продажи', other: '{count} дня с продажи' },
    until: 'до {date}',
    status: 'Статус',
    file: 'Файл',
    list: 'Показать карты партии {id}',
    listTitle: 'Список карт',
    show: 'Показать',
    queued: 'В очереди',
    running: 'Идёт',
    completed: 'Готова',
    failedStatus: 'Ошибка',
    empty: 'Партий пока нет',
    emptyHint: 'Создайте партию выше: тысяча карт делается за несколько секунд.',
    emptyReadOnly: 'Партии карт здесь создаёт маркетолог или владелец.',
  },
});

const exportUrl = (id: string) => `/v1/gift-cards/batches/${id}/export`;
const running = (batch: GiftCardBatch) => batch.status === 'queued' || batch.status === 'running';

export default function GiftCardBatches() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const canWrite = can('gift-cards:write');
  const list = usePagedList<GiftCardBatch>('/v1/gift-cards/batches', {}, 20);
  const [count, setCount] = useState('100');
  const [amount, setAmount] = useState('');
  const [prefix, setPrefix] = useState('');
  const [validDays, setValidDays] = useState('365');
  const [expiresOn, setExpiresOn] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [batchId, setBatchId] = useState<string | null>(null);
  const key = useRef(newIdempotencyKey());
  const polled = usePolling<GiftCardBatch>(batchId ? `/v1/gift-cards/batches/${batchId}` : null, running, 500);
  const batch = polled.data && polled.data.id === batchId ? polled.data : null;
  const { reload } = list;
  // A batch still being made when the page opens (started here before, or by someone else) is followed too.
  const newest = list.items[0];
  useEffect(() => {
    if (!batchId && newest && running(newest)) setBatchId(newest.id);
  }, [batchId, newest]);
  const finished = batch && !running(batch) ? batch.id : null;
  // The list shows the new batch at once, and its final state once it has ended.
  useEffect(() => {
    if (batchId) reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per batch started and ended
  }, [batchId, finished]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const body = compact({
        count: integerOf(count) ?? '',
        amountMinor: minorOf(amount),
        prefix: prefix.trim() || undefined,
        validDays: expiresOn ? undefined : integerOf(validDays),
        expiresAt: endOfDay(expiresOn),
      });
      const started = await api.post<GiftCardBatch>('/v1/gift-cards/batches', body, undefined, { 'idempotency-key': key.current });
      key.current = newIdempotencyKey();
      setBatchId(started.id);
    } catch (caught) {
      if (!keepsKey(caught)) key.current = newIdempotencyKey();
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const statusOf = (b: GiftCardBatch) => (b.status === 'failed' ? t('failedStatus') : t(b.status));
  const named = ['count', 'amountMinor', 'prefix', 'validDays', 'expiresAt'].some((name) => fieldError(error, name));

  return (
    <Page title={t('title')} intro={t('intro')}>
      <GiftCardNav current="batches" />
      {canWrite ? (
        <Card title={t('new')}>
          <form className="form" noValidate onSubmit={(event) => void create(event)}>
            <ErrorNote error={named ? null : error} />
            <div className="form-row">
              <Field label={t('count')} error={fieldError(error, 'count')}>
                {(props) => <input {...props} inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} />}
              </Field>
              <Field label={t('amount')} hint={t('amountHint')} error={fieldError(error, 'amountMinor')}>
                {(props) => <input {...props} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />}
              </Field>
              <Field label={t('prefix')} hint={t('prefixHint')} error={fieldError(error, 'prefix')}>
                {(props) => <input {...props} autoComplete="off" value={prefix} onChange={(e) => setPrefix(e.target.value)} />}
              </Field>
            </div>
            <div className="form-row">
              <Field label={t('validDays')} hint={t('validDaysHint')} error={fieldError(error, 'validDays')}>
                {(props) => <input {...props} inputMode="numeric" value={validDays} disabled={expiresOn !== ''} onChange={(e) => setValidDays(e.target.value)} />}
              </Field>
              <Field label={t('expiresOn')} hint={t('expiresOnHint')} error={fieldError(error, 'expiresAt')}>
                {(props) => <input {...props} type="date" value={expiresOn} onChange={(e) => setExpiresOn(e.target.value)} />}
              </Field>
            </div>
            <div className="actions gc-actions">
              <button type="submit" className="primary" disabled={busy || (batch !== null && running(batch))}>
                {t('create')}
              </button>
            </div>
          </form>
        </Card>
      ) : null}
      <div className="gc-progress">
        {batchId && !batch && !polled.error ? <Progress value={null} label={t('making')} /> : null}
        <ErrorNote error={polled.error} />
        {batch && batch.status !== 'failed' ? <Progress value={batch.progress} label={t('making')} /> : null}
        {batch && batch.status === 'completed' ? (
          <div role="status" className="gc-done">
            <p>
              {t('done', { count: batch.generated })}{' '}
              {canWrite ? (
                <a href={exportUrl(batch.id)} download>
                  {t('export')}
                </a>
              ) : null}
            </p>
            {canWrite ? <p className="muted">{t('exportNote')}</p> : null}
          </div>
        ) : null}
        {batch && batch.status === 'failed' ? <ErrorNote error={new Error(t('failed', { why: batch.failure ?? '' }))} /> : null}
      </div>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: canWrite ? t('emptyHint') : t('emptyReadOnly') }}
        columns={[
          { key: 'created', title: t('created'), render: (row) => format.dateTime(row.createdAt) },
          { key: 'cards', title: t('cards'), numeric: true, render: (row) => `${format.number(row.generated)} / ${format.number(row.count)}` },
          { key: 'value', title: t('value'), numeric: true, render: (row) => format.money(row.amountMinor, row.currency) },
          { key: 'prefix', title: t('prefix'), render: (row) => row.prefix || '—' },
          { key: 'term', title: t('term'), render: (row) => (row.expiresAt ? t('until', { date: format.date(row.expiresAt) }) : row.validDays ? t('days', { count: row.validDays }) : '—') },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={row.status === 'completed' ? 'good' : row.status === 'failed' ? 'bad' : 'info'}>{statusOf(row)}</Badge> },
          {
            key: 'list',
            title: t('listTitle'),
            render: (row) => (
              <Link to={`/program/gift-cards?batchId=${row.id}`} aria-label={t('list', { id: row.id })}>
                {t('show')}
              </Link>
            ),
          },
          ...(canWrite
            ? [
                {
                  key: 'file',
                  title: t('file'),
                  render: (row: GiftCardBatch) =>
                    row.status === 'completed' ? (
                      <a href={exportUrl(row.id)} download aria-label={t('exportOf', { id: row.id })}>
                        CSV
                      </a>
                    ) : (
                      '—'
                    ),
                },
              ]
            : []),
        ]}
      />
    </Page>
  );
}
