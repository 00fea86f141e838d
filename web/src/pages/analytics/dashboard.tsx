import { useMemo, useState } from 'react';
import { api, type Page as ListPage } from '../../api.ts';
import { Chart } from '../../components/chart.tsx';
import { Figure, useChange } from '../../components/analytics-figures.tsx';
import { initialPeriod, PeriodPicker, previousPeriod, type ChosenPeriod } from '../../components/analytics-period.tsx';
import { Card, Empty, ErrorNote, Loading, Page } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import type { EconomicsReport, KpiReport, Survey, SurveyReport } from './analytics-types.ts';
import { inLocale } from './analytics-types.ts';
import './analytics.css';

const text = defineText({
  en: {
    title: 'Dashboard',
    intro: 'The main figures of the period beside the period of the same length just before it.',
    compared: 'Compared with {from} – {to}.',
    sales: 'Sales',
    revenue: 'Revenue',
    receipts: 'Receipts',
    averageCheck: 'Average check',
    customers: 'Active customers',
    newCustomers: 'of them new: {count}',
    recognition: 'Recognition at the till',
    recognitionIntro: 'How often the till asks for the card: receipts with a customer ÷ receipts at the till.',
    byStore: 'Recognition rate by store',
    store: 'Store',
    tillReceipts: 'Receipts at the till',
    identified: 'With a customer',
    rate: 'Recognition rate',
    noTill: 'No receipts at the till in this period',
    noTillHint: 'The figures appear once stores confirm receipts at their tills. Try a longer period.',
    points: 'Points',
    issued: 'Points issued',
    redeemed: 'Points redeemed',
    outstanding: 'Points outstanding',
    outstandingChange: 'at the start: {value}',
    economics: 'The economics of the bonus system',
    nps: 'NPS',
    npsOf: 'From the survey "{title}", {count} answered in the period.',
    npsValue: '{nps} ± {margin}',
    npsNone: 'No answers to an NPS survey in this period',
    npsNoSurvey: 'No NPS survey yet: a marketer creates one, and its answers show here.',
    surveys: 'Surveys and NPS',
    revenueByDay: 'Revenue by day',
    revenueChart: 'Revenue by day, {from} – {to}',
    asTable: 'Show as a table',
    day: 'Day',
    chartByStore: 'Recognition rate by store, a bar per store',
    noValue: '—',
  },
  ru: {
    title: 'Обзор',
    intro: 'Главные показатели периода рядом с таким же по длине периодом перед ним.',
    compared: 'Сравнение с периодом {from} – {to}.',
    sales: 'Продажи',
    revenue: 'Выручка',
    receipts: 'Чеки',
    averageCheck: 'Средний чек',
    customers: 'Активные клиенты',
    newCustomers: 'из них новых: {count}',
    recognition: 'Узнавание на кассе',
    recognitionIntro: 'Как часто касса спрашивает карту: чеки с клиентом ÷ чеки на кассе.',
    byStore: 'Узнавание по магазинам',
    store: 'Магазин',
    tillReceipts: 'Чеков на кассе',
    identified: 'С клиентом',
    rate: 'Доля узнавания',
    noTill: 'В этом периоде нет чеков на кассе',
    noTillHint: 'Показатели появятся, когда магазины проведут чеки на кассах. Попробуйте период длиннее.',
    points: 'Баллы',
    issued: 'Начислено баллов',
    redeemed: 'Списано баллов',
    outstanding: 'Баллов на счетах',
    outstandingChange: 'в начале периода: {value}',
    economics: 'Экономика бонусной программы',
    nps: 'NPS',
    npsOf: 'По опросу «{title}», ответили за период: {count}.',
    npsValue: '{nps} ± {margin}',
    npsNone: 'За этот период нет ответов на NPS-опрос',
    npsNoSurvey: 'NPS-опроса пока нет: его создаёт маркетолог, и ответы появятся здесь.',
    surveys: 'Опросы и NPS',
    revenueByDay: 'Выручка по дням',
    revenueChart: 'Выручка по дням, {from} – {to}',
    asTable: 'Показать таблицей',
    day: 'День',
    chartByStore: 'Доля узнавания по магазинам, столбец на магазин',
    noValue: '—',
  },
});

type StoreList = ListPage<{ id: string; name: string }>;
const query = (period: ChosenPeriod) => ({ from: period.from, to: period.to, timezone: period.timezone });

export default function Dashboard() {
  const t = useText(text);
  const format = useFormat();
  const [period, setPeriod] = useState<ChosenPeriod>(() => initialPeriod('last30'));
  const kpis = useResource((signal) => api.get<KpiReport>('/v1/analytics/kpis', { ...query(period), compare: 'previous' }, signal), [period]);
  const before = kpis.data?.compared.previous;

  return (
    <Page title={t('title')} intro={t('intro')}>
      <PeriodPicker value={period} onChange={setPeriod} presets={['last7', 'last30', 'last90', 'thisMonth']} />
      {before ? <p className="muted">{t('compared', { from: format.date(before.from), to: format.date(before.to) })}</p> : null}
      <ErrorNote error={kpis.error} onRetry={kpis.reload} />
      {kpis.loading && !kpis.data ? <Loading /> : null}
      {kpis.data ? <Headline report={kpis.data} /> : null}
      <RevenueByDay period={period} />
      <RecognitionByStore period={period} />
      <PointsFigures period={period} />
      <NpsFigure period={period} />
    </Page>
  );
}

function Headline({ report }: { report: KpiReport }) {
  const t = useText(text);
  const format = useFormat();
  const change = useChange();
  const now = report.overall.current;
  const before = report.overall.previous ?? null;
  const money = (minor: number | null) => (minor === null ? t('noValue') : format.money(minor));
  return (
    <section aria-labelledby="dash-sales">
      <h2 id="dash-sales">{t('sales')}</h2>
      <div className="stats">
        <Figure label={t('revenue')} value={money(now.revenueMinor)} change={change.relative(now.revenueMinor, before?.revenueMinor)} />
        <Figure label={t('receipts')} value={format.number(now.receipts)} change={change.relative(now.receipts, before?.receipts)} />
        <Figure label={t('averageCheck')} value={money(now.averageCheckMinor)} change={change.relative(now.averageCheckMinor, before?.averageCheckMinor)} />
        <Figure label={t('customers')} value={<>{format.number(now.customers)} <span className="figure-note">{t('newCustomers', { count: format.number(now.newCustomers) })}</span></>} change={change.relative(now.customers, before?.customers)} />
        <Figure
          label={t('recognition')}
          value={now.recognitionRate === null ? t('noValue') : format.percent(now.recognitionRate)}
          change={change.points(now.recognitionRate, before?.recognitionRate)}
        />
      </div>
    </section>
  );
}

function RevenueByDay({ period }: { period: ChosenPeriod }) {
  const t = useText(text);
  const format = useFormat();
  const series = useResource((signal) => api.get<KpiReport>('/v1/analytics/kpis', { ...query(period), groupBy: 'day' }, signal), [period]);
  const option = useMemo(() => {
    const rows = series.data?.rows ?? [];
    return {
      grid: { left: 70, right: 20, top: 20, bottom: 40 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'category', data: rows.map((row) => format.date(row.group.period)) },
      yAxis: { type: 'value', axisLabel: { formatter: (value: number) => format.number(value, { notation: 'compact' }) } },
      series: [{ type: 'line', name: t('revenue'), data: rows.map((row) => row.current.revenueMinor / 100), smooth: true, areaStyle: { opacity: 0.15 } }],
    };
  }, [series.data, format, t]);
  const rows = series.data?.rows ?? [];
  return (
    <Card title={t('revenueByDay')}>
      <ErrorNote error={series.error} onRetry={series.reload} />
      {series.loading && !series.data ? <Loading /> : null}
      {series.data ? (
        <>
          <Chart option={option} label={t('revenueChart', { from: format.date(period.from), to: format.date(period.to) })} height={240} />
          <details>
            <summary>{t('asTable')}</summary>
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">{t('revenueByDay')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('day')}</th>
                    <th scope="col" className="num">{t('revenue')}</th>
                    <th scope="col" className="num">{t('receipts')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.group.period}>
                      <td>{format.date(row.group.period)}</td>
                      <td className="num">{format.money(row.current.revenueMinor)}</td>
                      <td className="num">{format.number(row.current.receipts)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      ) : null}
    </Card>
  );
}

function RecognitionByStore({ period }: { period: ChosenPeriod }) {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const report = useResource((signal) => api.get<KpiReport>('/v1/analytics/kpis', { ...query(period), groupBy: 'store' }, signal), [period]);
  // Store names for the table: one page of the stores (a program has tens, not thousands); an unknown one shows its id.
  const stores = useResource((signal) => (can('program:read') ? api.get<StoreList>('/v1/stores', { limit: 200 }, signal) : Promise.resolve({ items: [], nextCursor: null })), []);
  const names = new Map((stores.data?.items ?? []).map((store) => [store.id, store.name]));
  const rows = (report.data?.rows ?? []).filter((row) => row.current.tillReceipts > 0);
  const nameOf = (id: string | undefined) => (id ? names.get(id) ?? id : '—');
  const option = useMemo(
    () => ({
      grid: { left: 50, right: 20, top: 20, bottom: 60 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'category', data: rows.map((row) => nameOf(row.group.store)), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value} %' } },
      series: [{ type: 'bar', name: t('rate'), data: rows.map((row) => Math.round((row.current.recognitionRate ?? 0) * 1000) / 10), itemStyle: { color: '#2f6fde' } }],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- nameOf reads names, which follows stores.data
    [rows.length, report.data, stores.data, t],
  );
  return (
    <Card title={t('byStore')}>
      <p className="muted">{t('recognitionIntro')}</p>
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.loading && !report.data ? <Loading /> : null}
      {report.data && rows.length === 0 ? <Empty title={t('noTill')}>{t('noTillHint')}</Empty> : null}
      {rows.length > 0 ? (
        <div className="two-columns">
          <Chart option={option} label={t('chartByStore')} height={260} />
          <div className="table-wrap">
            <table>
              <caption>{t('byStore')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('store')}</th>
                  <th scope="col" className="num">{t('tillReceipts')}</th>
                  <th scope="col" className="num">{t('identified')}</th>
                  <th scope="col" className="num">{t('rate')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.group.store}>
                    <td>{nameOf(row.group.store)}</td>
                    <td className="num">{format.number(row.current.tillReceipts)}</td>
                    <td className="num">{format.number(row.current.tillIdentifiedReceipts)}</td>
                    <td className="num">{row.current.recognitionRate === null ? '—' : format.percent(row.current.recognitionRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </Card>
  );
}

function PointsFigures({ period }: { period: ChosenPeriod }) {
  const t = useText(text);
  const format = useFormat();
  const change = useChange();
  const report = useResource(
    async (signal) => {
      const before = previousPeriod(period);
      const [now, then] = await Promise.all([
        api.get<EconomicsReport>('/v1/analytics/economics', query(period), signal),
        api.get<EconomicsReport>('/v1/analytics/economics', { ...before, timezone: period.timezone }, signal),
      ]);
      return { now, then };
    },
    [period],
  );
  const issued = (e: EconomicsReport) => e.points.issued + e.points.awarded;
  const redeemed = (e: EconomicsReport) => e.points.redeemedAtTill + e.points.redeemedOnRewards;
  // Outstanding is a stock: its change is over the period itself, the end against the start.
  const outstandingChange = (e: EconomicsReport) => {
    const moved = change.sinceStart(e.points.outstandingAtEnd, e.points.outstandingAtStart);
    return { ...moved, text: `${moved.text} (${t('outstandingChange', { value: format.number(e.points.outstandingAtStart) })})` };
  };
  return (
    <section aria-labelledby="dash-points">
      <div className="section-head">
        <h2 id="dash-points">{t('points')}</h2>
        <Link to="/analytics/economics">{t('economics')}</Link>
      </div>
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.loading && !report.data ? <Loading /> : null}
      {report.data ? (
        <div className="stats">
          <Figure label={t('issued')} value={format.number(issued(report.data.now))} change={change.relative(issued(report.data.now), issued(report.data.then), 'neutral')} />
          <Figure label={t('redeemed')} value={format.number(redeemed(report.data.now))} change={change.relative(redeemed(report.data.now), redeemed(report.data.then), 'neutral')} />
          <Figure label={t('outstanding')} value={format.number(report.data.now.points.outstandingAtEnd)} change={outstandingChange(report.data.now)} />
        </div>
      ) : null}
    </section>
  );
}

/** NPS of the newest NPS survey with answers in the period, beside the period before. */
function NpsFigure({ period }: { period: ChosenPeriod }) {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const can = useCan();
  const change = useChange();
  const report = useResource(
    async (signal) => {
      if (!can('surveys:read')) return null;
      const surveys = await api.get<ListPage<Survey>>('/v1/surveys', { kind: 'nps', limit: 20 }, signal);
      const survey = surveys.items.find((s) => s.respondents > 0) ?? null;
      if (!survey) return { survey: null, now: null, then: null };
      const kpiPeriod = await api.get<KpiReport>('/v1/analytics/kpis', { ...query(period), compare: 'previous' }, signal);
      const instants = (p: { start: string; end: string }) => ({ from: p.start, to: p.end });
      const [now, then] = await Promise.all([
        api.get<SurveyReport>(`/v1/surveys/${survey.id}/report`, instants(kpiPeriod.period), signal),
        kpiPeriod.compared.previous ? api.get<SurveyReport>(`/v1/surveys/${survey.id}/report`, instants(kpiPeriod.compared.previous), signal) : Promise.resolve(null),
      ]);
      return { survey, now, then };
    },
    [period],
  );
  if (!can('surveys:read')) return null;
  const npsOf = (r: SurveyReport | null) => r?.questions.find((q) => q.nps)?.nps ?? null;
  const now = npsOf(report.data?.now ?? null);
  const then = npsOf(report.data?.then ?? null);
  return (
    <section aria-labelledby="dash-nps">
      <div className="section-head">
        <h2 id="dash-nps">{t('nps')}</h2>
        <Link to="/analytics/surveys">{t('surveys')}</Link>
      </div>
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.loading && !report.data ? <Loading /> : null}
      {report.data && !report.data.survey ? <Empty title={t('npsNoSurvey')} /> : null}
      {report.data?.survey && (now?.nps ?? null) === null ? <Empty title={t('npsNone')} /> : null}
      {report.data?.survey && now && now.nps !== null ? (
        <>
          <div className="stats">
            <Figure
              label={t('nps')}
              value={t('npsValue', { nps: format.number(now.nps, { maximumFractionDigits: 1 }), margin: format.number(now.marginOfError ?? 0, { maximumFractionDigits: 1 }) })}
              change={change.points(now.nps / 100, then?.nps === null || then?.nps === undefined ? null : then.nps / 100)}
            />
          </div>
          <p className="muted">{t('npsOf', { title: inLocale(report.data.survey.title, locale), count: format.number(report.data.now?.respondents ?? 0) })}</p>
        </>
      ) : null}
    </section>
  );
}
