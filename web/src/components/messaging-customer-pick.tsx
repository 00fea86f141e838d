import { useEffect, useState } from 'react';
import { api, type Page } from '../api.ts';
import { defineText, useText } from '../i18n.tsx';
import { Field } from './ui.tsx';

const text = defineText({
  en: {
    label: 'Customer',
    hint: 'Type a phone, a card, an e-mail or a name, then pick the customer',
    chosen: 'Chosen: {name}',
    results: 'Customers found',
    none: 'No customer matches',
    unnamed: 'No name',
  },
  ru: {
    label: 'Клиент',
    hint: 'Введите телефон, карту, почту или имя и выберите клиента',
    chosen: 'Выбран: {name}',
    results: 'Найденные клиенты',
    none: 'Никто не найден',
    unnamed: 'Без имени',
  },
});

export type PickedCustomer = { id: string; firstName: string | null; lastName: string | null; phone: string | null; email: string | null };

export const customerName = (c: PickedCustomer, fallback: string) => [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.phone || fallback;

/**
 * A customer for a preview or a test send: a search on GET /v1/customers (a few at a time, as
 * the customers page searches), then a click on one of them.
 */
export function CustomerPick({ value, onChange, label }: { value: PickedCustomer | null; onChange: (customer: PickedCustomer) => void; label?: string }) {
  const t = useText(text);
  const [q, setQ] = useState('');
  const [found, setFound] = useState<PickedCustomer[] | null>(null);
  useEffect(() => {
    const query = q.trim();
    if (!query) {
      setFound(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.get<Page<PickedCustomer>>('/v1/customers', { q: query, limit: 5 }, controller.signal).then(
        (page) => setFound(page.items),
        () => setFound([]),
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);
  return (
    <div className="customer-pick">
      <Field label={label ?? t('label')} hint={t('hint')}>
        {(props) => <input {...props} type="search" value={q} onChange={(event) => setQ(event.target.value)} autoComplete="off" />}
      </Field>
      {found && found.length === 0 ? <p className="muted">{t('none')}</p> : null}
      {found && found.length > 0 ? (
        <ul className="pick-list" aria-label={t('results')}>
          {found.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="link"
                aria-pressed={value?.id === c.id}
                onClick={() => {
                  onChange(c);
                  setQ('');
                }}
              >
                {customerName(c, t('unnamed'))}
                {c.phone ? ` · ${c.phone}` : ''}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {value ? (
        <p className="picked" role="status">
          {t('chosen', { name: customerName(value, t('unnamed')) })}
        </p>
      ) : null}
    </div>
  );
}
