import { useState } from 'react';
import { api } from '../../api.ts';
import { browserZone } from '../../components/analytics-period.tsx';
import { ChoiceField, EditForm, useSubmit } from '../../components/edit-form.tsx';
import { Field, fieldError } from '../../components/ui.tsx';
import { defineText, useText } from '../../i18n.tsx';
import { reportKinds, reportSchedules, type ReportKind, type ReportQuery, type ReportSchedule, type ScheduledReport } from './report-types.ts';
import { useReportWords } from './report-words.ts';
import { recipientFields, recipientsOf, RecipientsField, sameRecipients } from './recipients-field.tsx';

const text = defineText({
  en: {
    name: 'Name',
    kind: 'Report',
    schedule: 'Schedule',
    timezone: 'Time zone',
    timezoneHint: 'Whose days, weeks and months the schedule counts, e.g. Europe/Moscow',
    active: 'Runs on its schedule',
    groupBy: 'Split by',
    compare: 'Compare with',
    store: 'Only the store',
    storeHint: 'A store id; leave empty for all stores',
    channel: 'Only the channel',
    segment: 'Only the segment',
    segmentHint: 'A segment id (seg_…); leave empty for all customers',
    unit: 'Cohorts by',
    by: 'Split cohorts by',
    steps: 'Steps',
    stepsHint: 'Separated by commas: signup, purchase, event:<type>, message, open, click (e.g. message, open, click, purchase); empty: sign-up and three purchases',
    funnelBy: 'Split by',
    withinDays: 'Within days of the first step',
    withinDaysHint: 'Leave empty for no limit',
    series: 'Also a series by',
    all: 'All',
    nothing: 'Nothing',
    total: 'Nothing (the total)',
    previous: 'The period before',
    year: 'A year earlier',
    both: 'The period before and a year earlier',
    create: 'Create the report',
    save: 'Save',
    cancel: 'Cancel',
    none: 'None',
    store_: 'Store',
    register: 'Register',
    channel_: 'Channel',
    tier: 'Tier',
    segment_: 'Segment',
    cluster: 'Cluster',
    day: 'Day',
    week: 'Week',
    month: 'Month',
    promotion: 'Promotion of the first purchase',
    source: 'Where customers joined',
    offline: 'At the till',
    online: 'Online',
  },
  ru: {
    name: 'Название',
    kind: 'Отчёт',
    schedule: 'Расписание',
    timezone: 'Часовой пояс',
    timezoneHint: 'По чьим дням, неделям и месяцам считается расписание, например Europe/Moscow',
    active: 'Запускается по расписанию',
    groupBy: 'Разбивка',
    compare: 'Сравнить с',
    store: 'Только магазин',
    storeHint: 'Код магазина; пусто — все магазины',
    channel: 'Только канал',
    segment: 'Только сегмент',
    segmentHint: 'Код сегмента (seg_…); пусто — все клиенты',
    unit: 'Когорты по',
    by: 'Разбить когорты по',
    steps: 'Шаги',
    stepsHint: 'Через запятую: signup, purchase, event:<тип>, message, open, click (например message, open, click, purchase); пусто — регистрация и три покупки',
    funnelBy: 'Разбивка',
    withinDays: 'В пределах дней от первого шага',
    withinDaysHint: 'Пусто — без ограничения',
    series: 'Ещё и ряд по',
    all: 'Все',
    nothing: 'Нет',
    total: 'Нет (итог)',
    previous: 'Предыдущим периодом',
    year: 'Тем же периодом год назад',
    both: 'Предыдущим периодом и годом ранее',
    create: 'Создать отчёт',
    save: 'Сохранить',
    cancel: 'Отмена',
    none: 'Нет',
    store_: 'Магазин',
    register: 'Касса',
    channel_: 'Канал',
    tier: 'Уровень',
    segment_: 'Сегмент',
    cluster: 'Кластер',
    day: 'День',
    week: 'Неделя',
    month: 'Месяц',
    promotion: 'Акция первой покупки',
    source: 'Где клиент зарегистрировался',
    offline: 'На кассе',
    online: 'Онлайн',
  },
});

type Key = keyof typeof text.en;
/** Each kind's parameters: the query key, its label, its choices ('' leaves it out) or a free text. */
type Param = { key: string; label: Key; hint?: Key; choices?: Array<[string, Key]>; numeric?: boolean };
const params: Record<ReportKind, Param[]> = {
  kpis: [
    { key: 'groupBy', label: 'groupBy', choices: [['', 'total'], ['store', 'store_'], ['register', 'register'], ['channel', 'channel_'], ['tier', 'tier'], ['segment', 'segment_'], ['cluster', 'cluster'], ['day', 'day'], ['week', 'week'], ['month', 'month']] },
    { key: 'compare', label: 'compare', choices: [['', 'nothing'], ['previous', 'previous'], ['year', 'year'], ['previous,year', 'both']] },
    { key: 'channel', label: 'channel', choices: [['', 'all'], ['offline', 'offline'], ['online', 'online']] },
    { key: 'store', label: 'store', hint: 'storeHint' },
    { key: 'segment', label: 'segment', hint: 'segmentHint' },
  ],
  cohorts: [
    { key: 'unit', label: 'unit', choices: [['', 'month'], ['week', 'week']] },
    { key: 'by', label: 'by', choices: [['', 'nothing'], ['store', 'store_'], ['channel', 'channel_'], ['promotion', 'promotion']] },
  ],
  funnels: [
    { key: 'steps', label: 'steps', hint: 'stepsHint' },
    { key: 'by', label: 'funnelBy', choices: [['', 'nothing'], ['source', 'source']] },
    { key: 'withinDays', label: 'withinDays', hint: 'withinDaysHint', numeric: true },
  ],
  economics: [{ key: 'series', label: 'series', choices: [['', 'nothing'], ['day', 'day'], ['week', 'week'], ['month', 'month']] }],
};

/** The query as the API takes it: the filled parameters only, a whole number as a number. */
function queryOf(kind: ReportKind, values: Record<string, string>): ReportQuery {
  const query: ReportQuery = {};
  for (const param of params[kind]) {
    const value = (values[param.key] ?? '').trim();
    if (value === '') continue;
    query[param.key] = param.numeric && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return query;
}

/** A new scheduled report, or a change to one (sent as a JSON merge patch of what changed). */
export function ReportForm({ report, onSaved, onCancel }: { report?: ScheduledReport; onSaved: (report: ScheduledReport) => void; onCancel: () => void }) {
  const t = useText(text);
  const words = useReportWords();
  const [name, setName] = useState(report?.name ?? '');
  const [kind, setKind] = useState<ReportKind>(report?.kind ?? 'kpis');
  const [schedule, setSchedule] = useState<ReportSchedule>(report?.schedule ?? 'weekly');
  const [timezone, setTimezone] = useState(report?.timezone ?? browserZone());
  const [active, setActive] = useState(report?.active ?? true);
  const [recipients, setRecipients] = useState((report?.recipients ?? []).join(', '));
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(Object.entries(report?.query ?? {}).map(([k, v]) => [k, String(v)])));
  const { error, busy, submit } = useSubmit(async () => {
    const query = queryOf(kind, values);
    const addresses = recipientsOf(recipients);
    if (!report) return onSaved(await api.post<ScheduledReport>('/v1/reports', { name: name.trim(), kind, schedule, timezone: timezone.trim(), recipients: addresses, query }));
    const patch: Record<string, unknown> = {};
    if (name.trim() !== report.name) patch.name = name.trim();
    if (kind !== report.kind) patch.kind = kind;
    if (schedule !== report.schedule) patch.schedule = schedule;
    if (timezone.trim() !== report.timezone) patch.timezone = timezone.trim();
    if (active !== report.active) patch.active = active;
    if (!sameRecipients(addresses, report.recipients)) patch.recipients = addresses;
    // The server keeps the query whole: a changed one is sent whole.
    if (JSON.stringify(query) !== JSON.stringify(report.query) || kind !== report.kind) patch.query = query;
    onSaved(await api.patch<ScheduledReport>(`/v1/reports/${report.id}`, patch));
  });

  const fields = ['name', 'kind', 'schedule', 'timezone', ...recipientFields, ...params[kind].map((p) => `query.${p.key}`)];
  return (
    <EditForm fields={fields} error={error} busy={busy} submitLabel={report ? t('save') : t('create')} cancelLabel={t('cancel')} onSubmit={submit} onCancel={onCancel} className="form report-form" actionsClassName="actions">
      <Field label={t('name')} error={fieldError(error, 'name')}>
        {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <div className="form-row">
        <ChoiceField label={t('kind')} error={fieldError(error, 'kind')} value={kind} values={reportKinds} optionLabel={words.kind} onChange={setKind} />
        <ChoiceField label={t('schedule')} error={fieldError(error, 'schedule')} value={schedule} values={reportSchedules} optionLabel={words.schedule} onChange={setSchedule} />
      </div>
      <div className="form-row">
        {params[kind].map((param) => (
          <Field key={`${kind}-${param.key}`} label={t(param.label)} {...(param.hint ? { hint: t(param.hint) } : {})} error={fieldError(error, `query.${param.key}`)}>
            {(props) =>
              param.choices ? (
                <select {...props} value={values[param.key] ?? ''} onChange={(e) => setValues({ ...values, [param.key]: e.target.value })}>
                  {param.choices.map(([value, label]) => (
                    <option key={value} value={value}>
                      {t(label)}
                    </option>
                  ))}
                </select>
              ) : (
                <input {...props} inputMode={param.numeric ? 'numeric' : undefined} value={values[param.key] ?? ''} onChange={(e) => setValues({ ...values, [param.key]: e.target.value })} />
              )
            }
          </Field>
        ))}
      </div>
      <Field label={t('timezone')} hint={t('timezoneHint')} error={fieldError(error, 'timezone')}>
        {(props) => <input {...props} value={timezone} onChange={(e) => setTimezone(e.target.value)} />}
      </Field>
      <RecipientsField value={recipients} onChange={setRecipients} error={error} />
      {report ? (
        <p>
          <input id="report-active" type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> <label className="inline" htmlFor="report-active">{t('active')}</label>
        </p>
      ) : null}
    </EditForm>
  );
}
