import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Card, ErrorNote, Field, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { PromoCodeBatches } from './promo-code-batches.tsx';
import { blankDeal, dealBenefit, dealOf, DealFields, type Deal } from './promotion-deals.tsx';
import { listOf, localDateTime, numberOf, textOf, type Benefit, type Promotion } from './program-types.ts';
import { WhatIfReport, useWhatIf } from './what-if-cost.tsx';
import './program.css';

const text = defineText({
  en: {
    newTitle: 'New promotion',
    editTitle: 'Promotion “{name}”',
    intro: 'What the promotion gives, to whom, when and how much in all. Before saving, replay the last 30 days of receipts with it to see what it would have cost.',
    back: 'All promotions',
    what: 'What it gives',
    name: 'Name',
    description: 'Description',
    status: 'Status',
    draft: 'Draft (does not apply)',
    active: 'Active',
    paused: 'Paused',
    archived: 'Archived',
    kind: 'Benefit',
    percent_off: 'Percent off',
    amount_off: 'Amount off',
    n_for_m: 'N for the price of M',
    points_multiplier: 'Points multiplier',
    bonus_points: 'Bonus points',
    free_item: 'Free item',
    buy_x_get_y: 'Buy X, get Y',
    bundle_price: 'Bundle at one price',
    percent: 'Percent off',
    maxDiscount: 'At most off in all',
    amount: 'Amount off',
    buy: 'Buy (units)',
    pay: 'Pay for (units)',
    factor: 'Factor',
    points: 'Points',
    sku: 'SKU of the gift',
    qty: 'Quantity',
    money: 'In the program’s currency',
    other: 'This benefit ({kind}) is kept as it is; change it through the API.',
    target: 'Lines it applies to',
    targetHint: 'Nothing named: every line. Separated by commas.',
    skus: 'SKUs',
    categories: 'Categories',
    brands: 'Brands',
    minSpend: 'Minimum spend',
    who: 'For whom',
    audience: 'Audience',
    everyone: 'Everyone',
    new_customers: 'New customers (no earlier receipt)',
    tiers: 'Customers of tiers',
    segments: 'Members of segments',
    customers: 'Chosen customers',
    audienceIds: 'Tiers or segments',
    audienceHint: 'Their identifiers, separated by commas',
    customersHint: 'Customer ids (cus_…), separated by commas: up to 10,000',
    when: 'When and where',
    from: 'From',
    to: 'To',
    weekdays: 'Days of the week',
    timeFrom: 'From (time)',
    timeTo: 'To (time)',
    stores: 'Stores',
    storesHint: 'Store identifiers, separated by commas; none: every store',
    channels: 'Channels',
    offline: 'In store',
    online: 'Online',
    limits: 'Limits and stacking',
    budgetMinor: 'Money budget',
    budgetPoints: 'Points budget',
    uses: 'Receipts in all',
    perCustomer: 'Per customer',
    perCustomerPerDay: 'Per customer a day',
    exclusive: 'Applies alone (no other promotion with it)',
    group: 'Group',
    groupHint: 'At most one promotion of a group applies',
    priority: 'Priority',
    requiresCode: 'Only with a promo code',
    releaseOnReturn: 'A cancel or a whole return gives the use back',
    price: 'Show the cost (last 30 days)',
    pricing: 'Replaying…',
    save: 'Save the promotion',
    saveFirst: 'Show the cost first: the promotion is saved once you have seen what it would have cost.',
    repriced: 'The form changed since the replay: show the cost again before saving.',
    conflict: 'Someone else saved this promotion after you opened it. Reload the page to see their version, then make your change again.',
    reload: 'Reload',
    created: 'The promotion is created. Generate its promo codes below.',
    readOnly: 'Your role may read promotions but not change them.',
    days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].join(','),
  },
  ru: {
    newTitle: 'Новая акция',
    editTitle: 'Акция «{name}»',
    intro: 'Что даёт акция, кому, когда и сколько всего. Перед сохранением пересчитайте с ней чеки за последние 30 дней, чтобы увидеть её цену.',
    back: 'Все акции',
    what: 'Что даёт',
    name: 'Название',
    description: 'Описание',
    status: 'Статус',
    draft: 'Черновик (не действует)',
    active: 'Активна',
    paused: 'Приостановлена',
    archived: 'В архиве',
    kind: 'Выгода',
    percent_off: 'Скидка в процентах',
    amount_off: 'Скидка суммой',
    n_for_m: 'N по цене M',
    points_multiplier: 'Множитель баллов',
    bonus_points: 'Бонусные баллы',
    free_item: 'Подарок',
    buy_x_get_y: 'Купи X — получи Y',
    bundle_price: 'Комплект по одной цене',
    percent: 'Скидка, %',
    maxDiscount: 'Не больше в сумме',
    amount: 'Сумма скидки',
    buy: 'Купить (штук)',
    pay: 'Оплатить (штук)',
    factor: 'Множитель',
    points: 'Баллы',
    sku: 'Артикул подарка',
    qty: 'Количество',
    money: 'В валюте программы',
    other: 'Эта выгода ({kind}) остаётся как есть; изменить её можно через API.',
    target: 'К каким строкам',
    targetHint: 'Ничего не указано — ко всем. Через запятую.',
    skus: 'Артикулы',
    categories: 'Категории',
    brands: 'Бренды',
    minSpend: 'Минимальная сумма',
    who: 'Для кого',
    audience: 'Аудитория',
    everyone: 'Все',
    new_customers: 'Новые клиенты (без прежних чеков)',
    tiers: 'Клиенты уровней',
    segments: 'Участники сегментов',
    customers: 'Выбранные клиенты',
    audienceIds: 'Уровни или сегменты',
    audienceHint: 'Их идентификаторы через запятую',
    customersHint: 'Идентификаторы клиентов (cus_…) через запятую: до 10 000',
    when: 'Когда и где',
    from: 'С',
    to: 'По',
    weekdays: 'Дни недели',
    timeFrom: 'С (время)',
    timeTo: 'До (время)',
    stores: 'Магазины',
    storesHint: 'Идентификаторы магазинов через запятую; пусто — все магазины',
    channels: 'Каналы',
    offline: 'В магазине',
    online: 'Онлайн',
    limits: 'Ограничения и сочетание',
    budgetMinor: 'Бюджет в деньгах',
    budgetPoints: 'Бюджет в баллах',
    uses: 'Всего чеков',
    perCustomer: 'На клиента',
    perCustomerPerDay: 'На клиента в день',
    exclusive: 'Только она (без других акций)',
    group: 'Группа',
    groupHint: 'Из группы применяется не больше одной акции',
    priority: 'Приоритет',
    requiresCode: 'Только по промокоду',
    releaseOnReturn: 'Отмена или полный возврат возвращают использование',
    price: 'Показать цену (30 дней)',
    pricing: 'Пересчитываем…',
    save: 'Сохранить акцию',
    saveFirst: 'Сначала покажите цену: акция сохраняется, когда вы увидели, во что она обошлась бы.',
    repriced: 'Форма изменилась после пересчёта: покажите цену снова перед сохранением.',
    conflict: 'Кто-то сохранил эту акцию после того, как вы её открыли. Обновите страницу, чтобы увидеть его версию, и внесите изменение снова.',
    reload: 'Обновить',
    created: 'Акция создана. Ниже можно создать её промокоды.',
    readOnly: 'Ваша роль может читать акции, но не менять их.',
    days: ['Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс'].join(','),
  },
});

const editable = ['percent_off', 'amount_off', 'n_for_m', 'points_multiplier', 'bonus_points', 'free_item', 'buy_x_get_y', 'bundle_price'] as const;
type Kind = (typeof editable)[number];

type Form = {
  name: string;
  description: string;
  status: Promotion['status'];
  kind: Kind | 'other';
  value: string;
  extra: string;
  sku: string;
  skus: string;
  categories: string;
  brands: string;
  minSpend: string;
  audience: Promotion['audience']['kind'];
  audienceIds: string;
  from: string;
  to: string;
  weekdays: number[];
  timeFrom: string;
  timeTo: string;
  stores: string;
  channels: Array<'offline' | 'online'>;
  budgetMinor: string;
  budgetPoints: string;
  uses: string;
  perCustomer: string;
  perCustomerPerDay: string;
  exclusive: boolean;
  group: string;
  priority: string;
  requiresCode: boolean;
  releaseOnReturn: boolean;
  deal: Deal;
};

const blank: Form = { name: '', description: '', status: 'active', kind: 'percent_off', value: '', extra: '', sku: '', skus: '', categories: '', brands: '', minSpend: '', audience: 'everyone', audienceIds: '', from: '', to: '', weekdays: [], timeFrom: '', timeTo: '', stores: '', channels: [], budgetMinor: '', budgetPoints: '', uses: '', perCustomer: '', perCustomerPerDay: '', exclusive: false, group: '', priority: '0', requiresCode: false, releaseOnReturn: true, deal: blankDeal };
const str = (n: number | undefined, scale = 1) => (n === undefined ? '' : String(n / scale));

function formOf(p: Promotion): Form {
  const b = p.benefit as Benefit & { target?: { skus?: string[]; categories?: string[]; brands?: string[] } };
  const target = 'target' in b && b.target ? b.target : {};
  const kind: Form['kind'] = (editable as readonly string[]).includes(b.kind) ? (b.kind as Kind) : 'other';
  const [value, extra] =
    b.kind === 'percent_off' ? [str(b.percentBp, 100), str(b.maxDiscountMinor, 100)]
    : b.kind === 'amount_off' ? [str(b.amountMinor, 100), '']
    : b.kind === 'n_for_m' ? [String(b.buy), String(b.pay)]
    : b.kind === 'points_multiplier' ? [String(b.factor), '']
    : b.kind === 'bonus_points' ? [String(b.points), '']
    : b.kind === 'free_item' ? [String(b.qty), '']
    : ['', ''];
  const a = p.audience;
  return {
    ...blank,
    name: p.name,
    description: p.description ?? '',
    status: p.status,
    kind,
    value,
    extra,
    sku: b.kind === 'free_item' ? b.sku : '',
    skus: textOf(target.skus),
    categories: textOf(target.categories),
    brands: textOf(target.brands),
    minSpend: str(p.minSpendMinor, 100),
    audience: a.kind,
    audienceIds: a.kind === 'tiers' ? textOf(a.tiers) : a.kind === 'segments' ? textOf(a.segments) : a.kind === 'customers' ? textOf(a.customerIds) : '',
    from: localDateTime(p.validity.from),
    to: localDateTime(p.validity.to),
    weekdays: p.validity.weekdays ?? [],
    timeFrom: p.validity.timeFrom ?? '',
    timeTo: p.validity.timeTo ?? '',
    stores: textOf(p.validity.stores),
    channels: p.validity.channels ?? [],
    budgetMinor: str(p.limits.budgetMinor, 100),
    budgetPoints: str(p.limits.budgetPoints),
    uses: str(p.limits.uses),
    perCustomer: str(p.limits.perCustomer),
    perCustomerPerDay: str(p.limits.perCustomerPerDay),
    exclusive: p.stacking.exclusive,
    group: p.stacking.group ?? '',
    priority: String(p.stacking.priority),
    requiresCode: p.requiresCode,
    releaseOnReturn: p.releaseOnReturn,
    deal: dealOf(b),
  };
}

const compact = (object: Record<string, unknown>) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== ''));

function bodyOf(form: Form, current: Promotion | null): Record<string, unknown> {
  const target = compact({ skus: listOf(form.skus).length ? listOf(form.skus) : undefined, categories: listOf(form.categories).length ? listOf(form.categories) : undefined, brands: listOf(form.brands).length ? listOf(form.brands) : undefined });
  const withTarget = Object.keys(target).length ? { target } : {};
  const benefit =
    form.kind === 'percent_off' ? compact({ kind: form.kind, percentBp: numberOf(form.value, 100), maxDiscountMinor: numberOf(form.extra, 100), ...withTarget })
    : form.kind === 'amount_off' ? compact({ kind: form.kind, amountMinor: numberOf(form.value, 100), ...withTarget })
    : form.kind === 'n_for_m' ? compact({ kind: form.kind, buy: numberOf(form.value), pay: numberOf(form.extra), ...withTarget })
    : form.kind === 'points_multiplier' ? compact({ kind: form.kind, factor: numberOf(form.value), ...withTarget })
    : form.kind === 'bonus_points' ? compact({ kind: form.kind, points: numberOf(form.value), ...withTarget })
    : form.kind === 'free_item' ? compact({ kind: form.kind, sku: form.sku.trim(), qty: numberOf(form.value) })
    : form.kind === 'buy_x_get_y' || form.kind === 'bundle_price' ? dealBenefit(form.kind, form.deal)
    : current?.benefit;
  const ids = listOf(form.audienceIds);
  const audience =
    form.audience === 'tiers' ? { kind: 'tiers', tiers: ids }
    : form.audience === 'segments' ? { kind: 'segments', segments: ids }
    : form.audience === 'customers' ? { kind: 'customers', customerIds: ids }
    : { kind: form.audience };
  const validity = compact({
    from: form.from ? new Date(form.from).toISOString() : undefined,
    to: form.to ? new Date(form.to).toISOString() : undefined,
    weekdays: form.weekdays.length ? [...form.weekdays].sort() : undefined,
    timeFrom: form.timeFrom || undefined,
    timeTo: form.timeTo || undefined,
    stores: listOf(form.stores).length ? listOf(form.stores) : undefined,
    channels: form.channels.length ? form.channels : undefined,
  });
  const limits = compact({ budgetMinor: numberOf(form.budgetMinor, 100), budgetPoints: numberOf(form.budgetPoints), uses: numberOf(form.uses), perCustomer: numberOf(form.perCustomer), perCustomerPerDay: numberOf(form.perCustomerPerDay) });
  const stacking = compact({ exclusive: form.exclusive, group: form.group.trim() || undefined, priority: numberOf(form.priority) ?? 0 });
  return compact({ name: form.name.trim(), description: form.description.trim() || undefined, status: form.status, benefit, minSpendMinor: numberOf(form.minSpend, 100), audience, validity, stacking, limits, requiresCode: form.requiresCode, releaseOnReturn: form.releaseOnReturn });
}

export default function PromotionForm({ params }: PageProps) {
  const t = useText(text);
  const can = useCan();
  const creating = !params.id;
  const loaded = useResource((signal) => (creating ? Promise.resolve(null) : api.get<Promotion>(`/v1/promotions/${encodeURIComponent(params.id!)}`, undefined, signal)), [params.id]);
  const [form, setForm] = useState<Form | null>(creating ? blank : null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const whatIf = useWhatIf();
  const mayWrite = can('promotions:write');
  const mayPrice = can('analytics:write');
  const current = loaded.data;
  const { query } = useLocation();

  useEffect(() => {
    if (current && !form) setForm(formOf(current));
  }, [current, form]);

  if (loaded.loading && !creating && !current) return <Loading />;
  if (loaded.error) return <ErrorNote error={loaded.error} onRetry={loaded.reload} />;
  if (!form) return <Loading />;

  const body = bodyOf(form, current);
  const fingerprint = JSON.stringify(body);
  const priced = whatIf.pricedFor(fingerprint);
  const error = saveError ?? (whatIf.error instanceof ApiError && whatIf.error.status === 400 ? whatIf.error : null);
  const conflict = saveError instanceof ApiError && saveError.status === 409;
  const problem = (...names: string[]) => fieldError(error, ...names);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const days = t('days').split(',');
  const input = (key: keyof Form, label: string, errorNames: string[], hint?: string, type = 'text') => (
    <Field label={label} hint={hint} error={problem(...errorNames)}>
      {(props) => <input {...props} type={type} value={form[key] as string} onChange={(e) => set(key, e.target.value as never)} />}
    </Field>
  );

  const price = () => whatIf.start({ promotions: [current ? { id: current.id, ...body } : body] }, fingerprint);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!priced && mayPrice) return;
    setSaveError(null);
    try {
      const saved = current ? await api.put<Promotion>(`/v1/promotions/${current.id}`, { ...body, version: current.version }) : await api.post<Promotion>('/v1/promotions', body);
      if (creating) navigate(`/program/promotions/${saved.id}?created=1`, { replace: true });
      else navigate(`/program/promotions?saved=${encodeURIComponent(saved.name)}`);
    } catch (caught) {
      setSaveError(caught);
    }
  };
  const shown = ['name', 'description', 'status', 'percentBp', 'maxDiscountMinor', 'amountMinor', 'buy', 'pay', 'factor', 'points', 'sku', 'qty', 'skus', 'categories', 'brands', 'minSpendMinor', 'tiers', 'segments', 'from', 'to', 'weekdays', 'timeFrom', 'timeTo', 'stores', 'channels', 'budgetMinor', 'budgetPoints', 'uses', 'perCustomer', 'perCustomerPerDay', 'group', 'priority', 'priceMinor', 'customerIds'];
  const unplaced = error && !conflict && !shown.some((name) => problem(name)) ? error : null;

  return (
    <Page title={creating ? t('newTitle') : t('editTitle', { name: current?.name ?? form.name })} intro={t('intro')} actions={<Link to="/program/promotions">{t('back')}</Link>}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      {query.get('created') ? <Notice tone="success">{t('created')}</Notice> : null}
      <form className="form program-form" noValidate onSubmit={(event) => void save(event)}>
        {conflict ? (
          <div className="alert error" role="alert">
            <p>{t('conflict')}</p>
            <button type="button" className="link" onClick={() => window.location.reload()}>
              {t('reload')}
            </button>
          </div>
        ) : null}
        <ErrorNote error={unplaced} />
        <fieldset disabled={!mayWrite}>
          <Card title={t('what')}>
            {input('name', t('name'), ['name'])}
            {input('description', t('description'), ['description'])}
            <div className="form-row">
              <Field label={t('status')} error={problem('status')}>
                {(props) => (
                  <select {...props} value={form.status} onChange={(e) => set('status', e.target.value as Form['status'])}>
                    {(['draft', 'active', 'paused', 'archived'] as const).map((s) => (
                      <option key={s} value={s}>
                        {t(s)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('kind')} error={problem('kind')}>
                {(props) => (
                  <select {...props} value={form.kind} disabled={form.kind === 'other'} onChange={(e) => set('kind', e.target.value as Kind)}>
                    {editable.map((kind) => (
                      <option key={kind} value={kind}>
                        {t(kind)}
                      </option>
                    ))}
                    {form.kind === 'other' ? <option value="other">{current?.benefit.kind}</option> : null}
                  </select>
                )}
              </Field>
            </div>
            <div className="form-row">
              {form.kind === 'percent_off' ? (
                <>
                  {input('value', t('percent'), ['percentBp'])}
                  {input('extra', t('maxDiscount'), ['maxDiscountMinor'], t('money'))}
                </>
              ) : form.kind === 'amount_off' ? (
                input('value', t('amount'), ['amountMinor'], t('money'))
              ) : form.kind === 'n_for_m' ? (
                <>
                  {input('value', t('buy'), ['buy'])}
                  {input('extra', t('pay'), ['pay'])}
                </>
              ) : form.kind === 'points_multiplier' ? (
                input('value', t('factor'), ['factor'])
              ) : form.kind === 'bonus_points' ? (
                input('value', t('points'), ['points'])
              ) : form.kind === 'free_item' ? (
                <>
                  {input('sku', t('sku'), ['sku'])}
                  {input('value', t('qty'), ['qty'])}
                </>
              ) : form.kind === 'other' ? (
                <p className="muted">{t('other', { kind: current?.benefit.kind ?? '' })}</p>
              ) : null}
              {input('minSpend', t('minSpend'), ['minSpendMinor'], t('money'))}
            </div>
            {form.kind === 'buy_x_get_y' || form.kind === 'bundle_price' ? <DealFields kind={form.kind} deal={form.deal} onChange={(deal) => set('deal', deal)} problem={problem} /> : null}
            {form.kind !== 'free_item' && form.kind !== 'other' && form.kind !== 'buy_x_get_y' && form.kind !== 'bundle_price' ? (
              <fieldset>
                <legend className="subhead">{t('target')}</legend>
                <p className="muted">{t('targetHint')}</p>
                <div className="form-row">
                  {input('skus', t('skus'), ['skus'])}
                  {input('categories', t('categories'), ['categories'])}
                  {input('brands', t('brands'), ['brands'])}
                </div>
              </fieldset>
            ) : null}
          </Card>
          <Card title={t('who')}>
            <div className="form-row">
              <Field label={t('audience')} error={problem('audience')}>
                {(props) => (
                  <select {...props} value={form.audience} onChange={(e) => set('audience', e.target.value as Form['audience'])}>
                    {(['everyone', 'new_customers', 'tiers', 'segments', 'customers'] as const).map((a) => (
                      <option key={a} value={a}>
                        {t(a)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {form.audience === 'tiers' || form.audience === 'segments' ? input('audienceIds', t(form.audience), ['tiers', 'segments'], t('audienceHint')) : null}
              {form.audience === 'customers' ? input('audienceIds', t('customers'), ['customerIds'], t('customersHint')) : null}
            </div>
          </Card>
          <Card title={t('when')}>
            <div className="form-row">
              {input('from', t('from'), ['from'], undefined, 'datetime-local')}
              {input('to', t('to'), ['to'], undefined, 'datetime-local')}
            </div>
            <div className="form-row">
              {input('timeFrom', t('timeFrom'), ['timeFrom'], undefined, 'time')}
              {input('timeTo', t('timeTo'), ['timeTo'], undefined, 'time')}
            </div>
            <fieldset className="choices">
              <legend>{t('weekdays')}</legend>
              {days.map((day, index) => (
                <label key={day}>
                  <input type="checkbox" checked={form.weekdays.includes(index + 1)} onChange={(e) => set('weekdays', e.target.checked ? [...form.weekdays, index + 1] : form.weekdays.filter((d) => d !== index + 1))} /> {day}
                </label>
              ))}
              {problem('weekdays') ? <span className="field-error">{problem('weekdays')}</span> : null}
            </fieldset>
            <fieldset className="choices">
              <legend>{t('channels')}</legend>
              {(['offline', 'online'] as const).map((channel) => (
                <label key={channel}>
                  <input type="checkbox" checked={form.channels.includes(channel)} onChange={(e) => set('channels', e.target.checked ? [...form.channels, channel] : form.channels.filter((c) => c !== channel))} /> {t(channel)}
                </label>
              ))}
            </fieldset>
            {input('stores', t('stores'), ['stores'], t('storesHint'))}
          </Card>
          <Card title={t('limits')}>
            <div className="form-row">
              {input('budgetMinor', t('budgetMinor'), ['budgetMinor'], t('money'))}
              {input('budgetPoints', t('budgetPoints'), ['budgetPoints'])}
              {input('uses', t('uses'), ['uses'])}
            </div>
            <div className="form-row">
              {input('perCustomer', t('perCustomer'), ['perCustomer'])}
              {input('perCustomerPerDay', t('perCustomerPerDay'), ['perCustomerPerDay'])}
            </div>
            <div className="form-row">
              {input('group', t('group'), ['group'], t('groupHint'))}
              {input('priority', t('priority'), ['priority'])}
            </div>
            <label className="check">
              <input type="checkbox" checked={form.exclusive} onChange={(e) => set('exclusive', e.target.checked)} /> {t('exclusive')}
            </label>
            <label className="check">
              <input type="checkbox" checked={form.requiresCode} onChange={(e) => set('requiresCode', e.target.checked)} /> {t('requiresCode')}
            </label>
            <label className="check">
              <input type="checkbox" checked={form.releaseOnReturn} onChange={(e) => set('releaseOnReturn', e.target.checked)} /> {t('releaseOnReturn')}
            </label>
          </Card>
        </fieldset>
        {mayWrite ? (
          <div className="actions program-actions">
            {mayPrice ? (
              <button type="button" className={priced ? 'secondary' : 'primary'} disabled={whatIf.running} onClick={() => void price()}>
                {whatIf.running ? t('pricing') : t('price')}
              </button>
            ) : null}
            <button type="submit" className={priced || !mayPrice ? 'primary' : 'secondary'} disabled={mayPrice && !priced} aria-describedby={mayPrice && !priced ? 'promotion-save-first' : undefined}>
              {t('save')}
            </button>
            {mayPrice && !priced ? (
              <span className="muted" id="promotion-save-first">
                {whatIf.run?.status === 'completed' ? t('repriced') : t('saveFirst')}
              </span>
            ) : null}
          </div>
        ) : null}
      </form>
      <WhatIfReport run={whatIf.run} error={whatIf.error instanceof ApiError && whatIf.error.status === 400 ? null : whatIf.error} />
      {current ? <PromoCodeBatches promotion={current} /> : null}
    </Page>
  );
}
