import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Card, ErrorNote, Field, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { listOf, localDateTime, numberOf, textOf, type EarningRule, type RuleSet } from './program-types.ts';
import { WhatIfReport, useWhatIf } from './what-if-cost.tsx';
import './program.css';

const text = defineText({
  en: {
    newTitle: 'New earning rule',
    editTitle: 'Earning rule “{name}”',
    intro: 'Set what the rule gives and when. Before saving, replay the last 30 days of receipts with it to see what it would have cost.',
    back: 'All earning rules',
    what: 'What it gives',
    id: 'Identifier',
    idHint: 'Letters, digits, “-”, “_”; cannot change later',
    name: 'Name',
    kind: 'Kind',
    percent: 'Percent of the paid amount',
    multiplier: 'Multiplier of percent points',
    per_item: 'Points per item',
    per_receipt: 'Points per receipt',
    rate: 'Rate, %',
    rateHint: 'Of what the customer pays: 5 gives 5 points per 100',
    factor: 'Factor',
    factorHint: '×2 doubles the percent points of the lines it covers',
    points: 'Points',
    when: 'When it applies',
    whenHint: 'Leave a condition empty to apply it always.',
    categories: 'Categories',
    skus: 'SKUs',
    brands: 'Brands',
    tiers: 'Tiers',
    stores: 'Stores',
    segments: 'Segments',
    listHint: 'Separated by commas',
    channels: 'Channels',
    offline: 'In store',
    online: 'Online',
    weekdays: 'Days of the week',
    timeFrom: 'From (time)',
    timeTo: 'To (time)',
    minTotal: 'Minimum receipt total',
    minTotalHint: 'In the program’s currency',
    validFrom: 'Valid from',
    validTo: 'Valid to',
    how: 'How it combines',
    priority: 'Priority',
    priorityHint: 'Higher first, from -1000 to 1000',
    stacking: 'Stacking',
    highest: 'Highest wins',
    sum: 'Adds up',
    exclusive: 'Alone',
    active: 'Active (applies at the till)',
    price: 'Show the cost (last 30 days)',
    pricing: 'Replaying…',
    repriced: 'The form changed since the replay: show the cost again before saving.',
    save: 'Save the rule',
    saveFirst: 'Show the cost first: the rule is saved once you have seen what it would have cost.',
    saved: 'Saved.',
    readOnly: 'Your role may read the rules but not change them.',
    notFound: 'There is no rule “{id}”.',
    days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].join(','),
  },
  ru: {
    newTitle: 'Новое правило начисления',
    editTitle: 'Правило начисления «{name}»',
    intro: 'Задайте, что даёт правило и когда. Перед сохранением пересчитайте с ним чеки за последние 30 дней, чтобы увидеть его цену.',
    back: 'Все правила начисления',
    what: 'Что даёт',
    id: 'Идентификатор',
    idHint: 'Буквы, цифры, «-», «_»; потом не меняется',
    name: 'Название',
    kind: 'Вид',
    percent: 'Процент от оплаченного',
    multiplier: 'Множитель процентных баллов',
    per_item: 'Баллы за товар',
    per_receipt: 'Баллы за чек',
    rate: 'Ставка, %',
    rateHint: 'От того, что платит клиент: 5 даёт 5 баллов со 100',
    factor: 'Множитель',
    factorHint: '×2 удваивает процентные баллы строк, к которым относится',
    points: 'Баллы',
    when: 'Когда действует',
    whenHint: 'Пустое условие — действует всегда.',
    categories: 'Категории',
    skus: 'Артикулы',
    brands: 'Бренды',
    tiers: 'Уровни',
    stores: 'Магазины',
    segments: 'Сегменты',
    listHint: 'Через запятую',
    channels: 'Каналы',
    offline: 'В магазине',
    online: 'Онлайн',
    weekdays: 'Дни недели',
    timeFrom: 'С (время)',
    timeTo: 'До (время)',
    minTotal: 'Минимальная сумма чека',
    minTotalHint: 'В валюте программы',
    validFrom: 'Действует с',
    validTo: 'Действует по',
    how: 'Как сочетается',
    priority: 'Приоритет',
    priorityHint: 'Больший раньше, от -1000 до 1000',
    stacking: 'Сочетание',
    highest: 'Побеждает наибольшее',
    sum: 'Складывается',
    exclusive: 'Только оно',
    active: 'Активно (действует на кассе)',
    price: 'Показать цену (30 дней)',
    pricing: 'Пересчитываем…',
    repriced: 'Форма изменилась после пересчёта: покажите цену снова перед сохранением.',
    save: 'Сохранить правило',
    saveFirst: 'Сначала покажите цену: правило сохраняется, когда вы увидели, во что оно обошлось бы.',
    saved: 'Сохранено.',
    readOnly: 'Ваша роль может читать правила, но не менять их.',
    notFound: 'Правила «{id}» нет.',
    days: ['Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс'].join(','),
  },
});

type Form = {
  id: string;
  name: string;
  kind: EarningRule['kind'];
  rate: string;
  factor: string;
  points: string;
  categories: string;
  skus: string;
  brands: string;
  tiers: string;
  stores: string;
  segments: string;
  channels: Array<'offline' | 'online'>;
  weekdays: number[];
  timeFrom: string;
  timeTo: string;
  minTotal: string;
  validFrom: string;
  validTo: string;
  priority: string;
  stacking: EarningRule['stacking'];
  active: boolean;
};

const blank: Form = { id: '', name: '', kind: 'percent', rate: '', factor: '', points: '', categories: '', skus: '', brands: '', tiers: '', stores: '', segments: '', channels: [], weekdays: [], timeFrom: '', timeTo: '', minTotal: '', validFrom: '', validTo: '', priority: '0', stacking: 'highest', active: true };


function formOf(rule: EarningRule): Form {
  const c = rule.conditions;
  return {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    rate: rule.rateBp === undefined ? '' : String(rule.rateBp / 100),
    factor: rule.factor === undefined ? '' : String(rule.factor),
    points: rule.points === undefined ? '' : String(rule.points),
    categories: textOf(c.categories),
    skus: textOf(c.skus),
    brands: textOf(c.brands),
    tiers: textOf(c.tiers),
    stores: textOf(c.stores),
    segments: textOf(c.segments),
    channels: c.channels ?? [],
    weekdays: c.weekdays ?? [],
    timeFrom: c.timeFrom ?? '',
    timeTo: c.timeTo ?? '',
    minTotal: c.minReceiptTotal === undefined ? '' : String(c.minReceiptTotal / 100),
    validFrom: localDateTime(rule.validFrom),
    validTo: localDateTime(rule.validTo),
    priority: String(rule.priority),
    stacking: rule.stacking,
    active: rule.active,
  };
}

function ruleOf(form: Form): EarningRule {
  const conditions: Record<string, unknown> = {};
  for (const key of ['categories', 'skus', 'brands', 'tiers', 'stores', 'segments'] as const) if (listOf(form[key]).length) conditions[key] = listOf(form[key]);
  if (form.channels.length) conditions.channels = form.channels;
  if (form.weekdays.length) conditions.weekdays = [...form.weekdays].sort();
  if (form.timeFrom) conditions.timeFrom = form.timeFrom;
  if (form.timeTo) conditions.timeTo = form.timeTo;
  const minTotal = numberOf(form.minTotal, 100);
  if (minTotal !== undefined) conditions.minReceiptTotal = minTotal;
  const rule: Record<string, unknown> = { id: form.id.trim(), name: form.name.trim(), kind: form.kind, conditions, priority: numberOf(form.priority) ?? 0, stacking: form.stacking, active: form.active };
  if (form.kind === 'percent') rule.rateBp = numberOf(form.rate, 100);
  if (form.kind === 'multiplier') rule.factor = numberOf(form.factor);
  if (form.kind === 'per_item' || form.kind === 'per_receipt') rule.points = numberOf(form.points);
  if (form.validFrom) rule.validFrom = new Date(form.validFrom).toISOString();
  if (form.validTo) rule.validTo = new Date(form.validTo).toISOString();
  for (const key of Object.keys(rule)) if (rule[key] === undefined) delete rule[key];
  return rule as EarningRule;
}

export default function EarningRuleForm({ params }: PageProps) {
  const t = useText(text);
  const can = useCan();
  const creating = !params.id;
  const rules = useResource((signal) => api.get<RuleSet>('/v1/earning-rules', undefined, signal), []);
  const [form, setForm] = useState<Form | null>(creating ? blank : null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const whatIf = useWhatIf();
  const mayWrite = can('program:write');
  const mayPrice = can('analytics:write');

  useEffect(() => {
    if (creating || !rules.data || form) return;
    const rule = rules.data.rules.find((r) => r.id === params.id);
    if (rule) setForm(formOf(rule));
  }, [creating, rules.data, params.id, form]);

  if (rules.loading && !rules.data) return <Loading />;
  if (rules.error) return <ErrorNote error={rules.error} onRetry={rules.reload} />;
  if (!form) return <ErrorNote error={new Error(t('notFound', { id: params.id ?? '' }))} />;

  const rule = ruleOf(form);
  const fingerprint = JSON.stringify(rule);
  const priced = whatIf.pricedFor(fingerprint);
  const error = saveError ?? (whatIf.error instanceof ApiError && whatIf.error.status === 400 ? whatIf.error : null);
  const problem = (...names: string[]) => fieldError(error, ...names);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const others = (rules.data?.rules ?? []).filter((r) => r.id !== (creating ? rule.id : params.id));
  const days = t('days').split(',');

  const price = async () => {
    setSaveError(null);
    await whatIf.start({ rules: { rules: [...others, rule] } }, fingerprint);
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!priced && mayPrice) return;
    setSaveError(null);
    try {
      await api.put(`/v1/earning-rules/${encodeURIComponent(rule.id || '-')}`, rule);
      navigate(`/program/rules?saved=${encodeURIComponent(rule.id)}`);
    } catch (caught) {
      setSaveError(caught);
    }
  };
  const list = (key: 'categories' | 'skus' | 'brands' | 'tiers' | 'stores' | 'segments', label: string) => (
    <Field label={label} hint={t('listHint')} error={problem(key)}>
      {(props) => <input {...props} value={form[key]} onChange={(e) => set(key, e.target.value)} />}
    </Field>
  );
  const shownErrorNames = ['id', 'name', 'kind', 'rateBp', 'factor', 'points', 'categories', 'skus', 'brands', 'tiers', 'stores', 'segments', 'channels', 'weekdays', 'timeFrom', 'timeTo', 'minReceiptTotal', 'validFrom', 'validTo', 'priority', 'stacking'];
  const unplaced = error && !shownErrorNames.some((name) => problem(name)) ? error : null;

  return (
    <Page title={creating ? t('newTitle') : t('editTitle', { name: form.name })} intro={t('intro')} actions={<Link to="/program/rules">{t('back')}</Link>}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      <form className="form program-form" noValidate onSubmit={(event) => void save(event)}>
        <ErrorNote error={unplaced} />
        <fieldset disabled={!mayWrite}>
          <Card title={t('what')}>
            <div className="form-row">
              <Field label={t('id')} hint={creating ? t('idHint') : undefined} error={problem('id')}>
                {(props) => <input {...props} value={form.id} readOnly={!creating} onChange={(e) => set('id', e.target.value)} />}
              </Field>
              <Field label={t('name')} error={problem('name')}>
                {(props) => <input {...props} value={form.name} onChange={(e) => set('name', e.target.value)} />}
              </Field>
            </div>
            <div className="form-row">
              <Field label={t('kind')} error={problem('kind')}>
                {(props) => (
                  <select {...props} value={form.kind} onChange={(e) => set('kind', e.target.value as Form['kind'])}>
                    {(['percent', 'multiplier', 'per_item', 'per_receipt'] as const).map((kind) => (
                      <option key={kind} value={kind}>
                        {t(kind)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {form.kind === 'percent' ? (
                <Field label={t('rate')} hint={t('rateHint')} error={problem('rateBp')}>
                  {(props) => <input {...props} inputMode="decimal" value={form.rate} onChange={(e) => set('rate', e.target.value)} />}
                </Field>
              ) : form.kind === 'multiplier' ? (
                <Field label={t('factor')} hint={t('factorHint')} error={problem('factor')}>
                  {(props) => <input {...props} inputMode="decimal" value={form.factor} onChange={(e) => set('factor', e.target.value)} />}
                </Field>
              ) : (
                <Field label={t('points')} error={problem('points')}>
                  {(props) => <input {...props} inputMode="numeric" value={form.points} onChange={(e) => set('points', e.target.value)} />}
                </Field>
              )}
            </div>
          </Card>
          <Card title={t('when')}>
            <p className="muted">{t('whenHint')}</p>
            <div className="form-row">
              {list('categories', t('categories'))}
              {list('skus', t('skus'))}
              {list('brands', t('brands'))}
            </div>
            <div className="form-row">
              {list('tiers', t('tiers'))}
              {list('stores', t('stores'))}
              {list('segments', t('segments'))}
            </div>
            <div className="form-row">
              <fieldset className="choices">
                <legend>{t('channels')}</legend>
                {(['offline', 'online'] as const).map((channel) => (
                  <label key={channel}>
                    <input type="checkbox" checked={form.channels.includes(channel)} onChange={(e) => set('channels', e.target.checked ? [...form.channels, channel] : form.channels.filter((c) => c !== channel))} /> {t(channel)}
                  </label>
                ))}
                {problem('channels') ? <span className="field-error">{problem('channels')}</span> : null}
              </fieldset>
              <fieldset className="choices">
                <legend>{t('weekdays')}</legend>
                {days.map((day, index) => (
                  <label key={day}>
                    <input type="checkbox" checked={form.weekdays.includes(index + 1)} onChange={(e) => set('weekdays', e.target.checked ? [...form.weekdays, index + 1] : form.weekdays.filter((d) => d !== index + 1))} /> {day}
                  </label>
                ))}
                {problem('weekdays') ? <span className="field-error">{problem('weekdays')}</span> : null}
              </fieldset>
            </div>
            <div className="form-row">
              <Field label={t('timeFrom')} error={problem('timeFrom')}>
                {(props) => <input {...props} type="time" value={form.timeFrom} onChange={(e) => set('timeFrom', e.target.value)} />}
              </Field>
              <Field label={t('timeTo')} error={problem('timeTo')}>
                {(props) => <input {...props} type="time" value={form.timeTo} onChange={(e) => set('timeTo', e.target.value)} />}
              </Field>
              <Field label={t('minTotal')} hint={t('minTotalHint')} error={problem('minReceiptTotal')}>
                {(props) => <input {...props} inputMode="decimal" value={form.minTotal} onChange={(e) => set('minTotal', e.target.value)} />}
              </Field>
            </div>
            <div className="form-row">
              <Field label={t('validFrom')} error={problem('validFrom')}>
                {(props) => <input {...props} type="datetime-local" value={form.validFrom} onChange={(e) => set('validFrom', e.target.value)} />}
              </Field>
              <Field label={t('validTo')} error={problem('validTo')}>
                {(props) => <input {...props} type="datetime-local" value={form.validTo} onChange={(e) => set('validTo', e.target.value)} />}
              </Field>
            </div>
          </Card>
          <Card title={t('how')}>
            <div className="form-row">
              <Field label={t('priority')} hint={t('priorityHint')} error={problem('priority')}>
                {(props) => <input {...props} inputMode="numeric" value={form.priority} onChange={(e) => set('priority', e.target.value)} />}
              </Field>
              <Field label={t('stacking')} error={problem('stacking')}>
                {(props) => (
                  <select {...props} value={form.stacking} onChange={(e) => set('stacking', e.target.value as Form['stacking'])}>
                    {(['highest', 'sum', 'exclusive'] as const).map((s) => (
                      <option key={s} value={s}>
                        {t(s)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
            <label className="check">
              <input type="checkbox" checked={form.active} onChange={(e) => set('active', e.target.checked)} /> {t('active')}
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
            <button type="submit" className={priced || !mayPrice ? 'primary' : 'secondary'} disabled={mayPrice && !priced} aria-describedby={mayPrice && !priced ? 'rule-save-first' : undefined}>
              {t('save')}
            </button>
            {mayPrice && !priced ? (
              <span className="muted" id="rule-save-first">
                {whatIf.run?.status === 'completed' ? t('repriced') : t('saveFirst')}
              </span>
            ) : null}
          </div>
        ) : null}
      </form>
      <WhatIfReport run={whatIf.run} error={whatIf.error instanceof ApiError && whatIf.error.status === 400 ? null : whatIf.error} />
    </Page>
  );
}
