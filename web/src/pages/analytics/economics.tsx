import { useMemo, useState } from 'react';
import { api } from '../../api.ts';
import { Chart } from '../../components/chart.tsx';
import { Figure } from '../../components/analytics-figures.tsx';
import { initialPeriod, PeriodPicker, type ChosenPeriod } from '../../components/analytics-period.tsx';
import { Card, Empty, ErrorNote, Loading, Page } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { EconomicsReport } from './analytics-types.ts';
import './analytics.css';

const text = defineText({
  en: {
    title: 'Economics of the bonus system',
    intro: 'What the program gave and took back in points, what the points still held are worth (the liability), how many expire unused (breakage), and what the program costs against revenue.',
    points: 'Points in the period',
    issued: 'Issued on receipts',
    awarded: 'Awarded (actions, referrals, birthdays)',
    redeemed: 'Redeemed',
    expired: 'Expired',
    outstandingStart: 'Outstanding at the start',
    outstandingEnd: 'Outstanding at the end',
    liability: 'Liability',
    liabilityEnd: 'Liability at the end',
    liabilityStart: 'at the start: {value}',
    pointValue: 'A point is worth {value} (the program setting now).',
    byExpiry: 'Liability by expiry month',
    byExpiryIntro: 'What is outstanding now, by the month it expires (as of {date}, whatever the period).',
    byExpiryChart: 'Liability by the month the points expire, a bar per month',
    month: 'Month',
    never: 'Never expires',
    pointsColumn: 'Points',
    value: 'Value',
    noLiability: 'No points are outstanding',
    noLiabilityHint: 'Points appear as customers earn them at the till; an earning rule (Program) decides how many.',
    breakage: 'Breakage',
    breakageRate: 'Expired ÷ given in the period',
    historical: 'Expired unused, of the points whose date has passed',
    expected: 'Expected to expire of what is outstanding',
    cost: 'Cost of the program',
    cash: 'Cash cost (redeemed + discounts)',
    cashShare: 'Cash cost, share of revenue',
    accrual: 'Accrual cost (given × (1 − breakage) + discounts)',
    accrualShare: 'Accrual cost, share of revenue',
    revenue: 'Revenue',
    roi: 'Return measured by control groups',
    roiValue: 'ROI {value}',
    roiCi: '95 % interval {lower} … {upper}',
    roiOpen: 'Some attribution windows are still open: the figure can still grow.',
    flows: 'Points by month',
    asTable: 'Show as a table',
    flowsChart: 'Points issued, redeemed and expired by month',
    none: '—',
  },
  ru: {
    title: 'Экономика бонусной программы',
    intro: 'Сколько баллов программа дала и забрала, сколько стоят баллы на счетах (обязательства), сколько сгорает неиспользованными (breakage) и во что программа обходится относительно выручки.',
    points: 'Баллы за период',
    issued: 'Начислено за покупки',
    awarded: 'Подарено (акции, рефералы, дни рождения)',
    redeemed: 'Списано',
    expired: 'Сгорело',
    outstandingStart: 'На счетах в начале',
    outstandingEnd: 'На счетах в конце',
    liability: 'Обязательства',
    liabilityEnd: 'Обязательства в конце',
    liabilityStart: 'в начале: {value}',
    pointValue: 'Балл стоит {value} (текущая настройка программы).',
    byExpiry: 'Обязательства по месяцу сгорания',
    byExpiryIntro: 'Что на счетах сейчас, по месяцу, когда сгорит (на {date}, независимо от периода).',
    byExpiryChart: 'Обязательства по месяцу сгорания баллов, столбец на месяц',
    month: 'Месяц',
    never: 'Не сгорают',
    pointsColumn: 'Баллы',
    value: 'Стоимость',
    noLiability: 'На счетах нет баллов',
    noLiabilityHint: 'Баллы появляются, когда клиенты получают их на кассе; сколько — решает правило начисления (Программа).',
    breakage: 'Сгорание (breakage)',
    breakageRate: 'Сгорело ÷ выдано за период',
    historical: 'Сгорело неиспользованными из баллов с прошедшим сроком',
    expected: 'Ожидается, что сгорит из остатка',
    cost: 'Стоимость программы',
    cash: 'Кассовая стоимость (списания + скидки)',
    cashShare: 'Кассовая стоимость, доля выручки',
    accrual: 'Начисленная стоимость (выдано × (1 − сгорание) + скидки)',
    accrualShare: 'Начисленная стоимость, доля выручки',
    revenue: 'Выручка',
    roi: 'Отдача, измеренная контрольными группами',
    roiValue: 'ROI {value}',
    roiCi: '95 % интервал {lower} … {upper}',
    roiOpen: 'Окна атрибуции ещё открыты: показатель может вырасти.',
    flows: 'Баллы по месяцам',
    asTable: 'Показать таблицей',
    flowsChart: 'Начислено, списано и сгорело баллов по месяцам',
    none: '—',
  },
});

export default function Economics() {
  const t = useText(text);
  const format = useFormat();
  const [period, setPeriod] = useState<ChosenPeriod>(() => initialPeriod('last12Months'));
  const report = useResource(
    (signal) => api.get<EconomicsReport>('/v1/analytics/economics', { from: period.from, to: period.to, timezone: period.timezone, series: 'month' }, signal),
    [period],
  );
  const e = report.data;
  const money = (minor: number | null) => (minor === null || !e ? t('none') : format.money(minor, e.currency));
  const share = (value: number | null) => (value === null ? t('none') : format.percent(value));

  return (
    <Page title={t('title')} intro={t('intro')}>
      <PeriodPicker value={period} onChange={setPeriod} presets={['last12Months', 'thisYear', 'last90', 'last30', 'thisMonth']} />
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.loading && !e ? <Loading /> : null}
      {e ? (
        <>
          <section aria-labelledby="eco-liability">
            <h2 id="eco-liability">{t('liability')}</h2>
            <div className="stats">
              <Figure label={t('liabilityEnd')} value={money(e.liability.atEndMinor)} change={{ text: t('liabilityStart', { value: money(e.liability.atStartMinor) }), good: null }} />
              <Figure label={t('outstandingEnd')} value={format.number(e.points.outstandingAtEnd)} change={{ text: t('liabilityStart', { value: format.number(e.points.outstandingAtStart) }), good: null }} />
            </div>
            <p className="muted">{t('pointValue', { value: money(e.pointValueMinor) })}</p>
          </section>
          <section aria-labelledby="eco-points">
            <h2 id="eco-points">{t('points')}</h2>
            <div className="stats">
              <Figure label={t('issued')} value={format.number(e.points.issued)} />
              <Figure label={t('awarded')} value={format.number(e.points.awarded)} />
              <Figure label={t('redeemed')} value={format.number(e.points.redeemedAtTill + e.points.redeemedOnRewards)} />
              <Figure label={t('expired')} value={format.number(e.points.expired)} />
            </div>
          </section>
          <ExpiryMonths report={e} />
          <Flows report={e} />
          <section aria-labelledby="eco-breakage">
            <h2 id="eco-breakage">{t('breakage')}</h2>
            <div className="stats">
              <Figure label={t('breakageRate')} value={share(e.breakage.rate)} />
              <Figure label={t('historical')} value={share(e.breakage.historicalRate)} />
              <Figure label={t('expected')} value={e.breakage.expectedPoints === null ? t('none') : `${format.number(e.breakage.expectedPoints)} · ${money(e.breakage.expectedMinor)}`} />
            </div>
          </section>
          <section aria-labelledby="eco-cost">
            <h2 id="eco-cost">{t('cost')}</h2>
            <div className="stats">
              <Figure label={t('revenue')} value={money(e.revenue.revenueMinor)} />
              <Figure label={t('cash')} value={money(e.cost.cashMinor)} />
              <Figure label={t('cashShare')} value={share(e.cost.shareOfRevenue)} />
              <Figure label={t('accrual')} value={money(e.cost.accrualMinor)} />
              <Figure label={t('accrualShare')} value={share(e.cost.accrualShareOfRevenue)} />
            </div>
            <Card title={t('roi')}>
              {e.roi ? (
                <>
                  <p className="stat-value">{t('roiValue', { value: format.percent(e.roi.value) })}</p>
                  {e.roi.ci ? <p>{t('roiCi', { lower: format.percent(e.roi.ci.lower), upper: format.percent(e.roi.ci.upper) })}</p> : null}
                  {e.roi.complete ? null : <p className="muted">{t('roiOpen')}</p>}
                </>
              ) : (
                <p>{e.roiReason}</p>
              )}
            </Card>
          </section>
        </>
      ) : null}
    </Page>
  );
}

function ExpiryMonths({ report }: { report: EconomicsReport }) {
  const t = useText(text);
  const format = useFormat();
  const months = report.liabilityByExpiryMonth.months;
  const monthName = (month: string, style: 'long' | 'short' = 'long') =>
    month === 'never' ? t('never') : new Intl.DateTimeFormat(format.locale === 'ru' ? 'ru-RU' : 'en-GB', { month: style, year: 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`));
  const option = useMemo(
    () => ({
      grid: { left: 80, right: 20, top: 20, bottom: 50 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'category', data: months.map((m) => monthName(m.month, 'short')), axisLabel: { interval: 0, rotate: months.length > 6 ? 30 : 0 } },
      yAxis: { type: 'value', axisLabel: { formatter: (value: number) => format.number(value, { notation: 'compact' }) } },
      series: [{ type: 'bar', name: t('value'), data: months.map((m) => m.valueMinor / 100), itemStyle: { color: '#2f6fde' } }],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- monthName follows the locale in format
    [months, format, t],
  );
  return (
    <Card title={t('byExpiry')}>
      <p className="muted">{t('byExpiryIntro', { date: format.dateTime(report.liabilityByExpiryMonth.asOf) })}</p>
      {months.length === 0 ? (
        <Empty title={t('noLiability')}>{t('noLiabilityHint')}</Empty>
      ) : (
        <div className="two-columns">
          <Chart option={option} label={t('byExpiryChart')} height={260} />
          <div className="table-wrap">
            <table>
              <caption>{t('byExpiry')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('month')}</th>
                  <th scope="col" className="num">{t('pointsColumn')}</th>
                  <th scope="col" className="num">{t('value')}</th>
                </tr>
              </thead>
              <tbody>
                {months.map((m) => (
                  <tr key={m.month}>
                    <td>{monthName(m.month)}</td>
                    <td className="num">{format.number(m.points)}</td>
                    <td className="num">{format.money(m.valueMinor, report.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </Card>
  );
}

function Flows({ report }: { report: EconomicsReport }) {
  const t = useText(text);
  const format = useFormat();
  const series = report.series ?? [];
  const label = (period: string) => new Intl.DateTimeFormat(format.locale === 'ru' ? 'ru-RU' : 'en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${period.slice(0, 10)}T00:00:00Z`));
  const option = useMemo(
    () => ({
      grid: { left: 70, right: 20, top: 40, bottom: 40 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: series.map((s) => label(s.period)) },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: t('issued'), data: series.map((s) => s.issued + s.awarded), itemStyle: { color: '#2f6fde' } },
        { type: 'bar', name: t('redeemed'), data: series.map((s) => s.redeemedAtTill + s.redeemedOnRewards), itemStyle: { color: '#1f8a4c' } },
        { type: 'bar', name: t('expired'), data: series.map((s) => s.expired), itemStyle: { color: '#b3261e' } },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- label follows the locale in format
    [series, format, t],
  );
  if (series.length === 0) return null;
  return (
    <Card title={t('flows')}>
      <Chart option={option} label={t('flowsChart')} height={260} />
      <details>
        <summary>{t('asTable')}</summary>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('flows')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('month')}</th>
                <th scope="col" className="num">{t('issued')}</th>
                <th scope="col" className="num">{t('awarded')}</th>
                <th scope="col" className="num">{t('redeemed')}</th>
                <th scope="col" className="num">{t('expired')}</th>
              </tr>
            </thead>
            <tbody>
              {series.map((s) => (
                <tr key={s.period}>
                  <td>{label(s.period)}</td>
                  <td className="num">{format.number(s.issued)}</td>
                  <td className="num">{format.number(s.awarded)}</td>
                  <td className="num">{format.number(s.redeemedAtTill + s.redeemedOnRewards)}</td>
                  <td className="num">{format.number(s.expired)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </Card>
  );
}
