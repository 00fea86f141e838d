import { useState } from 'react';
import { DataTable, FilterSelect, pagedRows } from '../../components/table.tsx';
import { Badge, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, useLocation } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import type { Partner } from './rewards-types.ts';
import './rewards.css';

const text = defineText({
  en: {
    title: 'Partners',
    intro: 'Coalition partners: other companies whose stores earn and take the program’s points, with their rates and what is owed each way.',
    add: 'New partner',
    status: 'Status',
    all: 'All',
    active: 'Active',
    suspended: 'Suspended',
    caption: 'Partners, oldest first',
    name: 'Name',
    stores: 'Stores',
    noStores: 'none yet',
    earnRate: 'Earning rate',
    issuedRate: 'Partner pays per 100 points issued',
    redeemedRate: 'Operator pays per 100 points redeemed',
    empty: 'No partners yet',
    emptyHint: 'Add one with “New partner”: its stores, the points they earn, and the settlement rates each way.',
    emptyReadOnly: 'A marketer adds coalition partners here.',
    none: 'No partner matches',
    noneHint: 'Choose “All” statuses to see every partner.',
    saved: 'The partner “{name}” is saved.',
  },
  ru: {
    title: 'Партнёры',
    intro: 'Партнёры коалиции: другие компании, в магазинах которых начисляют и списывают баллы программы, — с их ставками и взаиморасчётами.',
    add: 'Новый партнёр',
    status: 'Статус',
    all: 'Все',
    active: 'Действует',
    suspended: 'Приостановлен',
    caption: 'Партнёры, сначала давние',
    name: 'Название',
    stores: 'Магазины',
    noStores: 'пока нет',
    earnRate: 'Ставка начисления',
    issuedRate: 'Партнёр платит за 100 начисленных баллов',
    redeemedRate: 'Оператор платит за 100 списанных баллов',
    empty: 'Партнёров пока нет',
    emptyHint: 'Добавьте партнёра кнопкой «Новый партнёр»: его магазины, сколько баллов в них начисляется и ставки взаиморасчётов.',
    emptyReadOnly: 'Партнёров коалиции сюда добавляет маркетолог.',
    none: 'Ни один партнёр не подходит',
    noneHint: 'Выберите статус «Все», чтобы увидеть всех партнёров.',
    saved: 'Партнёр «{name}» сохранён.',
  },
});

/** The coalition partners, a page at a time, filtered by status. */
export default function PartnerList() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const { query } = useLocation();
  const [status, setStatus] = useState('');
  const list = usePagedList<Partner>('/v1/partners', status ? { status } : {}, 50);
  const mayWrite = can('partners:write');
  const saved = query.get('saved');

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        mayWrite ? (
          <Link to="/program/partners/new" className="button primary">
            {t('add')}
          </Link>
        ) : null
      }
    >
      {saved ? <Notice tone="success">{t('saved', { name: saved })}</Notice> : null}
      <div className="form-row" role="search">
        <FilterSelect id="partner-status" label={t('status')} allLabel={t('all')} value={status} onChange={setStatus} options={[['active', t('active')], ['suspended', t('suspended')]]} />
      </div>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={status ? { title: t('none'), hint: t('noneHint') } : { title: t('empty'), hint: mayWrite ? t('emptyHint') : t('emptyReadOnly') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/program/partners/${row.id}`}>{row.name}</Link> },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={row.status === 'active' ? 'good' : 'warn'}>{t(row.status)}</Badge> },
          { key: 'stores', title: t('stores'), render: (row) => (row.storeIds.length ? row.storeIds.join(', ') : <span className="muted">{t('noStores')}</span>) },
          { key: 'earn', title: t('earnRate'), numeric: true, render: (row) => format.percent(row.earnRateBp / 10_000, 2) },
          { key: 'issued', title: t('issuedRate'), numeric: true, render: (row) => format.money(row.issuedPer100PointsMinor) },
          { key: 'redeemed', title: t('redeemedRate'), numeric: true, render: (row) => format.money(row.redeemedPer100PointsMinor) },
        ]}
      />
    </Page>
  );
}
