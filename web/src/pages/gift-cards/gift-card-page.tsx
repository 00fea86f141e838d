import { useState } from 'react';
import { api } from '../../api.ts';
import { DataTable } from '../../components/table.tsx';
import { Badge, Card, ErrorNote, Loading, Notice, Page, Stat } from '../../components/ui.tsx';
import { useResource, usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { CardActionDialog, type CardAction } from './gift-card-actions.tsx';
import { statusTone, type GiftCard, type GiftCardEntry } from './gift-card-types.ts';
import { giftCardWords } from './gift-card-words.ts';
import './gift-cards.css';

const text = defineText({
  en: {
    title: 'Gift card {code}',
    back: 'All gift cards',
    unknown: 'Gift card',
    status: 'Status',
    balance: 'Balance',
    loaded: 'Loaded at issue and sale',
    loadedUnknown: 'see the ledger',
    expires: 'Valid until',
    days: { one: '{count} day from the sale', other: '{count} days from the sale' },
    noExpiry: 'No end date',
    owner: 'Given to',
    nobody: 'Nobody named',
    customer: 'Open the customer',
    details: 'Details',
    id: 'Id',
    batch: 'Batch',
    single: 'Issued on its own',
    batchCards: 'Cards of batch {id}',
    created: 'Issued',
    activated: 'Sold (activated)',
    blocked: 'Blocked',
    notYet: 'Not yet',
    blockReason: 'Why blocked',
    actions: 'Actions',
    activate: 'Activate (sell)',
    adjust: 'Change the balance',
    block: 'Block',
    unblock: 'Unblock',
    ledger: 'Ledger',
    ledgerCaption: 'Every change of the card’s balance, newest first',
    when: 'When',
    kind: 'What',
    amount: 'Amount',
    after: 'Balance after',
    note: 'Reason or receipt',
    receipt: 'Receipt {id}',
    refund: 'return {id}',
    empty: 'No money moved yet',
    emptyHint: 'The card was issued with nothing on it: money is loaded when it is sold (Activate).',
    done_activate: 'The card is active.',
    done_block: 'The card is blocked.',
    done_unblock: 'The card is unblocked.',
    done_adjust: 'The balance is changed.',
  },
  ru: {
    title: 'Подарочная карта {code}',
    back: 'Все подарочные карты',
    unknown: 'Подарочная карта',
    status: 'Статус',
    balance: 'Баланс',
    loaded: 'Зачислено при выпуске и продаже',
    loadedUnknown: 'см. журнал',
    expires: 'Действует до',
    days: { one: '{count} день с продажи', few: '{count} дня с продажи', many: '{count} дней с продажи', other: '{count} дня с продажи' },
    noExpiry: 'Без срока',
    owner: 'Кому выдана',
    nobody: 'Никто не указан',
    customer: 'Открыть клиента',
    details: 'Подробности',
    id: 'Id',
    batch: 'Партия',
    single: 'Выпущена отдельно',
    batchCards: 'Карты партии {id}',
    created: 'Выпущена',
    activated: 'Продана (активирована)',
    blocked: 'Заблокирована',
    notYet: 'Ещё нет',
    blockReason: 'Причина блокировки',
    actions: 'Действия',
    activate: 'Активировать (продать)',
    adjust: 'Изменить баланс',
    block: 'Заблокировать',
    unblock: 'Разблокировать',
    ledger: 'Журнал',
    ledgerCaption: 'Все изменения баланса карты, сначала новые',
    when: 'Когда',
    kind: 'Что',
    amount: 'Сумма',
    after: 'Баланс после',
    note: 'Причина или чек',
    receipt: 'Чек {id}',
    refund: 'возврат {id}',
    empty: 'Движений денег пока нет',
    emptyHint: 'Карта выпущена без денег: они зачисляются при продаже (Активировать).',
    done_activate: 'Карта активна.',
    done_block: 'Карта заблокирована.',
    done_unblock: 'Карта разблокирована.',
    done_adjust: 'Баланс изменён.',
  },
});

export default function GiftCardPage({ params }: PageProps) {
  const t = useText(text);
  const words = useText(giftCardWords);
  const format = useFormat();
  const can = useCan();
  const ref = params.code ?? '';
  const card = useResource((signal) => api.get<GiftCard>(`/v1/gift-cards/${encodeURIComponent(ref)}`, undefined, signal), [ref]);
  const entries = usePagedList<GiftCardEntry>(card.data ? `/v1/gift-cards/${encodeURIComponent(card.data.id)}/entries` : null, {}, 50);
  const [action, setAction] = useState<CardAction | null>(null);
  const [done, setDone] = useState<CardAction | null>(null);

  if (card.loading && !card.data) return <Loading />;
  if (!card.data) {
    return (
      <Page title={t('unknown')} intro={<Link to="/program/gift-cards">← {t('back')}</Link>}>
        <ErrorNote error={card.error} onRetry={card.reload} />
      </Page>
    );
  }
  const c = card.data;
  const last4 = c.code.slice(-4);
  // The loaded money is the ledger's issue and activate lines: known once the whole ledger is read.
  const loaded = entries.hasMore || entries.loading ? null : entries.items.filter((e) => e.kind === 'issue' || e.kind === 'activate').reduce((sum, e) => sum + e.amountMinor, 0);
  const buttons: Array<{ action: CardAction; show: boolean; danger?: boolean }> = [
    { action: 'activate', show: can('gift-cards:activate') && c.status === 'issued' },
    { action: 'adjust', show: can('gift-cards:adjust') && c.status !== 'expired' },
    { action: 'block', show: can('gift-cards:adjust') && (c.status === 'issued' || c.status === 'active'), danger: true },
    { action: 'unblock', show: can('gift-cards:adjust') && c.status === 'blocked' },
  ];
  const shown = buttons.filter((b) => b.show);
  const expiry = c.expiresAt ? format.date(c.expiresAt) : c.validDays ? t('days', { count: c.validDays }) : t('noExpiry');

  return (
    <Page
      title={t('title', { code: `…${last4}` })}
      intro={<Link to="/program/gift-cards">← {t('back')}</Link>}
      actions={
        shown.length > 0 ? (
          <div className="actions" role="group" aria-label={t('actions')}>
            {shown.map((b) => (
              <button key={b.action} type="button" className={b.danger ? 'danger' : 'secondary'} onClick={() => setAction(b.action)}>
                {t(b.action)}
              </button>
            ))}
          </div>
        ) : null
      }
    >
      {done ? <Notice tone="success">{t(`done_${done}`)}</Notice> : null}
      <div className="stats gc-summary">
        <Stat label={t('status')} value={<Badge tone={statusTone(c.status)}>{words(c.status)}</Badge>} />
        <Stat label={t('balance')} value={<span data-testid="gc-balance">{format.money(c.balanceMinor, c.currency)}</span>} />
        <Stat label={t('loaded')} value={loaded === null ? t('loadedUnknown') : format.money(loaded, c.currency)} />
        <Stat label={t('expires')} value={expiry} />
        <Stat label={t('owner')} value={c.customerId ? can('customers:read') ? <Link to={`/customers/${c.customerId}`}>{t('customer')}</Link> : c.customerId : t('nobody')} />
      </div>
      <Card title={t('details')}>
        <dl className="facts">
          <dt>{t('id')}</dt>
          <dd>
            <code>{c.id}</code>
          </dd>
          <dt>{t('batch')}</dt>
          <dd>{c.batchId ? <Link to={`/program/gift-cards?batchId=${c.batchId}`}>{t('batchCards', { id: c.batchId })}</Link> : t('single')}</dd>
          <dt>{t('created')}</dt>
          <dd>{format.dateTime(c.createdAt)}</dd>
          <dt>{t('activated')}</dt>
          <dd>{c.activatedAt ? format.dateTime(c.activatedAt) : t('notYet')}</dd>
          {c.blockedAt ? (
            <>
              <dt>{t('blocked')}</dt>
              <dd>{format.dateTime(c.blockedAt)}</dd>
              <dt>{t('blockReason')}</dt>
              <dd>{c.blockReason ?? '—'}</dd>
            </>
          ) : null}
        </dl>
      </Card>
      <Card title={t('ledger')}>
        <DataTable
          caption={t('ledgerCaption')}
          rows={entries.items}
          rowKey={(row) => String(row.id)}
          loading={entries.loading}
          error={entries.error}
          onRetry={entries.reload}
          hasMore={entries.hasMore}
          onMore={entries.loadMore}
          empty={{ title: t('empty'), hint: t('emptyHint') }}
          columns={[
            { key: 'when', title: t('when'), render: (row) => format.dateTime(row.createdAt) },
            { key: 'kind', title: t('kind'), render: (row) => words(`kind_${row.kind}`) },
            { key: 'amount', title: t('amount'), numeric: true, render: (row) => <span className={row.amountMinor < 0 ? 'gc-minus' : 'gc-plus'}>{`${row.amountMinor > 0 ? '+' : ''}${format.money(row.amountMinor, c.currency)}`}</span> },
            { key: 'after', title: t('after'), numeric: true, render: (row) => format.money(row.balanceAfterMinor, c.currency) },
            {
              key: 'note',
              title: t('note'),
              render: (row) =>
                [row.reason, row.receiptId ? t('receipt', { id: row.receiptId }) : null, row.refundId ? t('refund', { id: row.refundId }) : null].filter(Boolean).join(' · ') || '—',
            },
          ]}
        />
      </Card>
      <CardActionDialog
        action={action}
        card={c}
        onClose={() => setAction(null)}
        onDone={(next) => {
          setDone(action);
          setAction(null);
          card.setData(next);
          entries.reload();
        }}
      />
    </Page>
  );
}
