import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Card, ErrorNote, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { listOf, numberOf, textOf, type TierConfig } from './program-types.ts';
import { WhatIfReport, useWhatIf } from './what-if-cost.tsx';
import './program.css';

const text = defineText({
  en: {
    title: 'Tiers',
    intro: 'The ladder customers climb by what they spend or earn: each tier’s threshold, its earning rate or multiplier, how much of a receipt its points may pay, and its privileges.',
    how: 'How customers move',
    metric: 'Measured by',
    spend: 'Money spent',
    points_earned: 'Points earned',
    window: 'Over',
    rolling: 'The last days',
    calendar: 'A calendar period',
    windowDays: 'Days',
    period: 'Period',
    month: 'Month',
    quarter: 'Quarter',
    year: 'Year',
    downgrade: 'Going down',
    one_level: 'One level at a time',
    to_earned: 'Straight to the level earned',
    ladder: 'The tiers',
    caption: 'Tiers from the entry tier up',
    id: 'Identifier',
    name: 'Name',
    threshold: 'Threshold',
    thresholdSpend: 'Threshold (money)',
    thresholdPoints: 'Threshold (points)',
    rate: 'Earning rate, %',
    multiplier: 'Multiplier',
    share: 'Max share paid with points, %',
    privileges: 'Privileges',
    privilegesHint: 'Separated by commas',
    tierN: 'Tier {n}',
    remove: 'Remove tier {n}',
    removeShort: 'Remove',
    add: 'Add a tier',
    price: 'Show the cost (last 30 days)',
    pricing: 'Replaying…',
    save: 'Save the tiers',
    saved: 'Saved as version {version}.',
    version: 'Version {version}, saved {at}',
    conflict: 'Someone else saved the tiers after you opened them. Reload to see their change, then make yours again.',
    reload: 'Reload',
    readOnly: 'Your role may read the tiers but not change them.',
  },
  ru: {
    title: 'Уровни',
    intro: 'Лестница, по которой клиенты поднимаются по тратам или баллам: порог каждого уровня, его ставка или множитель, доля чека, оплачиваемая баллами, и привилегии.',
    how: 'Как клиенты переходят',
    metric: 'Считаем',
    spend: 'Потраченные деньги',
    points_earned: 'Начисленные баллы',
    window: 'За',
    rolling: 'Последние дни',
    calendar: 'Календарный период',
    windowDays: 'Дней',
    period: 'Период',
    month: 'Месяц',
    quarter: 'Квартал',
    year: 'Год',
    downgrade: 'Понижение',
    one_level: 'На один уровень за раз',
    to_earned: 'Сразу до заработанного уровня',
    ladder: 'Уровни',
    caption: 'Уровни от начального вверх',
    id: 'Идентификатор',
    name: 'Название',
    threshold: 'Порог',
    thresholdSpend: 'Порог (деньги)',
    thresholdPoints: 'Порог (баллы)',
    rate: 'Ставка начисления, %',
    multiplier: 'Множитель',
    share: 'Макс. доля оплаты баллами, %',
    privileges: 'Привилегии',
    privilegesHint: 'Через запятую',
    tierN: 'Уровень {n}',
    remove: 'Удалить уровень {n}',
    removeShort: 'Удалить',
    add: 'Добавить уровень',
    price: 'Показать цену (30 дней)',
    pricing: 'Пересчитываем…',
    save: 'Сохранить уровни',
    saved: 'Сохранено как версия {version}.',
    version: 'Версия {version}, сохранена {at}',
    conflict: 'Кто-то сохранил уровни после того, как вы их открыли. Обновите страницу, чтобы увидеть его изменение, и внесите своё снова.',
    reload: 'Обновить',
    readOnly: 'Ваша роль может читать уровни, но не менять их.',
  },
});

type TierRow = { id: string; name: string; threshold: string; rate: string; multiplier: string; share: string; privileges: string };
type Form = { metric: TierConfig['metric']; window: 'rolling' | 'calendar'; days: string; period: 'month' | 'quarter' | 'year'; downgrade: TierConfig['downgrade']; tiers: TierRow[] };

const opt = (n: number | undefined, scale = 1) => (n === undefined ? '' : String(n / scale));
const formOf = (c: TierConfig): Form => ({
  metric: c.metric,
  window: c.window.kind,
  days: c.window.kind === 'rolling' ? String(c.window.days) : '365',
  period: c.window.kind === 'calendar' ? c.window.period : 'year',
  downgrade: c.downgrade,
  tiers: c.tiers.map((tier) => ({ id: tier.id, name: tier.name, threshold: opt(tier.threshold, c.metric === 'spend' ? 100 : 1), rate: opt(tier.earnRateBp, 100), multiplier: opt(tier.earnMultiplier), share: opt(tier.maxRedeemShareBp, 100), privileges: textOf(tier.privileges) })),
});
const bodyOf = (f: Form) => ({
  metric: f.metric,
  window: f.window === 'rolling' ? { kind: 'rolling', days: numberOf(f.days) } : { kind: 'calendar', period: f.period },
  downgrade: f.downgrade,
  tiers: f.tiers.map((row) =>
    Object.fromEntries(
      Object.entries({
        id: row.id.trim(),
        name: row.name.trim(),
        threshold: numberOf(row.threshold, f.metric === 'spend' ? 100 : 1) ?? 0,
        earnRateBp: numberOf(row.rate, 100),
        earnMultiplier: numberOf(row.multiplier),
        maxRedeemShareBp: numberOf(row.share, 100),
        privileges: listOf(row.privileges),
      }).filter(([, v]) => v !== undefined),
    ),
  ),
});

export default function Tiers() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const config = useResource((signal) => api.get<TierConfig>('/v1/tiers', undefined, signal), []);
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const whatIf = useWhatIf();
  const mayWrite = can('program:write');

  useEffect(() => {
    if (config.data) setForm(formOf(config.data));
  }, [config.data]);

  if (config.loading && !config.data) return <Loading />;
  if (config.error) return <ErrorNote error={config.error} onRetry={config.reload} />;
  if (!form || !config.data) return <Loading />;
  const current = config.data;
  const body = bodyOf(form);
  const shownError = error ?? (whatIf.error instanceof ApiError && whatIf.error.status === 400 ? whatIf.error : null);
  const conflict = shownError instanceof ApiError && shownError.status === 409;
  const cellError = (index: number, name: string) => fieldError(shownError, `tiers.${index}.${name}`, `tiers/${index}/${name}`);
  const setRow = (index: number, change: Partial<TierRow>) => setForm({ ...form, tiers: form.tiers.map((row, i) => (i === index ? { ...row, ...change } : row)) });
  const placed = form.tiers.some((_, index) => ['id', 'name', 'threshold', 'earnRateBp', 'earnMultiplier', 'maxRedeemShareBp', 'privileges'].some((name) => cellError(index, name)));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSavedVersion(null);
    try {
      const saved = await api.put<TierConfig>('/v1/tiers', { ...body, version: current.version });
      config.setData(saved);
      setSavedVersion(saved.version);
    } catch (caught) {
      setError(caught);
    }
  };
  const cell = (index: number, key: keyof TierRow, label: string, errorName: string) => {
    const id = `tier-${index}-${key}`;
    const problem = cellError(index, errorName);
    return (
      <td>
        <label htmlFor={id} className="visually-hidden">
          {`${label} (${t('tierN', { n: index + 1 })})`}
        </label>
        <input id={id} value={form.tiers[index]![key]} onChange={(e) => setRow(index, { [key]: e.target.value })} aria-invalid={problem ? true : undefined} aria-describedby={problem ? `${id}-error` : undefined} />
        {problem ? (
          <span className="field-error" id={`${id}-error`}>
            {problem}
          </span>
        ) : null}
      </td>
    );
  };
  const choice = <K extends 'metric' | 'window' | 'period' | 'downgrade'>(key: K, label: string, options: readonly Form[K][]) => (
    <div className="field">
      <label htmlFor={`tiers-${key}`}>{label}</label>
      <select id={`tiers-${key}`} value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })}>
        {options.map((option) => (
          <option key={option} value={option}>
            {t(option)}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <Page title={t('title')} intro={t('intro')}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      <p className="muted">{t('version', { version: current.version, at: format.dateTime(current.updatedAt) })}</p>
      <form className="program-form" noValidate onSubmit={(event) => void save(event)}>
        {savedVersion !== null ? <Notice tone="success">{t('saved', { version: savedVersion })}</Notice> : null}
        {conflict ? (
          <div className="alert error" role="alert">
            <p>{t('conflict')}</p>
            <button type="button" className="link" onClick={() => window.location.reload()}>
              {t('reload')}
            </button>
          </div>
        ) : null}
        <ErrorNote error={shownError && !conflict && !placed ? shownError : null} />
        <fieldset disabled={!mayWrite}>
          <Card title={t('how')}>
            <div className="form-row">
              {choice('metric', t('metric'), ['spend', 'points_earned'] as const)}
              {choice('window', t('window'), ['rolling', 'calendar'] as const)}
              {form.window === 'rolling' ? (
                <div className="field">
                  <label htmlFor="tiers-days">{t('windowDays')}</label>
                  <input id="tiers-days" value={form.days} onChange={(e) => setForm({ ...form, days: e.target.value })} />
                </div>
              ) : (
                choice('period', t('period'), ['month', 'quarter', 'year'] as const)
              )}
              {choice('downgrade', t('downgrade'), ['one_level', 'to_earned'] as const)}
            </div>
          </Card>
          <Card title={t('ladder')}>
            <div className="table-wrap">
              <table className="tier-table">
                <caption className="visually-hidden">{t('caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('id')}</th>
                    <th scope="col">{t('name')}</th>
                    <th scope="col">{form.metric === 'spend' ? t('thresholdSpend') : t('thresholdPoints')}</th>
                    <th scope="col">{t('rate')}</th>
                    <th scope="col">{t('multiplier')}</th>
                    <th scope="col">{t('share')}</th>
                    <th scope="col">{t('privileges')}</th>
                    {mayWrite ? <th scope="col"><span className="visually-hidden">{t('removeShort')}</span></th> : null}
                  </tr>
                </thead>
                <tbody>
                  {form.tiers.map((_, index) => (
                    <tr key={index}>
                      {cell(index, 'id', t('id'), 'id')}
                      {cell(index, 'name', t('name'), 'name')}
                      {cell(index, 'threshold', t('threshold'), 'threshold')}
                      {cell(index, 'rate', t('rate'), 'earnRateBp')}
                      {cell(index, 'multiplier', t('multiplier'), 'earnMultiplier')}
                      {cell(index, 'share', t('share'), 'maxRedeemShareBp')}
                      {cell(index, 'privileges', t('privileges'), 'privileges')}
                      {mayWrite ? (
                        <td>
                          <button type="button" className="link" aria-label={t('remove', { n: index + 1 })} onClick={() => setForm({ ...form, tiers: form.tiers.filter((__, i) => i !== index) })}>
                            {t('removeShort')}
                          </button>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {mayWrite ? (
              <button type="button" className="secondary" onClick={() => setForm({ ...form, tiers: [...form.tiers, { id: '', name: '', threshold: '', rate: '', multiplier: '', share: '', privileges: '' }] })}>
                {t('add')}
              </button>
            ) : null}
          </Card>
        </fieldset>
        {mayWrite ? (
          <div className="actions program-actions">
            {can('analytics:write') ? (
              <button type="button" className="secondary" disabled={whatIf.running} onClick={() => void whatIf.start({ tiers: body }, JSON.stringify(body))}>
                {whatIf.running ? t('pricing') : t('price')}
              </button>
            ) : null}
            <button type="submit" className="primary">
              {t('save')}
            </button>
          </div>
        ) : null}
      </form>
      <WhatIfReport run={whatIf.run} error={whatIf.error instanceof ApiError && whatIf.error.status === 400 ? null : whatIf.error} />
    </Page>
  );
}
