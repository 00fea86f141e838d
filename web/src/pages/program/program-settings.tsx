import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Card, ErrorNote, Field, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { listOf, numberOf, textOf, type Versioned } from './program-types.ts';
import './program.css';

const text = defineText({
  en: {
    title: 'Program settings',
    intro: 'The rules every receipt follows: the currency, what a point is worth, how much of a receipt points may pay, when points become available and when they expire.',
    points: 'Points',
    currency: 'Currency',
    currencyHint: 'Three letters, ISO 4217 (RUB)',
    pointValue: 'What one point pays',
    pointValueHint: 'In the currency: 1 means a point pays 1.00',
    maxShare: 'Largest share of a receipt paid with points, %',
    minRedeem: 'Fewest points to pay with',
    rounding: 'Rounding of points',
    floor: 'Down (149.9 → 149)',
    half_up: 'To the nearest (149.5 → 150)',
    earnOnRedeemed: 'Earn points on the part paid with points',
    excluded: 'Categories that never earn nor take points',
    excludedHint: 'Separated by commas (tobacco, alcohol)',
    timing: 'When points come and go',
    pending: 'Days before earned points can be spent',
    pendingHint: '0: at once; 14 lets returns happen first',
    expiry: 'Points expire',
    never: 'Never',
    days: 'After a number of days',
    end_of_period: 'At the end of a period',
    expiryDays: 'Days after they were earned',
    period: 'Period',
    month: 'Month',
    quarter: 'Quarter',
    year: 'Year',
    periodsAfter: 'Whole periods after the one they were earned in',
    noticeDays: 'Tell the customer this many days before points expire',
    cashierDays: 'Warn the cashier this many days before',
    returns: 'Returns',
    shortfall: 'When a return takes back points already spent',
    negative_balance: 'The balance goes below zero',
    forgive: 'Forgive the difference',
    returnedExtra: 'Extra days for points given back by a return',
    save: 'Save the settings',
    saved: 'Saved as version {version}.',
    version: 'Version {version}, saved {at}',
    conflict: 'Someone else saved the settings after you opened them (now version {version}). Reload to see their change, then make yours again.',
    reload: 'Reload',
    readOnly: 'Your role may read the settings but not change them.',
  },
  ru: {
    title: 'Настройки программы',
    intro: 'Правила для каждого чека: валюта, сколько стоит балл, какую часть чека можно оплатить баллами, когда баллы становятся доступны и когда сгорают.',
    points: 'Баллы',
    currency: 'Валюта',
    currencyHint: 'Три буквы, ISO 4217 (RUB)',
    pointValue: 'Сколько платит один балл',
    pointValueHint: 'В валюте: 1 — балл платит 1,00',
    maxShare: 'Наибольшая доля чека, оплачиваемая баллами, %',
    minRedeem: 'Наименьшее число баллов для оплаты',
    rounding: 'Округление баллов',
    floor: 'Вниз (149,9 → 149)',
    half_up: 'До ближайшего (149,5 → 150)',
    earnOnRedeemed: 'Начислять баллы на часть, оплаченную баллами',
    excluded: 'Категории без начисления и списания',
    excludedHint: 'Через запятую (табак, алкоголь)',
    timing: 'Когда баллы приходят и уходят',
    pending: 'Дней до того, как баллы можно тратить',
    pendingHint: '0 — сразу; 14 дают время на возвраты',
    expiry: 'Баллы сгорают',
    never: 'Никогда',
    days: 'Через число дней',
    end_of_period: 'В конце периода',
    expiryDays: 'Дней после начисления',
    period: 'Период',
    month: 'Месяц',
    quarter: 'Квартал',
    year: 'Год',
    periodsAfter: 'Целых периодов после периода начисления',
    noticeDays: 'Предупреждать клиента за столько дней до сгорания',
    cashierDays: 'Предупреждать кассира за столько дней',
    returns: 'Возвраты',
    shortfall: 'Когда возврат забирает уже потраченные баллы',
    negative_balance: 'Баланс уходит в минус',
    forgive: 'Простить разницу',
    returnedExtra: 'Дополнительные дни для баллов, возвращённых возвратом',
    save: 'Сохранить настройки',
    saved: 'Сохранено как версия {version}.',
    version: 'Версия {version}, сохранена {at}',
    conflict: 'Кто-то сохранил настройки после того, как вы их открыли (теперь версия {version}). Обновите страницу, чтобы увидеть его изменение, и внесите своё снова.',
    reload: 'Обновить',
    readOnly: 'Ваша роль может читать настройки, но не менять их.',
  },
});

type Settings = Versioned & {
  currency: string;
  pointValueMinor: number;
  maxRedeemShareBp: number;
  minRedeemPoints: number;
  pendingDays: number;
  expiry: { kind: 'never' } | { kind: 'days'; days: number } | { kind: 'end_of_period'; period: 'month' | 'quarter' | 'year'; periodsAfter: number };
  earnOnRedeemedPart: boolean;
  excludedCategories: string[];
  pointsRounding: 'floor' | 'half_up';
  refundShortfall: 'negative_balance' | 'forgive';
  returnedPointsExtraDays: number;
  expiringNoticeDays: number;
  cashierExpiryWarningDays: number;
};
type Form = Record<'currency' | 'pointValue' | 'maxShare' | 'minRedeem' | 'pending' | 'expiryDays' | 'periodsAfter' | 'excluded' | 'returnedExtra' | 'noticeDays' | 'cashierDays', string> & {
  expiry: Settings['expiry']['kind'];
  period: 'month' | 'quarter' | 'year';
  earnOnRedeemed: boolean;
  rounding: Settings['pointsRounding'];
  shortfall: Settings['refundShortfall'];
};

const formOf = (s: Settings): Form => ({
  currency: s.currency,
  pointValue: String(s.pointValueMinor / 100),
  maxShare: String(s.maxRedeemShareBp / 100),
  minRedeem: String(s.minRedeemPoints),
  pending: String(s.pendingDays),
  expiry: s.expiry.kind,
  expiryDays: s.expiry.kind === 'days' ? String(s.expiry.days) : '365',
  period: s.expiry.kind === 'end_of_period' ? s.expiry.period : 'year',
  periodsAfter: s.expiry.kind === 'end_of_period' ? String(s.expiry.periodsAfter) : '1',
  earnOnRedeemed: s.earnOnRedeemedPart,
  excluded: textOf(s.excludedCategories),
  rounding: s.pointsRounding,
  shortfall: s.refundShortfall,
  returnedExtra: String(s.returnedPointsExtraDays),
  noticeDays: String(s.expiringNoticeDays),
  cashierDays: String(s.cashierExpiryWarningDays),
});

const bodyOf = (f: Form, version: number) => ({
  currency: f.currency.trim().toUpperCase(),
  pointValueMinor: numberOf(f.pointValue, 100),
  maxRedeemShareBp: numberOf(f.maxShare, 100),
  minRedeemPoints: numberOf(f.minRedeem),
  pendingDays: numberOf(f.pending),
  expiry: f.expiry === 'never' ? { kind: 'never' } : f.expiry === 'days' ? { kind: 'days', days: numberOf(f.expiryDays) } : { kind: 'end_of_period', period: f.period, periodsAfter: numberOf(f.periodsAfter) },
  earnOnRedeemedPart: f.earnOnRedeemed,
  excludedCategories: listOf(f.excluded),
  pointsRounding: f.rounding,
  refundShortfall: f.shortfall,
  returnedPointsExtraDays: numberOf(f.returnedExtra),
  expiringNoticeDays: numberOf(f.noticeDays),
  cashierExpiryWarningDays: numberOf(f.cashierDays),
  version,
});

export default function ProgramSettings() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const settings = useResource((signal) => api.get<Settings>('/v1/program', undefined, signal), []);
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const [latest, setLatest] = useState<number | null>(null);
  const mayWrite = can('program:write');

  useEffect(() => {
    if (settings.data) setForm(formOf(settings.data));
  }, [settings.data]);

  if (settings.loading && !settings.data) return <Loading />;
  if (settings.error) return <ErrorNote error={settings.error} onRetry={settings.reload} />;
  if (!form || !settings.data) return <Loading />;
  const current = settings.data;
  const conflict = error instanceof ApiError && error.status === 409;
  const problem = (...names: string[]) => fieldError(error, ...names);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const input = (key: keyof Form, label: string, errorNames: string[], hint?: string) => (
    <Field label={label} hint={hint} error={problem(...errorNames)}>
      {(props) => <input {...props} value={form[key] as string} onChange={(e) => set(key, e.target.value as never)} />}
    </Field>
  );
  const select = <K extends 'expiry' | 'period' | 'rounding' | 'shortfall'>(key: K, label: string, options: readonly Form[K][], errorNames: string[]) => (
    <Field label={label} error={problem(...errorNames)}>
      {(props) => (
        <select {...props} value={form[key]} onChange={(e) => set(key, e.target.value as Form[K])}>
          {options.map((option) => (
            <option key={option} value={option}>
              {t(option)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSavedVersion(null);
    try {
      const saved = await api.put<Settings>('/v1/program', bodyOf(form, current.version));
      settings.setData(saved);
      setSavedVersion(saved.version);
    } catch (caught) {
      setError(caught);
      if (caught instanceof ApiError && caught.status === 409) {
        api.get<Settings>('/v1/program').then((now) => setLatest(now.version), () => setLatest(null));
      }
    }
  };
  const shown = ['currency', 'pointValueMinor', 'maxRedeemShareBp', 'minRedeemPoints', 'pendingDays', 'days', 'periodsAfter', 'excludedCategories', 'returnedPointsExtraDays', 'expiringNoticeDays', 'cashierExpiryWarningDays'];
  const unplaced = error && !conflict && !shown.some((name) => problem(name)) ? error : null;

  return (
    <Page title={t('title')} intro={t('intro')}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      <p className="muted">{t('version', { version: current.version, at: format.dateTime(current.updatedAt) })}</p>
      <form className="form program-form" noValidate onSubmit={(event) => void save(event)}>
        {savedVersion !== null ? <Notice tone="success">{t('saved', { version: savedVersion })}</Notice> : null}
        {conflict ? (
          <div className="alert error" role="alert">
            <p>{t('conflict', { version: latest ?? '?' })}</p>
            <button type="button" className="link" onClick={() => window.location.reload()}>
              {t('reload')}
            </button>
          </div>
        ) : null}
        <ErrorNote error={unplaced} />
        <fieldset disabled={!mayWrite}>
          <Card title={t('points')}>
            <div className="form-row">
              {input('currency', t('currency'), ['currency'], t('currencyHint'))}
              {input('pointValue', t('pointValue'), ['pointValueMinor'], t('pointValueHint'))}
            </div>
            <div className="form-row">
              {input('maxShare', t('maxShare'), ['maxRedeemShareBp'])}
              {input('minRedeem', t('minRedeem'), ['minRedeemPoints'])}
            </div>
            {select('rounding', t('rounding'), ['floor', 'half_up'] as const, ['pointsRounding'])}
            {input('excluded', t('excluded'), ['excludedCategories'], t('excludedHint'))}
            <label className="check">
              <input type="checkbox" checked={form.earnOnRedeemed} onChange={(e) => set('earnOnRedeemed', e.target.checked)} /> {t('earnOnRedeemed')}
            </label>
          </Card>
          <Card title={t('timing')}>
            {input('pending', t('pending'), ['pendingDays'], t('pendingHint'))}
            <div className="form-row">
              {select('expiry', t('expiry'), ['never', 'days', 'end_of_period'] as const, ['expiry'])}
              {form.expiry === 'days' ? input('expiryDays', t('expiryDays'), ['days']) : null}
              {form.expiry === 'end_of_period' ? (
                <>
                  {select('period', t('period'), ['month', 'quarter', 'year'] as const, ['period'])}
                  {input('periodsAfter', t('periodsAfter'), ['periodsAfter'])}
                </>
              ) : null}
            </div>
            <div className="form-row">
              {input('noticeDays', t('noticeDays'), ['expiringNoticeDays'])}
              {input('cashierDays', t('cashierDays'), ['cashierExpiryWarningDays'])}
            </div>
          </Card>
          <Card title={t('returns')}>
            {select('shortfall', t('shortfall'), ['negative_balance', 'forgive'] as const, ['refundShortfall'])}
            {input('returnedExtra', t('returnedExtra'), ['returnedPointsExtraDays'])}
          </Card>
        </fieldset>
        {mayWrite ? (
          <div className="actions program-actions">
            <button type="submit" className="primary">
              {t('save')}
            </button>
          </div>
        ) : null}
      </form>
    </Page>
  );
}
