import { useEffect, useState } from 'react';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import type { Customer } from './customer-types.ts';

const text = defineText({
  en: {
    title: 'Customers',
    intro: 'Find a customer by phone, card, e-mail or name, and open their whole story.',
    search: 'Search',
    searchHint: 'The start of a phone (+7912…), a card, an e-mail, or a name',
    name: 'Name',
    phone: 'Phone',
    email: 'E-mail',
    card: 'Card',
    status: 'Status',
    joined: 'Joined',
    caption: 'Customers found',
    none: 'No customer matches',
    noneHint: 'Check the number or try the start of it; a customer who joined at the till has a phone and a card.',
    empty: 'No customers yet',
    emptyHint: 'Customers appear when they join at the till, on the join form, or by a CSV import (Imports).',
    unnamed: 'No name',
    export: 'Export to CSV',
  },
  ru: {
    title: 'Клиенты',
    intro: 'Найдите клиента по телефону, карте, почте или имени и откройте всю его историю.',
    search: 'Поиск',
    searchHint: 'Начало телефона (+7912…), карта, почта или имя',
    name: 'Имя',
    phone: 'Телефон',
    email: 'Эл. почта',
    card: 'Карта',
    status: 'Статус',
    joined: 'С нами с',
    caption: 'Найденные клиенты',
    none: 'Никто не найден',
    noneHint: 'Проверьте номер или введите его начало; у клиента, вступившего на кассе, есть телефон и карта.',
    empty: 'Клиентов пока нет',
    emptyHint: 'Клиенты появляются, когда вступают на кассе, через форму вступления или импорт CSV (Импорт).',
    unnamed: 'Без имени',
    export: 'Выгрузить в CSV',
  },
});

export const displayName = (customer: Pick<Customer, 'firstName' | 'lastName'>, fallback: string) =>
  [customer.firstName, customer.lastName].filter(Boolean).join(' ') || fallback;

export default function CustomerList() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const { query } = useLocation();
  const [q, setQ] = useState(query.get('q') ?? '');
  const [searched, setSearched] = useState(q);
  // Typing searches after a pause; the address keeps the search, so back returns to it.
  useEffect(() => {
    const timer = setTimeout(() => {
      setSearched(q.trim());
      window.history.replaceState(null, '', q.trim() ? `?q=${encodeURIComponent(q.trim())}` : window.location.pathname);
    }, 300);
    return () => clearTimeout(timer);
  }, [q]);
  const list = usePagedList<Customer>('/v1/customers', searched ? { q: searched } : {}, 50);

  return (
    <Page title={t('title')} intro={t('intro')} actions={can('customers:export') ? <Link to="/customers/export">{t('export')}</Link> : null}>
      <form
        className="search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setSearched(q.trim());
          if (list.items.length === 1 && list.items[0]) navigate(`/customers/${list.items[0].id}`);
        }}
      >
        <label htmlFor="customer-search">{t('search')}</label>
        <input id="customer-search" type="search" value={q} onChange={(event) => setQ(event.target.value)} aria-describedby="customer-search-hint" autoFocus />
        <span className="hint" id="customer-search-hint">
          {t('searchHint')}
        </span>
      </form>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={searched ? { title: t('none'), hint: t('noneHint') } : { title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <Link to={`/customers/${row.id}`}>{displayName(row, t('unnamed'))}</Link> },
          { key: 'phone', title: t('phone'), render: (row) => row.phone ?? '—' },
          { key: 'email', title: t('email'), render: (row) => row.email ?? '—' },
          { key: 'card', title: t('card'), render: (row) => row.cardNumber ?? '—' },
          { key: 'joined', title: t('joined'), render: (row) => format.date(row.createdAt) },
        ]}
      />
    </Page>
  );
}
