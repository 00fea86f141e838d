import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Chart } from '../../components/chart.tsx';
import { Card, Empty, ErrorNote, Field, Loading, Page, Progress, Stat, fieldError } from '../../components/ui.tsx';
import { usePolling, useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { knownGroup, rfmGroupWords, rfmMeaningRu } from './rfm-words.ts';
import './segments.css';

type Cell = { recency: number; frequency: number; group: string; customers: number; revenueMinor: number; purchases: number; averageCheckMinor: number | null };
type Group = { group: string; meaning: string; cells: number[][]; customers: number; share: number; revenueMinor: number; averageCheckMinor: number | null; averageRecencyDays: number | null; averageFrequency: number | null };
type Run = { id: string; status: 'running' | 'completed' | 'failed'; phase: 'scoring' | 'reporting' | 'done'; windowDays: number; asOf: string; scored: number; failure?: string; startedAt: string; finishedAt?: string };
type Report = Run & {
  report: { customers: number; notScored: number; revenueMinor: number; grid: Cell[]; groups: Group[]; transitions: { previousRunId: string | null; moves: Array<{ from: string | null; to: string | null; customers: number }> } };
};

const text = defineText({
  en: {
    title: 'RFM',
    intro: 'Customers who bought in the window, scored 1–5 on recency, frequency and money, and sorted into named groups a campaign can aim at.',
    scored: 'Customers scored',
    notScored: 'Not scored (no purchase in the window)',
    revenue: 'Revenue in the window',
    window: 'Window',
    windowValue: { one: '{count} day to {date}', other: '{count} days to {date}' },
    grid: 'Recency × frequency',
    chartLabel: 'Heatmap of customers by recency score (rows) and frequency score (columns)',
    gridCaption: 'Customers, revenue and average check in each recency × frequency cell',
    recency: 'Recency',
    frequency: 'Frequency',
    recencyScore: 'R {score}',
    frequencyScore: 'F {score}',
    customers: 'Customers',
    revenueShort: 'Revenue',
    averageCheck: 'Average check',
    groups: 'Groups',
    groupsCaption: 'The RFM groups with their sizes and figures',
    group: 'Group',
    meaning: 'Who they are',
    share: 'Share',
    averageDays: 'Days since last purchase (avg.)',
    averagePurchases: 'Purchases (avg.)',
    transitions: 'Moves since the previous run',
    transitionsCaption: 'Customers who moved between groups since the previous run',
    from: 'From',
    to: 'To',
    notScoredGroup: 'not scored',
    firstRun: 'This is the first run: moves appear after the next one.',
    noMoves: 'Nobody changed group since the previous run.',
    none: 'No RFM run yet',
    noneHint: 'Start one below: it scores every customer by their purchases in the window.',
    noneRead: 'A run starts every night; an owner or a marketer can start one now.',
    recompute: 'Recompute',
    windowDays: 'Window, days',
    windowHint: 'Purchases of the last N days are scored; left empty, the last run\'s window',
    start: 'Recompute RFM now',
    phase_scoring: 'Scoring every customer',
    phase_reporting: 'Writing the report',
    phase_done: 'Done',
    failed: 'The run stopped: {failure}',
    cellEmpty: '—',
  },
  ru: {
    title: 'RFM',
    intro: 'Покупавшие в окне клиенты с оценками 1–5 за давность, частоту и деньги, разложенные по именованным группам для рассылок.',
    scored: 'Клиентов с оценкой',
    notScored: 'Без оценки (нет покупок в окне)',
    revenue: 'Выручка в окне',
    window: 'Окно',
    windowValue: { one: '{count} день до {date}', few: '{count} дня до {date}', many: '{count} дней до {date}', other: '{count} дня до {date}' },
    grid: 'Давность × частота',
    chartLabel: 'Тепловая карта клиентов по оценке давности (строки) и частоты (столбцы)',
    gridCaption: 'Клиенты, выручка и средний чек в каждой ячейке давность × частота',
    recency: 'Давность',
    frequency: 'Частота',
    recencyScore: 'R {score}',
    frequencyScore: 'F {score}',
    customers: 'Клиенты',
    revenueShort: 'Выручка',
    averageCheck: 'Средний чек',
    groups: 'Группы',
    groupsCaption: 'Группы RFM с размерами и показателями',
    group: 'Группа',
    meaning: 'Кто это',
    share: 'Доля',
    averageDays: 'Дней с последней покупки (в сред.)',
    averagePurchases: 'Покупок (в сред.)',
    transitions: 'Переходы с прошлого расчёта',
    transitionsCaption: 'Клиенты, сменившие группу с прошлого расчёта',
    from: 'Из',
    to: 'В',
    notScoredGroup: 'без оценки',
    firstRun: 'Это первый расчёт: переходы появятся после следующего.',
    noMoves: 'С прошлого расчёта никто не сменил группу.',
    none: 'Расчёта RFM ещё не было',
    noneHint: 'Запустите его ниже: он оценит каждого клиента по покупкам в окне.',
    noneRead: 'Расчёт идёт каждую ночь; владелец или маркетолог могут запустить его сейчас.',
    recompute: 'Пересчёт',
    windowDays: 'Окно, дней',
    windowHint: 'Оцениваются покупки за последние N дней; если пусто — окно прошлого расчёта',
    start: 'Пересчитать RFM сейчас',
    phase_scoring: 'Оцениваем клиентов',
    phase_reporting: 'Составляем отчёт',
    phase_done: 'Готово',
    failed: 'Расчёт остановился: {failure}',
    cellEmpty: '—',
  },
});

const scores = [5, 4, 3, 2, 1];

export default function RfmPage() {
  const t = useText(text);
  const can = useCan();
  const report = useResource<Report | null>(async (signal) => {
    try {
      return await api.get<Report>('/v1/analytics/rfm', undefined, signal);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }, []);
  return (
    <Page title={t('title')} intro={t('intro')}>
      {report.error ? <ErrorNote error={report.error} onRetry={report.reload} /> : null}
      {report.loading && !report.data ? <Loading /> : null}
      {!report.loading && !report.error && report.data === null ? <Empty title={t('none')}>{can('segments:write') ? t('noneHint') : t('noneRead')}</Empty> : null}
      {report.data ? <ReportView report={report.data} /> : null}
      {can('segments:write') ? <RunCard onDone={report.reload} /> : null}
    </Page>
  );
}

function ReportView({ report }: { report: Report }) {
  const t = useText(text);
  const g = useText(rfmGroupWords);
  const format = useFormat();
  const groupName = (name: string | null) => (name === null ? t('notScoredGroup') : knownGroup(name) ? g(name) : name);
  const cell = (recency: number, frequency: number) => report.report.grid.find((c) => c.recency === recency && c.frequency === frequency);
  const option = useMemo(() => {
    const max = Math.max(1, ...report.report.grid.map((c) => c.customers));
    return {
      tooltip: { position: 'top' },
      grid: { left: 60, right: 20, top: 10, bottom: 60 },
      xAxis: { type: 'category', name: t('frequency'), nameLocation: 'middle', nameGap: 30, data: [1, 2, 3, 4, 5].map((s) => t('frequencyScore', { score: s })) },
      yAxis: { type: 'category', name: t('recency'), data: [1, 2, 3, 4, 5].map((s) => t('recencyScore', { score: s })) },
      visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#eef3fb', '#1f5fbf'] } },
      series: [
        {
          type: 'heatmap',
          data: report.report.grid.map((c) => [c.frequency - 1, c.recency - 1, c.customers]),
          label: { show: true, lineHeight: 16, formatter: (p: { value: number[] }) => `${format.number(p.value[2] ?? 0)}\n${groupName(cell(p.value[1]! + 1, p.value[0]! + 1)?.group ?? null)}` },
        },
      ],
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- redrawn for a new report or language
  }, [report, format]);
  const moves = report.report.transitions.moves.filter((m) => m.from !== m.to).sort((a, b) => b.customers - a.customers);

  return (
    <>
      <div className="stats">
        <Stat label={t('scored')} value={<span data-testid="rfm-scored">{format.number(report.report.customers)}</span>} />
        <Stat label={t('notScored')} value={format.number(report.report.notScored)} />
        <Stat label={t('revenue')} value={format.money(report.report.revenueMinor)} />
        <Stat label={t('window')} value={t('windowValue', { count: report.windowDays, date: format.date(report.asOf) })} />
      </div>
      <Card title={t('grid')}>
        <Chart option={option} label={t('chartLabel')} height={380} />
        <div className="table-wrap">
          <table className="rfm-grid">
            <caption>{t('gridCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('recency')} \ {t('frequency')}</th>
                {[1, 2, 3, 4, 5].map((f) => (
                  <th key={f} scope="col">{t('frequencyScore', { score: f })}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {scores.map((r) => (
                <tr key={r}>
                  <th scope="row">{t('recencyScore', { score: r })}</th>
                  {[1, 2, 3, 4, 5].map((f) => {
                    const c = cell(r, f);
                    return (
                      <td key={f} data-cell={`${r}${f}`}>
                        {c ? (
                          <>
                            <span className="cell-group">{groupName(c.group)}</span>
                            <span className="cell-figure"><span className="visually-hidden">{t('customers')}: </span>{format.number(c.customers)}</span>
                            <span className="cell-figure muted">{t('revenueShort')}: {format.money(c.revenueMinor)}</span>
                            <span className="cell-figure muted">{t('averageCheck')}: {c.averageCheckMinor === null ? t('cellEmpty') : format.money(c.averageCheckMinor)}</span>
                          </>
                        ) : t('cellEmpty')}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <Card title={t('groups')}>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('groupsCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('group')}</th>
                <th scope="col">{t('meaning')}</th>
                <th scope="col" className="num">{t('customers')}</th>
                <th scope="col" className="num">{t('share')}</th>
                <th scope="col" className="num">{t('revenueShort')}</th>
                <th scope="col" className="num">{t('averageCheck')}</th>
                <th scope="col" className="num">{t('averageDays')}</th>
                <th scope="col" className="num">{t('averagePurchases')}</th>
              </tr>
            </thead>
            <tbody>
              {report.report.groups.map((group) => (
                <tr key={group.group} data-group={group.group}>
                  <th scope="row">{groupName(group.group)}</th>
                  <td>{format.locale === 'ru' && knownGroup(group.group) ? rfmMeaningRu[group.group] : group.meaning}</td>
                  <td className="num">{format.number(group.customers)}</td>
                  <td className="num">{format.percent(group.share)}</td>
                  <td className="num">{format.money(group.revenueMinor)}</td>
                  <td className="num">{group.averageCheckMinor === null ? '—' : format.money(group.averageCheckMinor)}</td>
                  <td className="num">{group.averageRecencyDays === null ? '—' : format.number(group.averageRecencyDays, { maximumFractionDigits: 1 })}</td>
                  <td className="num">{group.averageFrequency === null ? '—' : format.number(group.averageFrequency, { maximumFractionDigits: 1 })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <Card title={t('transitions')}>
        {report.report.transitions.previousRunId === null ? (
          <p className="muted">{t('firstRun')}</p>
        ) : moves.length === 0 ? (
          <p className="muted">{t('noMoves')}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('transitionsCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('from')}</th>
                  <th scope="col">{t('to')}</th>
                  <th scope="col" className="num">{t('customers')}</th>
                </tr>
              </thead>
              <tbody>
                {moves.map((move) => (
                  <tr key={`${move.from}→${move.to}`}>
                    <td>{groupName(move.from)}</td>
                    <td>{groupName(move.to)}</td>
                    <td className="num">{format.number(move.customers)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}

/** Starts a run (POST /v1/analytics/rfm/runs) and follows its phases until it is done. */
function RunCard({ onDone }: { onDone: () => void }) {
  const t = useText(text);
  const [windowDays, setWindowDays] = useState('');
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<unknown>(null);
  const polled = usePolling<Run>(run?.status === 'running' ? `/v1/analytics/rfm/runs/${run.id}` : null, (r) => r.status === 'running');
  const current = polled.data && polled.data.id === run?.id ? polled.data : run;
  useEffect(() => {
    if (polled.data && polled.data.id === run?.id && polled.data.status === 'completed') onDone();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- follows the polled run only
  }, [polled.data]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const days = windowDays.trim();
      setRun(await api.post<Run>('/v1/analytics/rfm/runs', days ? { windowDays: Number(days) } : {}));
    } catch (caught) {
      setError(caught);
    }
  };
  const running = current?.status === 'running';
  const phaseShare = { scoring: 0.2, reporting: 0.7, done: 1 } as const;
  return (
    <Card title={t('recompute')}>
      <form className="form narrow" onSubmit={(event) => void submit(event)} noValidate>
        <ErrorNote error={fieldError(error, 'windowDays') ? null : (error ?? polled.error)} />
        <Field label={t('windowDays')} hint={t('windowHint')} error={fieldError(error, 'windowDays')}>
          {(props) => <input {...props} inputMode="numeric" value={windowDays} onChange={(e) => setWindowDays(e.target.value)} />}
        </Field>
        {current && current.status !== 'failed' ? <Progress value={phaseShare[current.phase]} label={t(`phase_${current.phase}`)} /> : null}
        {current?.status === 'failed' ? <ErrorNote error={new Error(t('failed', { failure: current.failure ?? '' }))} /> : null}
        <button type="submit" className="primary" disabled={running}>
          {t('start')}
        </button>
      </form>
    </Card>
  );
}
