import { useMemo, useState } from 'react';
import { api } from '../../api.ts';
import { Chart } from '../../components/chart.tsx';
import { Figure } from '../../components/analytics-figures.tsx';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, ErrorNote, Field, Loading, Page } from '../../components/ui.tsx';
import { usePagedList, useResource } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { inLocale, type Survey, type SurveyReport } from './analytics-types.ts';
import './analytics.css';

const text = defineText({
  en: {
    title: 'Surveys and NPS',
    intro: 'The Net Promoter Score of each NPS survey with its 95 % margin of error, and how it moved week by week or month by month.',
    surveys: 'NPS surveys',
    name: 'Survey',
    status: 'Status',
    respondents: 'Answered',
    open: 'Show the report',
    shown: 'Shown below',
    status_draft: 'draft',
    status_open: 'open',
    status_closed: 'closed',
    empty: 'No NPS survey yet',
    emptyHint: 'A marketer creates an NPS survey and sends its link after purchases (the post-purchase NPS journey); answers show here.',
    report: 'NPS of "{title}"',
    nps: 'NPS',
    npsValue: '{nps} ± {margin}',
    interval: '95 % interval: {lower} … {upper}',
    promoters: 'Promoters (9–10)',
    passives: 'Passives (7–8)',
    detractors: 'Detractors (0–6)',
    sample: 'Sample',
    sampleOf: '{n} of {target}',
    reached: 'target reached',
    notReached: 'below target: the margin is still wide',
    noAnswers: 'No answers yet',
    noAnswersHint: 'The NPS shows once customers answer.',
    by: 'Trend by',
    week: 'Week',
    month: 'Month',
    trend: 'NPS trend',
    trendChart: 'NPS by {interval}, with its 95 % margin as the band around it',
    period: 'Period from',
    lower: 'Lower bound',
    upper: 'Upper bound',
  },
  ru: {
    title: 'Опросы и NPS',
    intro: 'Индекс потребительской лояльности (NPS) каждого NPS-опроса с погрешностью 95 % и его изменение по неделям или месяцам.',
    surveys: 'NPS-опросы',
    name: 'Опрос',
    status: 'Статус',
    respondents: 'Ответили',
    open: 'Показать отчёт',
    shown: 'Показан ниже',
    status_draft: 'черновик',
    status_open: 'открыт',
    status_closed: 'закрыт',
    empty: 'NPS-опросов пока нет',
    emptyHint: 'Маркетолог создаёт NPS-опрос и отправляет ссылку после покупки (путь «NPS после покупки»); ответы появятся здесь.',
    report: 'NPS опроса «{title}»',
    nps: 'NPS',
    npsValue: '{nps} ± {margin}',
    interval: 'Интервал 95 %: {lower} … {upper}',
    promoters: 'Промоутеры (9–10)',
    passives: 'Нейтральные (7–8)',
    detractors: 'Критики (0–6)',
    sample: 'Выборка',
    sampleOf: '{n} из {target}',
    reached: 'цель достигнута',
    notReached: 'меньше цели: погрешность ещё велика',
    noAnswers: 'Ответов пока нет',
    noAnswersHint: 'NPS появится, когда клиенты ответят.',
    by: 'Тренд по',
    week: 'Неделям',
    month: 'Месяцам',
    trend: 'Тренд NPS',
    trendChart: 'NPS по {interval} с погрешностью 95 % полосой вокруг',
    period: 'Период с',
    lower: 'Нижняя граница',
    upper: 'Верхняя граница',
  },
});

export default function Surveys() {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const list = usePagedList<Survey>('/v1/surveys', { kind: 'nps' }, 20);
  // ?survey=srv_… (the link on a survey's page) shows that survey's report first.
  const [chosen, setChosen] = useState<string | null>(() => new URLSearchParams(window.location.search).get('survey'));
  const current = chosen ?? list.items.find((s) => s.respondents > 0)?.id ?? list.items[0]?.id ?? null;
  const survey = list.items.find((s) => s.id === current) ?? null;

  return (
    <Page title={t('title')} intro={t('intro')}>
      <Card title={t('surveys')}>
        <DataTable
          caption={t('surveys')}
          {...pagedRows(list)}
          empty={{ title: t('empty'), hint: t('emptyHint') }}
          columns={[
            { key: 'name', title: t('name'), render: (row) => inLocale(row.title, locale) },
            { key: 'status', title: t('status'), render: (row) => <Badge tone={row.status === 'open' ? 'good' : 'neutral'}>{t(`status_${row.status}` as 'status_open')}</Badge> },
            { key: 'respondents', title: t('respondents'), numeric: true, render: (row) => format.number(row.respondents) },
            {
              key: 'open',
              title: t('open'),
              render: (row) =>
                row.id === current ? (
                  <span className="muted">{t('shown')}</span>
                ) : (
                  <button type="button" className="link" onClick={() => setChosen(row.id)} aria-label={`${t('open')}: ${inLocale(row.title, locale)}`}>
                    {t('open')}
                  </button>
                ),
            },
          ]}
        />
      </Card>
      {survey ? <NpsReport survey={survey} /> : null}
    </Page>
  );
}

function NpsReport({ survey }: { survey: Survey }) {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const [interval, setTrendBy] = useState<'week' | 'month'>('month');
  const report = useResource((signal) => api.get<SurveyReport>(`/v1/surveys/${survey.id}/report`, { interval }, signal), [survey.id, interval]);
  const nps = report.data?.questions.find((q) => q.nps)?.nps ?? null;
  const one = (value: number) => format.number(value, { maximumFractionDigits: 1 });
  const trend = nps?.trend ?? [];
  const dateOf = (iso: string) =>
    interval === 'month' ? new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso)) : format.date(iso);
  const option = useMemo(
    () => ({
      grid: { left: 50, right: 20, top: 20, bottom: 40 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'category', data: trend.map((p) => dateOf(p.periodStart)) },
      yAxis: { type: 'value', min: -100, max: 100 },
      series: [
        { type: 'line', name: t('lower'), data: trend.map((p) => Math.max(-100, p.nps - p.marginOfError)), stack: 'band', stackStrategy: 'all', lineStyle: { opacity: 0 }, symbol: 'none', tooltip: { show: false } },
        { type: 'line', name: t('upper'), data: trend.map((p) => Math.min(100, p.nps + p.marginOfError) - Math.max(-100, p.nps - p.marginOfError)), stack: 'band', stackStrategy: 'all', lineStyle: { opacity: 0 }, areaStyle: { color: '#c7d9f5' }, symbol: 'none', tooltip: { show: false } },
        { type: 'line', name: t('nps'), data: trend.map((p) => Math.round(p.nps * 10) / 10), itemStyle: { color: '#174a96' }, lineStyle: { width: 3 } },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- dateOf follows interval and the locale
    [trend, interval, locale, t],
  );
  const total = nps ? nps.promoters + nps.passives + nps.detractors : 0;
  const share = (n: number) => (total === 0 ? '—' : `${format.number(n)} · ${format.percent(n / total)}`);
  return (
    <Card title={t('report', { title: inLocale(survey.title, locale) })}>
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.loading && !report.data ? <Loading /> : null}
      {report.data && (!nps || nps.nps === null) ? (
        <p>
          <strong>{t('noAnswers')}</strong> {t('noAnswersHint')}
        </p>
      ) : null}
      {report.data && nps && nps.nps !== null ? (
        <>
          <div className="stats">
            <Figure
              label={t('nps')}
              value={t('npsValue', { nps: one(nps.nps), margin: one(nps.marginOfError ?? 0) })}
              change={nps.interval ? { text: t('interval', { lower: one(nps.interval.lower), upper: one(nps.interval.upper) }), good: null } : undefined}
            />
            <Figure label={t('promoters')} value={share(nps.promoters)} />
            <Figure label={t('passives')} value={share(nps.passives)} />
            <Figure label={t('detractors')} value={share(nps.detractors)} />
            <Figure
              label={t('sample')}
              value={report.data.targetRespondents ? t('sampleOf', { n: format.number(report.data.respondents), target: format.number(report.data.targetRespondents) }) : format.number(report.data.respondents)}
              change={report.data.targetReached === null ? undefined : { text: t(report.data.targetReached ? 'reached' : 'notReached'), good: report.data.targetReached }}
            />
          </div>
          <div className="section-head">
            <h3>{t('trend')}</h3>
            <Field label={t('by')}>
              {(props) => (
                <select {...props} value={interval} onChange={(event) => setTrendBy(event.target.value as 'week' | 'month')}>
                  <option value="month">{t('month')}</option>
                  <option value="week">{t('week')}</option>
                </select>
              )}
            </Field>
          </div>
          <Chart option={option} label={t('trendChart', { interval: t(interval).toLowerCase() })} height={260} />
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('trend')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('period')}</th>
                  <th scope="col" className="num">{t('respondents')}</th>
                  <th scope="col" className="num">{t('nps')}</th>
                </tr>
              </thead>
              <tbody>
                {trend.map((p) => (
                  <tr key={p.periodStart}>
                    <td>{dateOf(p.periodStart)}</td>
                    <td className="num">{format.number(p.respondents)}</td>
                    <td className="num">{t('npsValue', { nps: one(p.nps), margin: one(p.marginOfError) })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </Card>
  );
}
