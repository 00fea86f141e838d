import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { DataTable, FilterSelect, pagedRows } from '../../components/table.tsx';
import { Badge, ErrorNote, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { IssueCardDialog } from './gift-card-issue.tsx';
import { GiftCardNav } from './gift-card-nav.tsx';
import { statusTone, type GiftCard, type GiftCardStatus } from './gift-card-types.ts';
import { giftCardWords } from './gift-card-words.ts';
import './gift-cards.css';

const text = defineText({
  en: {
    title: 'Gift cards',
    intro: 'Cards that hold money for the till: issue them one by one or in batches, sell (activate), block, and follow every change of their balance.',
    issue: 'Issue a card',
    find: 'Find a card by its code',
    findHint: 'The code on the card; dashes and spaces may stay',
    open: 'Open',
    status: 'Status',
    all: 'All',
    batch: 'Only batch {id}',
    ofCustomer: 'Only the cards given to customer {id}',
    allCards: 'Show all cards',
    caption: 'Gift cards, newest first',
    code: 'Card',
    balance: 'Balance',
    expires: 'Valid until',
    days: { one: '{count} day from the sale', other: '{count} days from the sale' },
    created: 'Issued',
    owner: 'Given to',
    customer: 'Customer',
    customerOf: 'Customer {id}',
    empty: 'No gift cards yet',
    emptyHint: 'Issue a card with “Issue a card”, or a batch of them for printing on the Batches page.',
    none: 'No card matches',
    noneHint: 'Choose another status, or show all cards.',
    issued: 'Card issued. Its code, shown in full only now:',
    issuedHint: 'Write it down or print it before you leave this page; lists show only its last four characters.',
    openIssued: 'Open the card',
  },
  ru: {
    title: 'Подарочные карты',
    intro: 'Карты с деньгами для оплаты на кассе: выпускайте по одной или партиями, продавайте (активируйте), блокируйте и следите за каждым изменением баланса.',
    issue: 'Выпустить карту',
    find: 'Найти карту по коду',
    findHint: 'Код с карты; дефисы и пробелы можно оставить',
    open: 'Открыть',
    status: 'Статус',
    all: 'Все',
    batch: 'Только партия {id}',
    ofCustomer: 'Только карты, выданные клиенту {id}',
    allCards: 'Показать все карты',
    caption: 'Подарочные карты, сначала новые',
    code: 'Карта',
    balance: 'Баланс',
    expires: 'Действует до',
    days: { one: '{count} день с продажи', few: '{count} дня с продажи', many: '{count} дней с продажи', other: '{count} дня с продажи' },
    created: 'Выпущена',
    owner: 'Кому выдана',
    customer: 'Клиент',
    customerOf: 'Клиент {id}',
    empty: 'Подарочных карт пока нет',
    emptyHint: 'Выпустите карту кнопкой «Выпустить карту» или партию карт для печати на странице «Партии».',
    none: 'Подходящих карт нет',
    noneHint: 'Выберите другой статус или покажите все карты.',
    issued: 'Карта выпущена. Её код полностью показан только сейчас:',
    issuedHint: 'Запишите или распечатайте его, прежде чем уйти со страницы; в списках видны только последние четыре символа.',
    openIssued: 'Открыть карту',
  },
});

const statuses: GiftCardStatus[] = ['issued', 'active', 'blocked', 'expired'];

export default function GiftCardList() {
  const t = useText(text);
  const words = useText(giftCardWords);
  const format = useFormat();
  const can = useCan();
  const { query } = useLocation();
  const batchId = query.get('batchId') ?? '';
  const customerId = query.get('customerId') ?? '';
  const [status, setStatus] = useState(query.get('status') ?? '');
  const [code, setCode] = useState('');
  const [findError, setFindError] = useState<unknown>(null);
  const [issuing, setIssuing] = useState(false);
  const [issued, setIssued] = useState<GiftCard | null>(null);
  const list = usePagedList<GiftCard>('/v1/gift-cards', { status: status || undefined, batchId: batchId || undefined, customerId: customerId || undefined }, 50);

  const chooseStatus = (next: string) => {
    setStatus(next);
    const params = new URLSearchParams(window.location.search);
    if (next) params.set('status', next);
    else params.delete('status');
    const search = params.toString();
    window.history.replaceState(null, '', search ? `?${search}` : window.location.pathname);
  };
  // The code is the card's secret: it goes to the API, and the page opens the card by its id.
  const find = async (event: FormEvent) => {
    event.preventDefault();
    setFindError(null);
    const typed = code.replace(/[\s-]/g, '');
    if (!typed) return;
    try {
      const card = await api.get<GiftCard>(`/v1/gift-cards/${encodeURIComponent(typed)}`);
      navigate(`/program/gift-cards/${card.id}`);
    } catch (caught) {
      setFindError(caught);
    }
  };

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        can('gift-cards:write') ? (
          <button type="button" className="primary" onClick={() => setIssuing(true)}>
            {t('issue')}
          </button>
        ) : null
      }
    >
      <GiftCardNav current="cards" />
      {issued ? (
        <Notice tone="success">
          <p>
            {t('issued')}{' '}
            <code className="gc-code" data-testid="issued-code">
              {issued.code}
            </code>
          </p>
          <p>{t('issuedHint')}</p>
          <Link to={`/program/gift-cards/${issued.id}`}>{t('openIssued')}</Link>
        </Notice>
      ) : null}
      <div className="gc-filters">
        <form className="gc-find" role="search" noValidate onSubmit={(event) => void find(event)}>
          <label htmlFor="gc-find-code">{t('find')}</label>
          <div className="gc-inline">
            <input id="gc-find-code" type="search" autoComplete="off" spellCheck={false} value={code} onChange={(e) => setCode(e.target.value)} aria-describedby="gc-find-hint" />
            <button type="submit" className="secondary">
              {t('open')}
            </button>
          </div>
          <span className="hint" id="gc-find-hint">
            {t('findHint')}
          </span>
        </form>
        <FilterSelect id="gc-status" label={t('status')} allLabel={t('all')} value={status} onChange={chooseStatus} options={statuses.map((s) => [s, words(s)] as const)} />
      </div>
      <ErrorNote error={findError} />
      {batchId || customerId ? (
        <p className="gc-batch-filter">
          {batchId ? t('batch', { id: batchId }) : t('ofCustomer', { id: customerId })} · <Link to="/program/gift-cards">{t('allCards')}</Link>
        </p>
      ) : null}
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={status || batchId || customerId ? { title: t('none'), hint: t('noneHint') } : { title: t('empty'), hint: t('emptyHint') }}
        columns={[
          {
            key: 'code',
            title: t('code'),
            render: (row) => (
              <Link to={`/program/gift-cards/${row.id}`} className="gc-code">
                {row.code}
              </Link>
            ),
          },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={statusTone(row.status)}>{words(row.status)}</Badge> },
          { key: 'balance', title: t('balance'), numeric: true, render: (row) => format.money(row.balanceMinor, row.currency) },
          { key: 'expires', title: t('expires'), render: (row) => (row.expiresAt ? format.date(row.expiresAt) : row.validDays ? t('days', { count: row.validDays }) : '—') },
          {
            key: 'owner',
            title: t('owner'),
            render: (row) =>
              !row.customerId ? '—' : can('customers:read') ? (
                <Link to={`/customers/${row.customerId}`} aria-label={t('customerOf', { id: row.customerId })}>
                  {t('customer')}
                </Link>
              ) : (
                t('customer')
              ),
          },
          { key: 'created', title: t('created'), render: (row) => format.date(row.createdAt) },
        ]}
      />
      <IssueCardDialog
        open={issuing}
        onClose={() => setIssuing(false)}
        onIssued={(card) => {
          setIssuing(false);
          setIssued(card);
          list.reload();
        }}
      />
    </Page>
  );
}
