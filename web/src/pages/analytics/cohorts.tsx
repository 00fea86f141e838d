import { useMemo, useState } from 'react';
import { api } from '../../api.ts';
import { Chart } from '../../components/chart.tsx';
import { initialPeriod, PeriodPicker, type ChosenPeriod } from '../../components/analytics-period.tsx';
import { Tabs } from '../../components/tabs.tsx';
import { Empty, ErrorNote, Field, Loading, Page } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { CohortReport } from './analytics-types.ts';
import './analytics.css';

const text = defineText({
  en: {
    title: 'Cohorts',
    intro: 'Customers grouped by the month of their first purchase, followed month by month: how many came back, and what each brought in over time.',
    unit: 'Cohorts by',
    month: 'Month',
    week: 'Week',
    retention: 'Retention',
    ltv: 'LTV curves',
    views: 'Views of the cohorts',
    heatmap: 'Retention heatmap: cohorts down, {unit} since the first purchase across, the share of the cohort who bought',
    tableCaption: 'Share of each cohort who bought, by {unit} since the first purchase',
    ltvCaption: 'Revenue per customer of each cohort, summed up to each {unit} since the first purchase',
    ltvChart: 'LTV curves: cumulative revenue per customer of each cohort, and the average',
    cohort: 'Cohort',
    size: 'Customers',
    since: '{unit} {index}',
    months: 'months',
    weeks: 'weeks',
    monthShort: 'Month',
    weekShort: 'Week',
    average: 'Average',
    empty: 'No customer made a first purchase in this period',
    emptyHint: 'Cohorts form from first purchases. Choose a longer period, or check that receipts are confirmed at the tills or imported.',
    reading: 'Month 0 is the month of the first purchase, so it is always 100 %. A cohort too young to have a month shows no figure there.',
  },
  ru: {
    title: 'Когорты',
    intro: 'Клиенты, сгруппированные по месяцу первой покупки, месяц за месяцем: сколько вернулось и сколько каждый принёс со временем.',
    unit: 'Когорты по',
    month: 'Месяцам',
    week: 'Неделям',
    retention: 'Удержание',
    ltv: 'Кривые LTV',
    views: 'Виды когорт',
    heatmap: 'Тепловая карта удержания: когорты сверху вниз, {unit} с первой покупки слева направо, доля когорты, купившей снова',
    tableCaption: 'Доля каждой когорты, совершившей покупку, по {unit} с первой покупки',
    ltvCaption: 'Выручка на клиента каждой когорты нарастающим итогом по {unit} с первой покупки',
    ltvChart: 'Кривые LTV: выручка на клиента нарастающим итогом по когортам и в среднем',
    cohort: 'Когорта',
    size: 'Клиентов',
    since: '{unit} {index}',
    months: 'месяцам',
    weeks: 'неделям',
    monthShort: 'Месяц',
    weekShort: 'Неделя',
    average: 'В среднем',
    empty: 'В этом периоде никто не совершил первую покупку',
    emptyHint: 'Когорты складываются из первых покупок. Выберите период длиннее или проверьте, что чеки проводятся на кассах или загружены.',
    reading: 'Месяц 0 — месяц первой покупки, поэтому в нём всегда 100 %. У слишком молодой когорты дальних месяцев нет.',
  },
});

type Tab = 'retention' | 'ltv';

export default function Cohorts() {
  const t = useText(text);
  const [period, setPeriod] = useState<ChosenPeriod>(() => initialPeriod('last12Months'));
  const [unit, setUnit] = useState<'month' | 'week'>('month');
  const [tab, setTab] = useState<Tab>('retention');
  const report = useResource((signal) => api.get<CohortReport>('/v1/analytics/cohorts', { from: period.from, to: period.to, timezone: period.timezone, unit }, signal), [period, unit]);

  return (
    <Page title={t('title')} intro={t('intro')}>
      <div className="toolbar">
        <PeriodPicker value={period} onChange={setPeriod} presets={['last12Months', 'thisYear', 'last90']} />
        <Field label={t('unit')}>
          {(props) => (
            <select {...props} value={unit} onChange={(event) => setUnit(event.target.value as 'month' | 'week')}>
              <option value="month">{t('month')}</option>
              <option value="week">{t('week')}</option>
            </select>
          )}
        </Field>
      </div>
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.loading && !report.data ? <Loading /> : null}
      {report.data && report.data.cohorts.length === 0 ? <Empty title={t('empty')}>{t('emptyHint')}</Empty> : null}
      {report.data && report.data.cohorts.length > 0 ? (
        <Tabs
          label={t('views')}
          current={tab}
          onChange={setTab}
          tabs={[
            { key: 'retention', label: t('retention') },
            { key: 'ltv', label: t('ltv') },
          ]}
        >
          {tab === 'retention' ? <Retention report={report.data} /> : <Ltv report={report.data} />}
        </Tabs>
      ) : null}
    </Page>
  );
}

function useLabels(report: CohortReport) {
  const t = useText(text);
  const format = useFormat();
  const monthYear = new Intl.DateTimeFormat(format.locale === 'ru' ? 'ru-RU' : 'en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  const cohortLabel = (cohort: string) => (report.unit === 'month' ? monthYear.format(new Date(`${cohort}T00:00:00Z`)) : format.date(`${cohort}T00:00:00Z`));
  const indexes = report.average.map((a) => a.index);
  const sinceLabel = (index: number) => t('since', { unit: t(report.unit === 'month' ? 'monthShort' : 'weekShort'), index });
  const unitWords = t(report.unit === 'month' ? 'months' : 'weeks');
  return { cohortLabel, indexes, sinceLabel, unitWords };
}

const heatClass = (share: number) => `h${Math.min(4, Math.floor(share * 5))}`;

function Retention({ report }: { report: CohortReport }) {
  const t = useText(text);
  const format = useFormat();
  const { cohortLabel, indexes, sinceLabel, unitWords } = useLabels(report);
  const option = useMemo(() => {
    const cohorts = [...report.cohorts].reverse(); // the oldest at the top
    return {
      grid: { left: 90, right: 20, top: 10, bottom: 80 },
      tooltip: { renderMode: 'richText' },
      xAxis: { type: 'category', data: indexes.map(sinceLabel), splitArea: { show: true } },
      yAxis: { type: 'category', data: cohorts.map((c) => cohortLabel(c.cohort)), splitArea: { show: true } },
      visualMap: { min: 0, max: 100, calculable: false, text: ['100 %', '0 %'], orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#f4f6f9', '#8cb0e8', '#174a96'] }, formatter: '{value} %' },
      series: [
        {
          type: 'heatmap',
          name: t('retention'),
          data: cohorts.flatMap((c, y) => c.periods.map((p) => [p.index, y, Math.round(p.retention * 1000) / 10])),
          label: { show: indexes.length <= 14, formatter: (params: { value: [number, number, number] }) => `${params.value[2]}` },
        },
      ],
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the labels follow the report and the locale
  }, [report, format]);
  return (
    <>
      <Chart option={option} label={t('heatmap', { unit: unitWords })} height={Math.max(260, 60 + report.cohorts.length * 28 + 80)} />
      <p className="muted">{t('reading')}</p>
      <div className="table-wrap">
        <table className="heat-table">
          <caption>{t('tableCaption', { unit: unitWords })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('cohort')}</th>
              <th scope="col" className="num">{t('size')}</th>
              {indexes.map((index) => (
                <th key={index} scope="col" className="num">
                  {sinceLabel(index)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.cohorts.map((cohort) => {
              const byIndex = new Map(cohort.periods.map((p) => [p.index, p]));
              return (
                <tr key={`${cohort.cohort}-${cohort.group ?? ''}`}>
                  <th scope="row">{cohortLabel(cohort.cohort)}</th>
                  <td className="num">{format.number(cohort.size)}</td>
                  {indexes.map((index) => {
                    const p = byIndex.get(index);
                    return (
                      <td key={index} className={p ? `num ${heatClass(p.retention)}` : 'num'}>
                        {p ? format.percent(p.retention) : ''}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('average')}</th>
              <td className="num">{format.number(report.cohorts.reduce((sum, c) => sum + c.size, 0))}</td>
              {report.average.map((a) => (
                <td key={a.index} className="num">
                  {format.percent(a.retention)}
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}

function Ltv({ report }: { report: CohortReport }) {
  const t = useText(text);
  const format = useFormat();
  const { cohortLabel, indexes, sinceLabel, unitWords } = useLabels(report);
  const option = useMemo(
    () => ({
      grid: { left: 70, right: 20, top: 40, bottom: 40 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { type: 'scroll', top: 0 },
      xAxis: { type: 'category', data: indexes.map(sinceLabel) },
      yAxis: { type: 'value', axisLabel: { formatter: (value: number) => format.number(value, { notation: 'compact' }) } },
      series: [
        ...report.cohorts.map((c) => ({ type: 'line', name: cohortLabel(c.cohort), data: c.periods.map((p) => p.cumulativeRevenuePerCustomerMinor / 100), lineStyle: { width: 1 }, symbolSize: 4 })),
        { type: 'line', name: t('average'), data: report.average.map((a) => a.cumulativeRevenuePerCustomerMinor / 100), lineStyle: { width: 3 }, itemStyle: { color: '#14213d' } },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the labels follow the report and the locale
    [report, format],
  );
  return (
    <>
      <Chart option={option} label={t('ltvChart')} />
      <div className="table-wrap">
        <table>
          <caption>{t('ltvCaption', { unit: unitWords })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('cohort')}</th>
              <th scope="col" className="num">{t('size')}</th>
              {indexes.map((index) => (
                <th key={index} scope="col" className="num">
                  {sinceLabel(index)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.cohorts.map((cohort) => {
              const byIndex = new Map(cohort.periods.map((p) => [p.index, p]));
              return (
                <tr key={`${cohort.cohort}-${cohort.group ?? ''}`}>
                  <th scope="row">{cohortLabel(cohort.cohort)}</th>
                  <td className="num">{format.number(cohort.size)}</td>
                  {indexes.map((index) => {
                    const p = byIndex.get(index);
                    return (
                      <td key={index} className="num">
                        {p ? format.money(p.cumulativeRevenuePerCustomerMinor) : ''}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('average')}</th>
              <td className="num" />
              {report.average.map((a) => (
                <td key={a.index} className="num">
                  {format.money(a.cumulativeRevenuePerCustomerMinor)}
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}
