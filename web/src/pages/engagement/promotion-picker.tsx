import { useEffect, useId, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNote, Loading } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import type { PromotionOption } from './engagement-types.ts';

const text = defineText({
  en: {
    chosen: 'Promotion',
    nothing: 'No promotion chosen yet: find one below.',
    find: 'Find a promotion by name',
    findHint: 'Active promotions; the customer gets a personal single-use code of the one you choose.',
    choose: 'Choose',
    chooseLabel: 'Choose “{name}”',
    none: 'No active promotion has this name. Create one with “Requires a code” on the Promotions page.',
    promotions: 'Promotions',
    code: 'with a code',
    noCode: 'applies without a code',
    missing: 'The promotion {id} is not found',
  },
  ru: {
    chosen: 'Акция',
    nothing: 'Акция пока не выбрана: найдите её ниже.',
    find: 'Найти акцию по названию',
    findHint: 'Действующие акции; клиент получит личный одноразовый код выбранной.',
    choose: 'Выбрать',
    chooseLabel: 'Выбрать «{name}»',
    none: 'Действующей акции с таким названием нет. Создайте её с отметкой «Нужен код» на странице «Акции».',
    promotions: 'Акции',
    code: 'по коду',
    noCode: 'действует без кода',
    missing: 'Акция {id} не найдена',
  },
});

/**
 * Picks the promotion whose personal codes the birthday offer gives: the chosen one by name, and
 * a search among active promotions (one page from the server, by part of the name).
 */
export function PromotionPicker({ value, onChange, disabled, error }: { value: string; onChange: (id: string) => void; disabled: boolean; error: string | null }) {
  const t = useText(text);
  const id = useId();
  const [q, setQ] = useState('');
  const [searched, setSearched] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSearched(q.trim()), 300);
    return () => clearTimeout(timer);
  }, [q]);
  const chosen = useResource((signal) => (value ? api.get<PromotionOption>(`/v1/promotions/${encodeURIComponent(value)}`, undefined, signal).catch(() => null) : Promise.resolve(null)), [value]);
  const found = useResource(
    (signal) => api.get<{ items: PromotionOption[] }>('/v1/promotions', { status: 'active', limit: 10, ...(searched ? { q: searched } : {}) }, signal),
    [searched],
  );

  return (
    <div className="field">
      <p>
        <span className="engage-subhead">{t('chosen')}:</span>{' '}
        {value ? (chosen.data ? <strong>{chosen.data.name}</strong> : chosen.loading ? '…' : t('missing', { id: value })) : t('nothing')}
        {value ? <span className="muted"> · {value}</span> : null}
      </p>
      {error ? <span className="field-error">{error}</span> : null}
      {disabled ? null : (
        <>
          <label htmlFor={`${id}-q`}>{t('find')}</label>
          <input id={`${id}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} aria-describedby={`${id}-hint`} />
          <span className="hint" id={`${id}-hint`}>
            {t('findHint')}
          </span>
          {found.loading && !found.data ? <Loading /> : null}
          <ErrorNote error={found.error} onRetry={found.reload} />
          {found.data && found.data.items.length === 0 ? (
            <p className="muted">
              {t('none')} <Link to="/program/promotions">{t('promotions')}</Link>
            </p>
          ) : null}
          {found.data && found.data.items.length > 0 ? (
            <ul className="engage-found">
              {found.data.items.map((promotion) => (
                <li key={promotion.id}>
                  <button type="button" className="secondary" aria-label={t('chooseLabel', { name: promotion.name })} disabled={promotion.id === value} onClick={() => onChange(promotion.id)}>
                    {t('choose')}
                  </button>{' '}
                  {promotion.name} <span className="muted">({promotion.requiresCode ? t('code') : t('noCode')})</span>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
    </div>
  );
}
