import { useEffect, useState } from 'react';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, useLocation } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import type { Promotion } from './program-types.ts';
import './program.css';

const text = defineText({
  en: {
    title: 'Promotions',
    intro: 'Discounts and points offers the till applies: with their usage so far and the budget left.',
    add: 'New promotion',
    search: 'Name',
    searchHint: 'Part of the name',
    status: 'Status',
    all: 'All',
    draft: 'Draft',
    active: 'Active',
    paused: 'Paused',
    archived: 'Archived',
    caption: 'Promotions, newest first',
    name: 'Name',
    benefit: 'Benefit',
    uses: 'Receipts',
    used: 'Given',
    left: 'Budget left',
    noLimit: 'no limit',
    empty: 'No promotions yet',
    emptyHint: 'Create one with “New promotion”: a discount or extra points, for whom, when, and its budget.',
    none: 'No promotion matches',
    noneHint: 'Try another part of the name, or “All” statuses.',
    saved: 'The promotion “{name}” is saved.',
    percent_off: '{value}% off',
    amount_off: '{value} off',
    n_for_m: '{buy} for the price of {pay}',
    points_multiplier: '×{value} points',
    bonus_points: '{value} bonus points',
    free_item: 'Free {value}',
    buy_x_get_y: 'Buy X, get Y',
    bundle_price: 'Bundle price',
    points: '{value} points',
    codes: 'by code',
  },
  ru: {
    title: 'Акции',
    intro: 'Скидки и бонусные предложения, которые применяет касса: с использованием и остатком бюджета.',
    add: 'Новая акция',
    search: 'Название',
    searchHint: 'Часть названия',
    status: 'Статус',
    all: 'Все',
    draft: 'Черновик',
    active: 'Активна',
    paused: 'Приостановлена',
    archived: 'В архиве',
    caption: 'Акции, сначала новые',
    name: 'Название',
    benefit: 'Выгода',
    uses: 'Чеков',
    used: 'Выдано',
    left: 'Остаток бюджета',
    noLimit: 'без ограничения',
    empty: 'Акций пока нет',
    emptyHint: 'Создайте акцию кнопкой «Новая акция»: скидка или баллы, для кого, когда и с каким бюджетом.',
    none: 'Ни одна акция не подходит',
    noneHint: 'Попробуйте другую часть названия или статус «Все».',
    saved: 'Акция «{name}» сохранена.',
    percent_off: 'Скидка {value}%',
    amount_off: 'Скидка {value}',
    n_for_m: '{buy} по цене {pay}',
    points_multiplier: '×{value} баллов',
    bonus_points: '{value} бонусных баллов',
    free_item: 'Подарок {value}',
    buy_x_get_y: 'Купи X — получи Y',
    bundle_price: 'Цена комплекта',
    points: '{value} баллов',
    codes: 'по коду',
  },
});

const statuses = ['draft', 'active', 'paused', 'archived'] as const;

export default function Promotions() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const { query } = useLocation();
  const [q, setQ] = useState('');
  const [searched, setSearched] = useState('');
  const [status, setStatus] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSearched(q.trim()), 300);
    return () => clearTimeout(timer);
  }, [q]);
  const list = usePagedList<Promotion>('/v1/promotions', { ...(searched ? { q: searched } : {}), ...(status ? { status } : {}) }, 50);
  const saved = query.get('saved');

  const benefit = (p: Promotion) => {
    const b = p.benefit;
    switch (b.kind) {
      case 'percent_off':
        return t('percent_off', { value: format.number(b.percentBp / 100) });
      case 'amount_off':
        return t('amount_off', { value: format.money(b.amountMinor) });
      case 'n_for_m':
        return t('n_for_m', { buy: b.buy, pay: b.pay });
      case 'points_multiplier':
        return t('points_multiplier', { value: format.number(b.factor) });
      case 'bonus_points':
        return t('bonus_points', { value: format.number(b.points) });
      case 'free_item':
        return t('free_item', { value: b.sku });
      default:
        return t(b.kind);
    }
  };
  const left = (p: Promotion) => {
    const parts = [p.usage.budgetLeftMinor === null ? null : format.money(p.usage.budgetLeftMinor), p.usage.budgetLeftPoints === null ? null : t('points', { value: format.number(p.usage.budgetLeftPoints) })].filter(Boolean);
    return parts.length ? parts.join(' · ') : t('noLimit');
  };

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        can('promotions:write') ? (
          <Link to="/program/promotions/new" className="button primary">
            {t('add')}
          </Link>
        ) : null
      }
    >
      {saved ? <Notice tone="success">{t('saved', { name: saved })}</Notice> : null}
      <div className="form-row search" role="search">
        <div className="field">
          <label htmlFor="promotion-search">{t('search')}</label>
          <input id="promotion-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} aria-describedby="promotion-search-hint" />
          <span className="hint" id="promotion-search-hint">
            {t('searchHint')}
          </span>
        </div>
        <div className="field">
          <label htmlFor="promotion-status">{t('status')}</label>
          <select id="promotion-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">{t('all')}</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {t(s)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={searched || status ? { title: t('none'), hint: t('noneHint') } : { title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/program/promotions/${row.id}`}>{row.name}</Link> },
          { key: 'benefit', title: t('benefit'), render: (row) => <>{benefit(row)}{row.requiresCode ? <> <Badge tone="info">{t('codes')}</Badge></> : null}</> },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={row.status === 'active' ? 'good' : row.status === 'paused' ? 'warn' : 'neutral'}>{t(row.status)}</Badge> },
          { key: 'uses', title: t('uses'), numeric: true, render: (row) => format.number(row.usage.uses) },
          { key: 'used', title: t('used'), numeric: true, render: (row) => (row.usage.usedPoints ? `${format.money(row.usage.usedMinor)} · ${t('points', { value: format.number(row.usage.usedPoints) })}` : format.money(row.usage.usedMinor)) },
          { key: 'left', title: t('left'), numeric: true, render: left },
        ]}
      />
    </Page>
  );
}
