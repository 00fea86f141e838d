import { useMemo, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Chart } from '../../components/chart.tsx';
import { initialPeriod, PeriodPicker, type ChosenPeriod } from '../../components/analytics-period.tsx';
import { Card, Empty, ErrorNote, Field, Loading, Page } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { FunnelReport, FunnelStep } from './analytics-types.ts';
import './analytics.css';

const text = defineText({
  en: {
    title: 'Funnels',
    intro: 'Of the customers who signed up in the period, how many made a first, a second and a third purchase, and how long each step took.',
    by: 'Split by',
    none: 'Nothing (all together)',
    source: 'Where they joined',
    within: 'Within days of signing up',
    withinHint: 'Empty: no limit',
    apply: 'Show',
    signup: 'Sign-up',
    purchase1: '1st purchase',
    purchase2: '2nd purchase',
    purchase3: '3rd purchase',
    purchaseN: 'Purchase {n}',
    event: 'Event {type}',
    step: 'Step',
    customers: 'Customers',
    fromPrevious: 'Conversion from the step before',
    fromFirst: 'Conversion from sign-up',
    median: 'Median time from the step before',
    hours: { one: '{count} hour', other: '{count} hours' },
    days: { one: '{count} day', other: '{count} days' },
    chart: 'Funnel: customers at each step',
    overall: 'All customers',
    group: 'Joined through: {group}',
    caption: 'Funnel steps: {group}',
    empty: 'No one signed up in this period',
    emptyHint: 'A funnel starts at sign-up. Choose a longer period, or wait until customers join at the till or on the join form.',
  },
  ru: {
    title: 'Воронки',
    intro: 'Из клиентов, зарегистрированных за период, сколько совершили первую, вторую и третью покупку и сколько занял каждый шаг.',
    by: 'Разбить по',
    none: 'Без разбивки',
    source: 'Месту регистрации',
    within: 'В пределах дней от регистрации',
    withinHint: 'Пусто — без ограничения',
    apply: 'Показать',
    signup: 'Регистрация',
    purchase1: '1-я покупка',
    purchase2: '2-я покупка',
    purchase3: '3-я покупка',
    purchaseN: 'Покупка {n}',
    event: 'Событие {type}',
    step: 'Шаг',
    customers: 'Клиентов',
    fromPrevious: 'Конверсия из предыдущего шага',
    fromFirst: 'Конверсия из регистрации',
    median: 'Медианное время от предыдущего шага',
    hours: { one: '{count} час', few: '{count} часа', many: '{count} часов', other: '{count} часа' },
    days: { one: '{count} день', few: '{count} дня', many: '{count} дней', other: '{count} дня' },
    chart: 'Воронка: клиентов на каждом шаге',
    overall: 'Все клиенты',
    group: 'Место регистрации: {group}',
    caption: 'Шаги воронки: {group}',
    empty: 'В этом периоде никто не зарегистрировался',
    emptyHint: 'Воронка начинается с регистрации. Выберите период длиннее или дождитесь, пока клиенты вступят на кассе или через форму.',
  },
});

export default function Funnels() {
  const t = useText(text);
  const [period, setPeriod] = useState<ChosenPeriod>(() => initialPeriod('last90'));
  const [by, setBy] = useState<'none' | 'source'>('none');
  const [withinInput, setWithinInput] = useState('');
  const [within, setWithin] = useState('');
  const report = useResource(
    (signal) => api.get<FunnelReport>('/v1/analytics/funnels', { from: period.from, to: period.to, timezone: period.timezone, by, withinDays: within || undefined }, signal),
    [period, by, within],
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setWithin(withinInput.trim());
  };
  // The query's own field: the server names it querystring:withinDays (or …/withinDays).
  const withinError = report.error instanceof ApiError ? (report.error.fields.find((f) => /withinDays$/.test(f.field))?.reason ?? null) : null;

  return (
    <Page title={t('title')} intro={t('intro')}>
      <div className="toolbar">
        <PeriodPicker value={period} onChange={setPeriod} presets={['last90', 'last30', 'last12Months', 'thisYear']} />
        <Field label={t('by')}>
          {(props) => (
            <select {...props} value={by} onChange={(event) => setBy(event.target.value as 'none' | 'source')}>
              <option value="none">{t('none')}</option>
              <option value="source">{t('source')}</option>
            </select>
          )}
        </Field>
        <form className="toolbar" onSubmit={apply} noValidate>
          <Field label={t('within')} hint={t('withinHint')} error={withinError}>
            {(props) => <input {...props} inputMode="numeric" value={withinInput} onChange={(event) => setWithinInput(event.target.value)} />}
          </Field>
          <div className="period-apply">
            <button type="submit" className="secondary">
              {t('apply')}
            </button>
          </div>
        </form>
      </div>
      <ErrorNote error={withinError ? null : report.error} onRetry={report.reload} />
      {report.loading && !report.data ? <Loading /> : null}
      {report.data && (report.data.overall.steps[0]?.customers ?? 0) === 0 ? <Empty title={t('empty')}>{t('emptyHint')}</Empty> : null}
      {report.data && (report.data.overall.steps[0]?.customers ?? 0) > 0 ? (
        <>
          <Card title={t('overall')}>
            <FunnelChart steps={report.data.overall.steps} />
            <StepTable steps={report.data.overall.steps} caption={t('caption', { group: t('overall') })} />
          </Card>
          {report.data.groups.map((group) => (
            <Card key={group.group ?? '-'} title={t('group', { group: group.group ?? '—' })}>
              <StepTable steps={group.steps} caption={t('caption', { group: group.group ?? '—' })} />
            </Card>
          ))}
        </>
      ) : null}
    </Page>
  );
}

function useStepNames() {
  const t = useText(text);
  return (steps: FunnelStep[]) => {
    let purchases = 0;
    return steps.map((s) => {
      if (s.step === 'signup') return t('signup');
      if (s.step === 'purchase') {
        purchases += 1;
        return purchases <= 3 ? t(`purchase${purchases}` as 'purchase1') : t('purchaseN', { n: purchases });
      }
      return t('event', { type: s.step.replace(/^event:/, '') });
    });
  };
}

function FunnelChart({ steps }: { steps: FunnelStep[] }) {
  const t = useText(text);
  const names = useStepNames()(steps);
  const option = useMemo(
    () => ({
      grid: { left: 110, right: 40, top: 10, bottom: 30 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: names },
      series: [{ type: 'bar', name: t('customers'), data: steps.map((s) => s.customers), itemStyle: { color: '#2f6fde' }, label: { show: true, position: 'right' } }],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- names follow steps and the locale
    [steps, t],
  );
  return <Chart option={option} label={t('chart')} height={Math.max(180, steps.length * 50)} />;
}

function StepTable({ steps, caption }: { steps: FunnelStep[]; caption: string }) {
  const t = useText(text);
  const format = useFormat();
  const names = useStepNames()(steps);
  const share = (value: number | null) => (value === null ? '—' : format.percent(value));
  const duration = (hours: number | null) => {
    if (hours === null) return '—';
    if (hours < 48) return t('hours', { count: Math.round(hours * 10) / 10 });
    return t('days', { count: Math.round((hours / 24) * 10) / 10 });
  };
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('step')}</th>
            <th scope="col" className="num">{t('customers')}</th>
            <th scope="col" className="num">{t('fromPrevious')}</th>
            <th scope="col" className="num">{t('fromFirst')}</th>
            <th scope="col" className="num">{t('median')}</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s, i) => (
            <tr key={i}>
              <th scope="row">{names[i]}</th>
              <td className="num">{format.number(s.customers)}</td>
              <td className="num">{share(s.conversionFromPrevious)}</td>
              <td className="num">{share(s.conversionFromFirst)}</td>
              <td className="num">{duration(s.medianHoursFromPrevious)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
