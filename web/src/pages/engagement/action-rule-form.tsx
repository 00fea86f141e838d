import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Card, ErrorNote, Field, Loading, Notice, Page, Stat, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, navigate } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { PropertyConditions, propertiesOf, rowProblem, rowsOf, type PropertyRow } from './property-conditions.tsx';
import { isoOf, knownEventTypes, localDateTime, numberOf, type ActionRule, type RuleStatus } from './engagement-types.ts';
import './engagement.css';

const text = defineText({
  en: {
    newTitle: 'New bonus for an action',
    editTitle: 'Bonus “{name}”',
    intro: 'Which event earns points, how many, and within which limits. The points are credited at once, named in the customer’s history as “Bonus: <name>”.',
    back: 'All bonuses for actions',
    what: 'What earns',
    name: 'Name',
    nameHint: 'The customer sees it in their history',
    eventType: 'Event',
    eventTypeHint: 'Lower-case words joined by dots. Patron records customer.joined, profile.completed, consent.marketing_given and app.first_login itself; your app or site posts the others (review.posted, survey.answered, …).',
    points: 'Points per event',
    status: 'Status',
    active: 'Active: awards points',
    paused: 'Paused: awards nothing for now',
    archived: 'Archived: kept for history',
    window: 'When it applies',
    validFrom: 'From',
    validTo: 'Until',
    windowHint: 'Events received in this window earn; leave empty for no limit.',
    limits: 'Limits',
    limitsHint: 'Leave a limit empty for none: every matching event earns.',
    once: 'Once per customer, ever',
    perDay: 'Awards per customer per day',
    perDayHint: 'In the customer’s own day (their timezone)',
    perTotal: 'Awards per customer in all',
    totalPoints: 'Budget: points across all customers',
    totalPointsHint: 'An award that would go past it is not made',
    usage: 'What it has given',
    awards: 'Awards',
    given: 'Points given',
    budgetLeft: 'Budget left',
    noBudget: 'No budget',
    save: 'Save the rule',
    readOnly: 'Your role may read bonuses for actions but not change them.',
    conflict: 'Someone else saved this rule after you opened it. Reload to see their change, then make yours again.',
    reload: 'Reload',
    version: 'Version {version}, saved {at}',
  },
  ru: {
    newTitle: 'Новый бонус за действие',
    editTitle: 'Бонус «{name}»',
    intro: 'Какое событие приносит баллы, сколько и в каких пределах. Баллы начисляются сразу, в истории клиента — как «Бонус: <название>».',
    back: 'Все бонусы за действия',
    what: 'За что начисляется',
    name: 'Название',
    nameHint: 'Клиент видит его в своей истории',
    eventType: 'Событие',
    eventTypeHint: 'Слова латиницей в нижнем регистре через точку. Patron сам отмечает customer.joined, profile.completed, consent.marketing_given и app.first_login; остальные (review.posted, survey.answered, …) присылает ваше приложение или сайт.',
    points: 'Баллов за событие',
    status: 'Статус',
    active: 'Действует: начисляет баллы',
    paused: 'Приостановлено: пока не начисляет',
    archived: 'В архиве: хранится для истории',
    window: 'Когда действует',
    validFrom: 'С',
    validTo: 'До',
    windowHint: 'Начисляется за события, полученные в этот промежуток; пустое поле — без ограничения.',
    limits: 'Ограничения',
    limitsHint: 'Пустое ограничение — его нет: начисляется за каждое подходящее событие.',
    once: 'Один раз на клиента за всё время',
    perDay: 'Начислений одному клиенту в день',
    perDayHint: 'По дню клиента (в его часовом поясе)',
    perTotal: 'Начислений одному клиенту всего',
    totalPoints: 'Бюджет: баллов на всех клиентов',
    totalPointsHint: 'Начисление, которое превысило бы его, не делается',
    usage: 'Что уже выдано',
    awards: 'Начислений',
    given: 'Выдано баллов',
    budgetLeft: 'Осталось бюджета',
    noBudget: 'Без бюджета',
    save: 'Сохранить правило',
    readOnly: 'Ваша роль может читать бонусы за действия, но не менять их.',
    conflict: 'Кто-то сохранил это правило после того, как вы его открыли. Обновите страницу, чтобы увидеть его изменение, и внесите своё снова.',
    reload: 'Обновить',
    version: 'Версия {version}, сохранена {at}',
  },
});

type Form = {
  name: string;
  eventType: string;
  points: string;
  status: RuleStatus;
  validFrom: string;
  validTo: string;
  once: boolean;
  perDay: string;
  perTotal: string;
  totalPoints: string;
  properties: PropertyRow[];
};

const blank: Form = { name: '', eventType: '', points: '', status: 'active', validFrom: '', validTo: '', once: false, perDay: '', perTotal: '', totalPoints: '', properties: [] };

const formOf = (rule: ActionRule): Form => ({
  name: rule.name,
  eventType: rule.eventType,
  points: String(rule.points),
  status: rule.status,
  validFrom: localDateTime(rule.validFrom),
  validTo: localDateTime(rule.validTo),
  once: rule.limits.oncePerCustomer ?? false,
  perDay: rule.limits.perCustomerPerDay === undefined ? '' : String(rule.limits.perCustomerPerDay),
  perTotal: rule.limits.perCustomerTotal === undefined ? '' : String(rule.limits.perCustomerTotal),
  totalPoints: rule.limits.totalPoints === undefined ? '' : String(rule.limits.totalPoints),
  properties: rowsOf(rule.conditions.properties ?? {}),
});

/** The body the API takes: empty fields left out, so an empty limit is no limit. */
function bodyOf(form: Form): Record<string, unknown> {
  const limits: Record<string, unknown> = {};
  if (form.once) limits.oncePerCustomer = true;
  const perDay = numberOf(form.perDay);
  const perTotal = numberOf(form.perTotal);
  const totalPoints = numberOf(form.totalPoints);
  if (perDay !== undefined) limits.perCustomerPerDay = perDay;
  if (perTotal !== undefined) limits.perCustomerTotal = perTotal;
  if (totalPoints !== undefined) limits.totalPoints = totalPoints;
  const properties = propertiesOf(form.properties);
  const body: Record<string, unknown> = {
    name: form.name.trim(),
    eventType: form.eventType.trim(),
    points: numberOf(form.points) ?? '',
    status: form.status,
    limits,
    conditions: Object.keys(properties).length ? { properties } : {},
  };
  const from = isoOf(form.validFrom);
  const to = isoOf(form.validTo);
  if (from) body.validFrom = from;
  if (to) body.validTo = to;
  return body;
}

export default function ActionRuleForm({ params }: PageProps) {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const creating = !params.id;
  const rule = useResource((signal) => (creating ? Promise.resolve(null) : api.get<ActionRule>(`/v1/action-rules/${encodeURIComponent(params.id ?? '')}`, undefined, signal)), [params.id]);
  const [form, setForm] = useState<Form | null>(creating ? blank : null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [checked, setChecked] = useState(false);
  const mayWrite = can('engagement:write');

  useEffect(() => {
    if (rule.data) setForm(formOf(rule.data));
  }, [rule.data]);

  if (rule.error) return <ErrorNote error={rule.error} onRetry={rule.reload} />;
  if (!form) return <Loading />;
  const current = rule.data;
  const conflict = error instanceof ApiError && error.code === 'action_rule.version_conflict';
  const problem = (...names: string[]) => fieldError(error, ...names);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const shown = ['name', 'eventType', 'points', 'status', 'validFrom', 'validTo', 'oncePerCustomer', 'perCustomerPerDay', 'perCustomerTotal', 'totalPoints'];
  const unplaced = error && !conflict && !shown.some((name) => problem(name)) ? error : null;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    // A property condition the server could only misread (a number that is not one) is named here first.
    setChecked(true);
    if (form.properties.some((_, index) => rowProblem(form.properties, index))) return;
    setSaving(true);
    try {
      if (current) await api.put<ActionRule>(`/v1/action-rules/${current.id}`, { ...bodyOf(form), version: current.version });
      else await api.post<ActionRule>('/v1/action-rules', bodyOf(form));
      navigate('/program/action-rules?saved=1');
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };
  const numberField = (key: 'points' | 'perDay' | 'perTotal' | 'totalPoints', label: string, errorName: string, hint?: string) => (
    <Field label={label} hint={hint} error={problem(errorName)}>
      {(props) => <input {...props} inputMode="numeric" value={form[key]} onChange={(e) => set(key, e.target.value)} />}
    </Field>
  );

  return (
    <Page title={current ? t('editTitle', { name: current.name }) : t('newTitle')} intro={t('intro')} actions={<Link to="/program/action-rules">{t('back')}</Link>}>
      {!mayWrite ? <Notice>{t('readOnly')}</Notice> : null}
      {current ? (
        <Card title={t('usage')}>
          <div className="stats">
            <Stat label={t('awards')} value={format.number(current.usage.awards)} />
            <Stat label={t('given')} value={format.number(current.usage.points)} />
            <Stat label={t('budgetLeft')} value={current.usage.budgetLeft === null ? t('noBudget') : format.number(current.usage.budgetLeft)} />
          </div>
          <p className="muted">{t('version', { version: current.version, at: format.dateTime(current.updatedAt) })}</p>
        </Card>
      ) : null}
      <form className="form engage-form" noValidate onSubmit={(event) => void save(event)}>
        {conflict ? (
          <div className="alert error" role="alert">
            <p>{t('conflict')}</p>
            <button type="button" className="link" onClick={() => window.location.reload()}>
              {t('reload')}
            </button>
          </div>
        ) : null}
        <ErrorNote error={unplaced} />
        <fieldset className="plain" disabled={!mayWrite}>
          <Card title={t('what')}>
            <div className="form-row">
              <Field label={t('name')} hint={t('nameHint')} error={problem('name')}>
                {(props) => <input {...props} value={form.name} onChange={(e) => set('name', e.target.value)} />}
              </Field>
              {numberField('points', t('points'), 'points')}
            </div>
            <Field label={t('eventType')} hint={t('eventTypeHint')} error={problem('eventType')}>
              {(props) => <input {...props} list="engage-event-types" autoComplete="off" value={form.eventType} onChange={(e) => set('eventType', e.target.value)} />}
            </Field>
            <datalist id="engage-event-types">
              {knownEventTypes.map((type) => (
                <option key={type} value={type} />
              ))}
            </datalist>
            <PropertyConditions rows={form.properties} onChange={(rows) => set('properties', rows)} error={error} showProblems={checked} />
            <Field label={t('status')} error={problem('status')}>
              {(props) => (
                <select {...props} value={form.status} onChange={(e) => set('status', e.target.value as RuleStatus)}>
                  {(['active', 'paused', 'archived'] as const).map((s) => (
                    <option key={s} value={s}>
                      {t(s)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </Card>
          <Card title={t('window')}>
            <p className="muted">{t('windowHint')}</p>
            <div className="form-row">
              <Field label={t('validFrom')} error={problem('validFrom')}>
                {(props) => <input {...props} type="datetime-local" value={form.validFrom} onChange={(e) => set('validFrom', e.target.value)} />}
              </Field>
              <Field label={t('validTo')} error={problem('validTo')}>
                {(props) => <input {...props} type="datetime-local" value={form.validTo} onChange={(e) => set('validTo', e.target.value)} />}
              </Field>
            </div>
          </Card>
          <Card title={t('limits')}>
            <p className="muted">{t('limitsHint')}</p>
            <label className="check">
              <input type="checkbox" checked={form.once} onChange={(e) => set('once', e.target.checked)} /> {t('once')}
            </label>
            <div className="form-row">
              {numberField('perDay', t('perDay'), 'perCustomerPerDay', t('perDayHint'))}
              {numberField('perTotal', t('perTotal'), 'perCustomerTotal')}
              {numberField('totalPoints', t('totalPoints'), 'totalPoints', t('totalPointsHint'))}
            </div>
          </Card>
        </fieldset>
        {mayWrite ? (
          <div className="engage-save">
            <button type="submit" className="primary" disabled={saving}>
              {t('save')}
            </button>
          </div>
        ) : null}
      </form>
    </Page>
  );
}
