import { useState } from 'react';
import { api } from '../../api.ts';
import { browserZone } from '../../components/analytics-period.tsx';
import { ChoiceField, EditForm, useSubmit } from '../../components/edit-form.tsx';
import { Field, fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { alertGroupings, alertKpis, type AlertGrouping, type AlertKind, type AlertKpi, type AlertRule } from './report-types.ts';
import { useReportWords } from './report-words.ts';
import { recipientFields, recipientsOf, RecipientsField, sameRecipients } from './recipients-field.tsx';

const text = defineText({
  en: {
    name: 'Name',
    kpi: 'Key figure',
    groupBy: 'Judge',
    kind: 'Alert when',
    drop: 'it falls below its recent median',
    weekday_band: 'it leaves the band of the same weekday',
    threshold: 'Fall that alerts, %',
    thresholdHint: 'How far below the median: 20 alerts at a fall of more than 20 %',
    days: 'Days of history',
    daysHint: 'The median is of this many days before (3 to 366)',
    weeks: 'Weeks of history',
    weeksHint: 'The same weekday of this many weeks before (2 to 52)',
    k: 'Width of the band',
    kHint: 'Median ± this many spreads (robust standard deviations); 3 is usual',
    minHistory: 'Days with a value needed first',
    minHistoryHint: 'A day is judged only with this much history; empty: 7 for a fall, 4 for a band',
    timezone: 'Time zone',
    timezoneHint: 'Whose days are judged, e.g. Europe/Moscow',
    active: 'Checked every day',
    create: 'Create the rule',
    save: 'Save',
    cancel: 'Cancel',
  },
  ru: {
    name: 'Название',
    kpi: 'Показатель',
    groupBy: 'Оценивать',
    kind: 'Оповещать, когда',
    drop: 'он падает ниже недавней медианы',
    weekday_band: 'он выходит из коридора того же дня недели',
    threshold: 'Падение для оповещения, %',
    thresholdHint: 'Насколько ниже медианы: 20 — оповещение при падении больше чем на 20 %',
    days: 'Дней истории',
    daysHint: 'Медиана за столько предыдущих дней (от 3 до 366)',
    weeks: 'Недель истории',
    weeksHint: 'Тот же день недели за столько предыдущих недель (от 2 до 52)',
    k: 'Ширина коридора',
    kHint: 'Медиана ± столько разбросов (устойчивых стандартных отклонений); обычно 3',
    minHistory: 'Сколько дней истории нужно',
    minHistoryHint: 'День оценивается только при такой истории; пусто — 7 для падения, 4 для коридора',
    timezone: 'Часовой пояс',
    timezoneHint: 'По чьим дням оценивать, например Europe/Moscow',
    active: 'Проверяется каждый день',
    create: 'Создать правило',
    save: 'Сохранить',
    cancel: 'Отмена',
  },
});

const kinds: AlertKind[] = ['drop', 'weekday_band'];
/** A number as typed; what is not one is sent as typed, so the server says what is wrong with it. */
const numberOf = (value: string): number | string => (value.trim() !== '' && Number.isFinite(Number(value.replace(',', '.'))) ? Number(value.replace(',', '.')) : value.trim());

/** A new alert rule, or a change to one (a JSON merge patch of what changed; params merge by the server). */
export function AlertRuleForm({ rule, onSaved, onCancel }: { rule?: AlertRule; onSaved: (rule: AlertRule) => void; onCancel: () => void }) {
  const t = useText(text);
  const words = useReportWords();
  const [name, setName] = useState(rule?.name ?? '');
  const [kpi, setKpi] = useState<AlertKpi>(rule?.kpi ?? 'revenueMinor');
  const [groupBy, setGroupBy] = useState<AlertGrouping>(rule?.groupBy ?? 'none');
  const [kind, setKind] = useState<AlertKind>(rule?.kind ?? 'drop');
  const [threshold, setThreshold] = useState(rule ? String(Math.round(rule.params.threshold * 1000) / 10) : '20');
  const [days, setDays] = useState(rule ? String(rule.params.days) : '28');
  const [weeks, setWeeks] = useState(rule ? String(rule.params.weeks) : '8');
  const [k, setK] = useState(rule ? String(rule.params.k) : '3');
  const [minHistory, setMinHistory] = useState(rule ? String(rule.params.minHistory) : '');
  const [timezone, setTimezone] = useState(rule?.timezone ?? browserZone());
  const [active, setActive] = useState(rule?.active ?? true);
  const [recipients, setRecipients] = useState((rule?.recipients ?? []).join(', '));
  const { error, busy, submit } = useSubmit(async () => {
    const thresholdValue = numberOf(threshold);
    const params: Record<string, number | string> =
      kind === 'drop'
        ? { threshold: typeof thresholdValue === 'number' ? Math.round(thresholdValue * 10) / 1000 : thresholdValue, days: numberOf(days) }
        : { weeks: numberOf(weeks), k: numberOf(k) };
    if (minHistory.trim() !== '') params.minHistory = numberOf(minHistory);
    const addresses = recipientsOf(recipients);
    const body = { name: name.trim(), kpi, groupBy, kind, params, timezone: timezone.trim(), active };
    if (!rule) return onSaved(await api.post<AlertRule>('/v1/alert-rules', { ...body, recipients: addresses }));
    const patch: Record<string, unknown> = {};
    for (const key of ['name', 'kpi', 'groupBy', 'kind', 'timezone', 'active'] as const) if (body[key] !== rule[key]) patch[key] = body[key];
    if (!sameRecipients(addresses, rule.recipients)) patch.recipients = addresses;
    if (Object.entries(params).some(([key, value]) => rule.params[key as keyof AlertRule['params']] !== value) || kind !== rule.kind) patch.params = params;
    onSaved(await api.patch<AlertRule>(`/v1/alert-rules/${rule.id}`, patch));
  });

  const fields = ['name', 'kpi', 'groupBy', 'kind', 'timezone', ...recipientFields, 'params.threshold', 'params.days', 'params.weeks', 'params.k', 'params.minHistory'];
  return (
    <EditForm fields={fields} error={error} busy={busy} submitLabel={rule ? t('save') : t('create')} cancelLabel={t('cancel')} onSubmit={submit} onCancel={onCancel} className="form report-form" actionsClassName="actions">
      <Field label={t('name')} error={fieldError(error, 'name')}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <div className="form-row">
        <ChoiceField label={t('kpi')} error={fieldError(error, 'kpi')} value={kpi} values={alertKpis} optionLabel={words.kpi} onChange={setKpi} />
        <ChoiceField label={t('groupBy')} error={fieldError(error, 'groupBy')} value={groupBy} values={alertGroupings} optionLabel={words.grouping} onChange={setGroupBy} />
        <ChoiceField label={t('kind')} error={fieldError(error, 'kind')} value={kind} values={kinds} optionLabel={(value) => t(value)} onChange={setKind} />
      </div>
      <div className="form-row">
        {kind === 'drop' ? (
          <>
            <Field label={t('threshold')} hint={t('thresholdHint')} error={fieldError(error, 'params.threshold')}>
              {(props) => <input {...props} inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} />}
            </Field>
            <Field label={t('days')} hint={t('daysHint')} error={fieldError(error, 'params.days')}>
              {(props) => <input {...props} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />}
            </Field>
          </>
        ) : (
          <>
            <Field label={t('weeks')} hint={t('weeksHint')} error={fieldError(error, 'params.weeks')}>
              {(props) => <input {...props} inputMode="numeric" value={weeks} onChange={(e) => setWeeks(e.target.value)} />}
            </Field>
            <Field label={t('k')} hint={t('kHint')} error={fieldError(error, 'params.k')}>
              {(props) => <input {...props} inputMode="decimal" value={k} onChange={(e) => setK(e.target.value)} />}
            </Field>
          </>
        )}
        <Field label={t('minHistory')} hint={t('minHistoryHint')} error={fieldError(error, 'params.minHistory')}>
          {(props) => <input {...props} inputMode="numeric" value={minHistory} onChange={(e) => setMinHistory(e.target.value)} />}
        </Field>
      </div>
      <Field label={t('timezone')} hint={t('timezoneHint')} error={fieldError(error, 'timezone')}>
        {(props) => <input {...props} value={timezone} onChange={(e) => setTimezone(e.target.value)} />}
      </Field>
      <RecipientsField value={recipients} onChange={setRecipients} error={error} />
      <p>
        <input id={rule ? `alert-active-${rule.id}` : 'alert-active'} type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />{' '}
        <label className="inline" htmlFor={rule ? `alert-active-${rule.id}` : 'alert-active'}>
          {t('active')}
        </label>
      </p>
    </EditForm>
  );
}
