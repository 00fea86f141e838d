import { useState } from 'react';
import { DataTable, FilterSelect, pagedRows } from '../../components/table.tsx';
import { Badge, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, useLocation } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { lotteryStatuses, statusTone, type Lottery } from './lottery-types.ts';
import { statusWords } from './lottery-words.ts';
import './lotteries.css';

const text = defineText({
  en: {
    title: 'Lotteries',
    intro: 'Prize draws among customers: entries for spending and for actions in the entry period, winners drawn by a published, checkable algorithm.',
    add: 'New lottery',
    status: 'Status',
    all: 'All',
    caption: 'Lotteries, newest first',
    name: 'Name',
    period: 'Entry period',
    periodValue: '{from} – {to}',
    prizes: 'Prizes',
    winners: 'Winners',
    prizeCount: { one: '{count} prize', other: '{count} prizes' },
    empty: 'No lottery yet',
    emptyHint: 'Create one with “New lottery”: its entry period, how customers earn entries and what they can win.',
    none: 'No lottery has this status',
    noneHint: 'Choose “All” to see every lottery.',
    deleted: 'The lottery “{name}” is deleted.',
  },
  ru: {
    title: 'Розыгрыши',
    intro: 'Розыгрыши призов среди клиентов: участия за покупки и действия в период розыгрыша, победители по опубликованному проверяемому алгоритму.',
    add: 'Новый розыгрыш',
    status: 'Статус',
    all: 'Все',
    caption: 'Розыгрыши, сначала новые',
    name: 'Название',
    period: 'Период участия',
    periodValue: '{from} – {to}',
    prizes: 'Призы',
    winners: 'Победители',
    prizeCount: { one: '{count} приз', few: '{count} приза', many: '{count} призов', other: '{count} приза' },
    empty: 'Розыгрышей пока нет',
    emptyHint: 'Создайте розыгрыш кнопкой «Новый розыгрыш»: период участия, за что клиент получает участия и какие призы разыгрываются.',
    none: 'Нет розыгрышей с таким статусом',
    noneHint: 'Выберите «Все», чтобы увидеть все розыгрыши.',
    deleted: 'Розыгрыш «{name}» удалён.',
  },
});

export default function LotteryList() {
  const t = useText(text);
  const s = useText(statusWords);
  const format = useFormat();
  const can = useCan();
  const { query } = useLocation();
  const [status, setStatus] = useState('');
  const list = usePagedList<Lottery>('/v1/lotteries', status ? { status } : {}, 50);
  const deleted = query.get('deleted');

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        can('lotteries:write') ? (
          <Link to="/program/lotteries/new" className="button primary">
            {t('add')}
          </Link>
        ) : null
      }
    >
      {deleted ? <Notice tone="success">{t('deleted', { name: deleted })}</Notice> : null}
      <div className="form-row search">
        <FilterSelect id="lottery-status" label={t('status')} allLabel={t('all')} value={status} onChange={setStatus} options={lotteryStatuses.map((value) => [value, s(value)] as const)} />
      </div>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={status ? { title: t('none'), hint: t('noneHint') } : { title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/program/lotteries/${row.id}`}>{row.name}</Link> },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={statusTone(row.status)}>{s(row.status)}</Badge> },
          { key: 'period', title: t('period'), render: (row) => t('periodValue', { from: format.dateTime(row.entryPeriod.from), to: format.dateTime(row.entryPeriod.to) }) },
          { key: 'prizes', title: t('prizes'), render: (row) => t('prizeCount', { count: row.prizes.reduce((sum, p) => sum + p.count, 0) }) },
          { key: 'winners', title: t('winners'), numeric: true, render: (row) => (row.status === 'drawn' ? format.number(row.winners.length) : '—') },
        ]}
      />
    </Page>
  );
}
