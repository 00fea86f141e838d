import { Badge, Card } from '../../components/ui.tsx';
import { DataTable } from '../../components/table.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import type { Lottery, LotteryEntry, Winner } from './lottery-types.ts';

const text = defineText({
  en: {
    prize: 'Prize',
    winners: 'Winners',
    noWinners: 'Nobody won',
    noWinnersHint: 'No customer had an entry in the period, so no prize was drawn.',
    slot: 'Draw',
    customer: 'Customer',
    ticket: 'Ticket',
    prizeStatus: 'Prize issued',
    granted: 'issued (order {order})',
    pending: 'waiting to be issued',
    failed: 'refused: {reason}',
    no_reward: 'by hand',
    entries: 'Entries the draw froze',
    entriesCaption: 'Entries by customer id, in the order the draw counted them',
    entryCount: 'Entries',
    tickets: 'Tickets',
    fromSpend: 'For spending',
    fromActions: 'For actions',
    noEntries: 'No entries yet',
    entriesBefore: 'The draw freezes the entries and lists them here. Until then each customer sees their entries so far on their own page.',
    entriesNone: 'Nobody earned an entry in the period.',
  },
  ru: {
    prize: 'Приз',
    winners: 'Победители',
    noWinners: 'Победителей нет',
    noWinnersHint: 'Ни у одного клиента не было участий в период, поэтому призы не разыграны.',
    slot: 'Тираж',
    customer: 'Клиент',
    ticket: 'Билет',
    prizeStatus: 'Выдача приза',
    granted: 'выдан (заказ {order})',
    pending: 'ждёт выдачи',
    failed: 'отказ: {reason}',
    no_reward: 'вручную',
    entries: 'Участия, зафиксированные розыгрышем',
    entriesCaption: 'Участия по идентификатору клиента, в порядке подсчёта при розыгрыше',
    entryCount: 'Участий',
    tickets: 'Билеты',
    fromSpend: 'За покупки',
    fromActions: 'За действия',
    noEntries: 'Участий пока нет',
    entriesBefore: 'Розыгрыш фиксирует участия и показывает их здесь. До того каждый клиент видит свои участия на своей странице.',
    entriesNone: 'За период никто не получил участий.',
  },
});

/** A customer id, linked to their 360° page for a role that may open it (the id is no personal data). */
function CustomerId({ id }: { id: string }) {
  const can = useCan();
  return can('customers:read') ? <Link to={`/customers/${id}`}>{id}</Link> : <code>{id}</code>;
}

/** The winners of a drawn lottery: each draw in order, its prize, the winner and how the prize was issued. */
export function LotteryWinners({ lottery }: { lottery: Lottery }) {
  const t = useText(text);
  const format = useFormat();
  if (lottery.status !== 'drawn') return null;
  const customer = (id: string) => <CustomerId id={id} />;
  const prizeStatus = (w: Winner) =>
    w.prizeStatus === 'granted' ? t('granted', { order: w.orderId ?? '' }) : w.prizeStatus === 'failed' ? t('failed', { reason: w.failure ?? '' }) : t(w.prizeStatus);
  return (
    <Card title={t('winners')}>
      {lottery.winners.length === 0 ? (
        <p>
          <strong>{t('noWinners')}</strong> {t('noWinnersHint')}
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('winners')}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">{t('slot')}</th>
                <th scope="col">{t('prize')}</th>
                <th scope="col">{t('customer')}</th>
                <th scope="col" className="num">{t('ticket')}</th>
                <th scope="col">{t('prizeStatus')}</th>
              </tr>
            </thead>
            <tbody>
              {lottery.winners.map((w) => (
                <tr key={w.slot}>
                  <td className="num">{w.slot + 1}</td>
                  <td>{w.prizeName}</td>
                  <td>{customer(w.customerId)}</td>
                  <td className="num">{format.number(w.ticket)}</td>
                  <td>
                    <Badge tone={w.prizeStatus === 'failed' ? 'bad' : w.prizeStatus === 'granted' ? 'good' : 'neutral'}>{prizeStatus(w)}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

/** The entries the draw froze, a page at a time from the server; before the draw, why there are none yet. */
export function LotteryEntries({ lottery }: { lottery: Lottery }) {
  const t = useText(text);
  const format = useFormat();
  const entries = usePagedList<LotteryEntry>(lottery.status === 'drawn' ? `/v1/lotteries/${lottery.id}/entries` : null, {}, 50);
  const customer = (id: string) => <CustomerId id={id} />;
  return (
    <Card title={t('entries')}>
      {lottery.status === 'drawn' ? (
        <DataTable
          caption={t('entriesCaption')}
          rows={entries.items}
          rowKey={(row) => row.customerId}
          loading={entries.loading}
          error={entries.error}
          onRetry={entries.reload}
          hasMore={entries.hasMore}
          onMore={entries.loadMore}
          empty={{ title: t('noEntries'), hint: t('entriesNone') }}
          columns={[
            { key: 'customer', title: t('customer'), render: (row) => customer(row.customerId) },
            { key: 'entries', title: t('entryCount'), numeric: true, render: (row) => format.number(row.entries) },
            { key: 'tickets', title: t('tickets'), numeric: true, render: (row) => `${format.number(row.firstTicket)} – ${format.number(row.firstTicket + row.entries - 1)}` },
            { key: 'spend', title: t('fromSpend'), numeric: true, render: (row) => format.number(row.spendEntries) },
            { key: 'actions', title: t('fromActions'), numeric: true, render: (row) => format.number(row.actionEntries) },
          ]}
        />
      ) : (
        <p>
          <strong>{t('noEntries')}</strong> {t('entriesBefore')}
        </p>
      )}
    </Card>
  );
}
