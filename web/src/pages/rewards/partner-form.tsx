import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Card, ErrorNote, Field, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { listOf, numberOf, textOf } from '../program/program-types.ts';
import { PartnerKey } from './partner-key.tsx';
import { PartnerSettlement } from './partner-settlement.tsx';
import type { Partner } from './rewards-types.ts';
import './rewards.css';

const text = defineText({
  en: {
    newTitle: 'New partner',
    editTitle: 'Partner “{name}”',
    intro: 'Its stores, the points they earn, and what each side pays the other for points issued and redeemed there.',
    back: '← Partners',
    readOnly: 'Your role may read the partner but not change it.',
    created: 'The partner is created. Issue an API key for its tills below.',
    details: 'Partner',
    name: 'Name',
    nameHint: 'The company, e.g. “Neft stations”',
    status: 'Status',
    statusHint: 'Suspended: its keys are refused at checkout; its stores keep its earning rate',
    active: 'Active',
    suspended: 'Suspended',
    stores: 'Stores',
    storesHint: 'Store ids of the store catalog, comma-separated; a store belongs to at most one partner',
    earnRate: 'Earning rate, % of the amount paid',
    earnRateHint: 'Points earned at its stores, as a share of the amount paid in point value (3: 3%). It replaces the program’s base rate there',
    issued: 'Partner pays per 100 points issued',
    issuedHint: 'In money, e.g. 90 (0.90 a point): what the partner owes for points its stores give out',
    redeemed: 'Operator pays per 100 points redeemed',
    redeemedHint: 'In money, e.g. 85: what the operator owes the partner for points customers spend at its stores',
    save: 'Save the partner',
    create: 'Create the partner',
    saving: 'Saving…',
    conflict: 'Someone changed this partner since you opened it. Reload to see their change, then make yours again.',
    reload: 'Reload',
    amountFormat: 'Type an amount of money with at most two decimals, e.g. 90 or 85.50',
    percentFormat: 'Type a percent with at most two decimals, e.g. 3 or 2.5',
  },
  ru: {
    newTitle: 'Новый партнёр',
    editTitle: 'Партнёр «{name}»',
    intro: 'Его магазины, сколько баллов в них начисляется и что стороны платят друг другу за начисленные и списанные там баллы.',
    back: '← Партнёры',
    readOnly: 'Ваша роль может смотреть партнёра, но не менять его.',
    created: 'Партнёр создан. Ниже выпустите API-ключ для его касс.',
    details: 'Партнёр',
    name: 'Название',
    nameHint: 'Компания, например «АЗС Нефть»',
    status: 'Статус',
    statusHint: 'Приостановлен: его ключи не принимаются на кассе; в его магазинах остаётся его ставка начисления',
    active: 'Действует',
    suspended: 'Приостановлен',
    stores: 'Магазины',
    storesHint: 'Идентификаторы магазинов из справочника через запятую; магазин может принадлежать только одному партнёру',
    earnRate: 'Ставка начисления, % от оплаты',
    earnRateHint: 'Баллы за покупки в его магазинах как доля оплаченной суммы в стоимости балла (3 — 3%). Заменяет там базовую ставку программы',
    issued: 'Партнёр платит за 100 начисленных баллов',
    issuedHint: 'В деньгах, например 90 (0,90 за балл): сколько партнёр должен за баллы, начисленные в его магазинах',
    redeemed: 'Оператор платит за 100 списанных баллов',
    redeemedHint: 'В деньгах, например 85: сколько оператор должен партнёру за баллы, потраченные клиентами в его магазинах',
    save: 'Сохранить партнёра',
    create: 'Создать партнёра',
    saving: 'Сохраняем…',
    conflict: 'Кто-то изменил этого партнёра, пока он был открыт у вас. Обновите страницу, чтобы увидеть изменение, и внесите своё снова.',
    reload: 'Обновить',
    amountFormat: 'Введите сумму не более чем с двумя знаками после запятой, например 90 или 85,50',
    percentFormat: 'Введите процент не более чем с двумя знаками после запятой, например 3 или 2,5',
  },
});

type Form = { name: string; status: Partner['status']; stores: string; earnRate: string; issued: string; redeemed: string };
const blank: Form = { name: '', status: 'active', stores: '', earnRate: '', issued: '', redeemed: '' };
const formOf = (p: Partner): Form => ({
  name: p.name,
  status: p.status,
  stores: textOf(p.storeIds),
  earnRate: String(p.earnRateBp / 100),
  issued: String(p.issuedPer100PointsMinor / 100),
  redeemed: String(p.redeemedPer100PointsMinor / 100),
});
// Percent to basis points and money to minor units; what is not a number goes as typed, so the server says why in words.
const bodyOf = (form: Form) => ({
  name: form.name.trim(),
  status: form.status,
  storeIds: listOf(form.stores),
  earnRateBp: numberOf(form.earnRate, 100) ?? '',
  issuedPer100PointsMinor: numberOf(form.issued, 100) ?? '',
  redeemedPer100PointsMinor: numberOf(form.redeemed, 100) ?? '',
});
// The form takes money and percents, the API minor units and basis points: a value that does not
// convert to a whole number is named here, in the form's own units, rather than in the API's.
const decimal = /^\d+([.,]\d{1,2})?$/;
const localProblems = (form: Form) => ({
  earnRateBp: decimal.test(form.earnRate.trim()) ? null : 'percentFormat',
  issuedPer100PointsMinor: decimal.test(form.issued.trim()) ? null : 'amountFormat',
  redeemedPer100PointsMinor: decimal.test(form.redeemed.trim()) ? null : 'amountFormat',
}) as Record<string, 'percentFormat' | 'amountFormat' | null>;
const placed = ['name', 'status', 'storeIds', 'earnRateBp', 'issuedPer100PointsMinor', 'redeemedPer100PointsMinor'];

/** A partner's page: its details to create or change, its settlement for a period, and a key for its tills. */
export default function PartnerForm({ params }: PageProps) {
  const t = useText(text);
  const can = useCan();
  const { query } = useLocation();
  const creating = !params.id;
  const mayWrite = can('partners:write');
  const loaded = useResource((signal) => (creating ? Promise.resolve(null) : api.get<Partner>(`/v1/partners/${encodeURIComponent(params.id!)}`, undefined, signal)), [params.id]);
  const [form, setForm] = useState<Form | null>(creating ? blank : null);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, 'percentFormat' | 'amountFormat' | null>>({});
  const [busy, setBusy] = useState(false);
  const current = loaded.data;

  useEffect(() => {
    if (current) setForm(formOf(current));
  }, [current]);

  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!form || (!creating && !current)) return <Loading />;

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const problem = (name: string) => {
    const mine = local[name];
    return mine ? t(mine) : fieldError(error, name);
  };
  const conflict = error instanceof ApiError && error.code === 'partner.version_conflict';
  // A store of another partner or not in the catalog: the server's words go under the stores field.
  const storeProblem = problem('storeIds') ?? (error instanceof ApiError && (error.code === 'partner.store_taken' || error.code === 'partner.unknown_store') ? error.detail : null);
  const unplaced = error && !conflict && !storeProblem && !placed.some((name) => problem(name)) ? error : null;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const found = localProblems(form);
    setLocal(found);
    if (Object.values(found).some(Boolean)) return;
    setBusy(true);
    try {
      if (current) {
        const saved = await api.patch<Partner>(`/v1/partners/${current.id}`, { ...bodyOf(form), version: current.version });
        navigate(`/program/partners?saved=${encodeURIComponent(saved.name)}`);
      } else {
        const saved = await api.post<Partner>('/v1/partners', bodyOf(form));
        navigate(`/program/partners/${saved.id}?created=1`, { replace: true });
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const input = (key: 'name' | 'stores' | 'earnRate' | 'issued' | 'redeemed', label: string, hint: string, apiName: string, numeric = false) => (
    <Field label={label} hint={hint} error={apiName === 'storeIds' ? storeProblem : problem(apiName)}>
      {(props) => <input {...props} {...(numeric ? { inputMode: 'decimal' as const } : {})} autoComplete="off" value={form[key]} onChange={(e) => set(key, e.target.value)} />}
    </Field>
  );

  return (
    <Page title={creating ? t('newTitle') : t('editTitle', { name: current?.name ?? '' })} intro={t('intro')} actions={<Link to="/program/partners">{t('back')}</Link>}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      {query.get('created') && current ? <Notice tone="success">{t('created')}</Notice> : null}
      <Card title={t('details')}>
        <form className="form rewards-form" noValidate onSubmit={(event) => void save(event)}>
          {conflict ? (
            <div className="alert error" role="alert">
              <p>{t('conflict')}</p>
              <button type="button" className="link" onClick={() => window.location.reload()}>
                {t('reload')}
              </button>
            </div>
          ) : null}
          {unplaced ? <ErrorNote error={unplaced} /> : null}
          <fieldset disabled={!mayWrite}>
            {input('name', t('name'), t('nameHint'), 'name')}
            <Field label={t('status')} hint={t('statusHint')} error={problem('status')}>
              {(props) => (
                <select {...props} value={form.status} onChange={(e) => set('status', e.target.value as Partner['status'])}>
                  <option value="active">{t('active')}</option>
                  <option value="suspended">{t('suspended')}</option>
                </select>
              )}
            </Field>
            {input('stores', t('stores'), t('storesHint'), 'storeIds')}
            {input('earnRate', t('earnRate'), t('earnRateHint'), 'earnRateBp', true)}
            <div className="form-row">
              {input('issued', t('issued'), t('issuedHint'), 'issuedPer100PointsMinor', true)}
              {input('redeemed', t('redeemed'), t('redeemedHint'), 'redeemedPer100PointsMinor', true)}
            </div>
          </fieldset>
          {mayWrite ? (
            <div className="rewards-actions">
              <button type="submit" className="primary" disabled={busy}>
                {busy ? t('saving') : creating ? t('create') : t('save')}
              </button>
            </div>
          ) : null}
        </form>
      </Card>
      {current && can('partners:settlement') ? <PartnerSettlement partner={current} /> : null}
      {current && can('keys:manage') ? <PartnerKey partner={current} /> : null}
    </Page>
  );
}
