import { useState } from 'react';
import { DataTable, FilterSelect, pagedRows } from '../../components/table.tsx';
import { Badge, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, useLocation } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import { RedeemCode } from './reward-redeem.tsx';
import { rewardKinds, rewardStatuses, type Reward } from './rewards-types.ts';
import { rewardWords, statusTone } from './rewards-words.ts';
import './rewards.css';

const text = defineText({
  en: {
    title: 'Rewards catalog',
    intro: 'What customers may buy with points: own goods and services, partner vouchers and privileges, with what is left of each.',
    add: 'New reward',
    kind: 'Kind',
    status: 'Status',
    all: 'All',
    caption: 'Rewards, newest first',
    name: 'Name',
    price: 'Price, points',
    left: 'Left',
    unlimited: 'unlimited',
    vouchers: { one: '{count} voucher', other: '{count} vouchers' },
    units: { one: '{count} unit', other: '{count} units' },
    issued: 'Ordered',
    redeemed: 'Used at the till',
    empty: 'The catalog is empty',
    emptyHint: 'Add a reward with “New reward”: a mug for 300 points, a partner’s cinema ticket, priority service for Gold customers.',
    emptyReadOnly: 'A marketer adds rewards here; customers then buy them with points in the app, at the till or through support.',
    none: 'No reward matches',
    noneHint: 'Choose “All” kinds and statuses to see the whole catalog.',
    saved: 'The reward “{name}” is saved.',
    deleted: 'The reward “{name}” is deleted.',
  },
  ru: {
    title: 'Каталог наград',
    intro: 'Что клиенты могут купить за баллы: свои товары и услуги, ваучеры партнёров и привилегии — с остатком каждой награды.',
    add: 'Новая награда',
    kind: 'Вид',
    status: 'Статус',
    all: 'Все',
    caption: 'Награды, сначала новые',
    name: 'Название',
    price: 'Цена, баллов',
    left: 'Осталось',
    unlimited: 'без ограничения',
    vouchers: { one: '{count} ваучер', few: '{count} ваучера', many: '{count} ваучеров', other: '{count} ваучера' },
    units: { one: '{count} штука', few: '{count} штуки', many: '{count} штук', other: '{count} штуки' },
    issued: 'Заказано',
    redeemed: 'Использовано на кассе',
    empty: 'Каталог пуст',
    emptyHint: 'Добавьте награду кнопкой «Новая награда»: кружка за 300 баллов, билет в кино от партнёра, приоритетное обслуживание для уровня Gold.',
    emptyReadOnly: 'Награды сюда добавляет маркетолог; клиенты покупают их за баллы в приложении, на кассе или через поддержку.',
    none: 'Ни одна награда не подходит',
    noneHint: 'Выберите «Все» виды и статусы, чтобы увидеть весь каталог.',
    saved: 'Награда «{name}» сохранена.',
    deleted: 'Награда «{name}» удалена.',
  },
});

/** The rewards catalog: a page at a time from the server, filtered by kind and status. */
export default function RewardList() {
  const t = useText(text);
  const w = useText(rewardWords);
  const format = useFormat();
  const can = useCan();
  const { query } = useLocation();
  const [kind, setKind] = useState('');
  const [status, setStatus] = useState('');
  const list = usePagedList<Reward>('/v1/rewards', { ...(kind ? { kind } : {}), ...(status ? { status } : {}) }, 50);
  const mayWrite = can('rewards:write');
  const filtered = kind !== '' || status !== '';
  const saved = query.get('saved');
  const deleted = query.get('deleted');

  const left = (reward: Reward) => {
    const parts: string[] = [];
    if (reward.usage.vouchersFree !== null) parts.push(t('vouchers', { count: reward.usage.vouchersFree }));
    if (reward.usage.stockLeft !== null) parts.push(t('units', { count: reward.usage.stockLeft }));
    return parts.length ? parts.join(' · ') : t('unlimited');
  };

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        mayWrite ? (
          <Link to="/program/rewards/new" className="button primary">
            {t('add')}
          </Link>
        ) : null
      }
    >
      {saved ? <Notice tone="success">{t('saved', { name: saved })}</Notice> : null}
      {deleted ? <Notice tone="success">{t('deleted', { name: deleted })}</Notice> : null}
      {can('reward-codes:redeem') ? <RedeemCode /> : null}
      <div className="form-row" role="search">
        <FilterSelect id="reward-kind" label={t('kind')} allLabel={t('all')} value={kind} onChange={setKind} options={rewardKinds.map((k) => [k, w(`kind_${k}`)] as const)} />
        <FilterSelect id="reward-status" label={t('status')} allLabel={t('all')} value={status} onChange={setStatus} options={rewardStatuses.map((s) => [s, w(`status_${s}`)] as const)} />
      </div>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={filtered ? { title: t('none'), hint: t('noneHint') } : { title: t('empty'), hint: mayWrite ? t('emptyHint') : t('emptyReadOnly') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/program/rewards/${row.id}`}>{row.name}</Link> },
          { key: 'kind', title: t('kind'), render: (row) => w(`kind_${row.kind}`) + (row.partner ? ` · ${row.partner}` : '') },
          { key: 'price', title: t('price'), numeric: true, render: (row) => format.number(row.pointsCost) },
          { key: 'left', title: t('left'), render: (row) => <span data-testid="reward-left">{left(row)}</span> },
          { key: 'issued', title: t('issued'), numeric: true, render: (row) => format.number(row.usage.issued - row.usage.cancelled) },
          { key: 'redeemed', title: t('redeemed'), numeric: true, render: (row) => format.number(row.usage.redeemed) },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={statusTone[row.status]}>{w(`status_${row.status}`)}</Badge> },
        ]}
      />
    </Page>
  );
}
