import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Chart } from '../../components/chart.tsx';
import { Figure } from '../../components/analytics-figures.tsx';
import { Badge, Card, Empty, ErrorNote, Field, fieldError, Loading, Notice, Page, Progress } from '../../components/ui.tsx';
import { usePolling, useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import type { ClvReport, ClvRun } from './analytics-types.ts';
import './analytics.css';

const text = defineText({
  en: {
    title: 'Customer lifetime value',
    intro: 'What each customer who has bought is expected to bring over the horizon, predicted from how often and how much they bought (BG/NBD and Gamma-Gamma models).',
    none: 'No fit yet',
    noneHint: 'Start a fit below: it reads every customer\'s purchases and predicts each one\'s value. It needs at least 20 customers who bought on two different days.',
    noneReadOnly: 'Ask a marketer or an analyst to start a fit.',
    status: 'The latest fit',
    fittedAt: 'Fitted',
    calibrationEnd: 'Purchases up to',
    horizon: 'Horizon',
    margin: 'Margin',
    customers: 'Customers',
    repeat: 'Of them bought again',
    purchaseModel: 'Purchase model (BG/NBD)',
    spendModel: 'Spend model (Gamma-Gamma)',
    converged: 'converged',
    notConverged: 'did not converge: treat the figures with care',
    total: 'CLV of all customers',
    mean: 'Mean CLV',
    purchases: 'Purchases expected per customer',
    alive: 'Mean chance still a customer',
    deciles: 'Customers in tenths by CLV',
    decilesChart: 'CLV of each tenth of customers, the highest first',
    decile: 'Tenth',
    range: 'CLV from – to',
    decileTotal: 'CLV total',
    aliveMean: 'Chance still a customer',
    purchasesMean: 'Purchases expected',
    aliveBins: 'Customers by chance they are still customers',
    bin: 'Chance',
    fit: 'Start a fit',
    fitIntro: 'A fit runs in the background; its progress shows here. Asking while one runs follows that one.',
    marginPercent: 'Margin on spend, %',
    marginHint: '100 makes CLV discounted revenue; give your gross margin for profit',
    horizonWeeks: 'Horizon, weeks',
    horizonHint: 'How far ahead to look, 1 to 520',
    start: 'Start the fit',
    phase_summary: 'Reading every customer\'s purchases',
    phase_fitting: 'Fitting both models',
    phase_predicting: 'Predicting every customer',
    phase_writing: 'Storing the predictions',
    phase_done: 'Done',
    done: 'The fit is done: the report below is the new one.',
    failed: 'The fit failed: {reason}',
    weeks: { one: '{count} week', other: '{count} weeks' },
    daysUnit: { one: '{count} day', other: '{count} days' },
  },
  ru: {
    title: 'Пожизненная ценность клиента (CLV)',
    intro: 'Сколько каждый покупавший клиент, как ожидается, принесёт за горизонт — по тому, как часто и на сколько он покупал (модели BG/NBD и Gamma-Gamma).',
    none: 'Модель ещё не обучена',
    noneHint: 'Запустите обучение ниже: оно прочитает покупки всех клиентов и предскажет ценность каждого. Нужно хотя бы 20 клиентов, покупавших в два разных дня.',
    noneReadOnly: 'Попросите маркетолога или аналитика запустить обучение.',
    status: 'Последнее обучение',
    fittedAt: 'Обучена',
    calibrationEnd: 'Покупки по',
    horizon: 'Горизонт',
    margin: 'Маржа',
    customers: 'Клиентов',
    repeat: 'Из них покупали повторно',
    purchaseModel: 'Модель покупок (BG/NBD)',
    spendModel: 'Модель трат (Gamma-Gamma)',
    converged: 'сошлась',
    notConverged: 'не сошлась: к цифрам относитесь осторожно',
    total: 'CLV всех клиентов',
    mean: 'Средний CLV',
    purchases: 'Ожидаемых покупок на клиента',
    alive: 'Средняя вероятность, что клиент ещё с нами',
    deciles: 'Клиенты по десяткам процентов CLV',
    decilesChart: 'CLV каждой десятой части клиентов, от высшей',
    decile: 'Часть',
    range: 'CLV от – до',
    decileTotal: 'CLV всего',
    aliveMean: 'Вероятность, что ещё с нами',
    purchasesMean: 'Ожидаемых покупок',
    aliveBins: 'Клиенты по вероятности, что они ещё с нами',
    bin: 'Вероятность',
    fit: 'Запустить обучение',
    fitIntro: 'Обучение идёт в фоне, его ход виден здесь. Если одно уже идёт, покажем его.',
    marginPercent: 'Маржа с покупки, %',
    marginHint: '100 — CLV как дисконтированная выручка; для прибыли укажите валовую маржу',
    horizonWeeks: 'Горизонт, недель',
    horizonHint: 'Насколько вперёд смотреть, от 1 до 520',
    start: 'Запустить обучение',
    phase_summary: 'Читаем покупки всех клиентов',
    phase_fitting: 'Обучаем обе модели',
    phase_predicting: 'Предсказываем для каждого клиента',
    phase_writing: 'Сохраняем предсказания',
    phase_done: 'Готово',
    done: 'Обучение завершено: ниже новый отчёт.',
    failed: 'Обучение не удалось: {reason}',
    weeks: { one: '{count} неделя', few: '{count} недели', many: '{count} недель', other: '{count} недели' },
    daysUnit: { one: '{count} день', few: '{count} дня', many: '{count} дней', other: '{count} дня' },
  },
});

export default function Clv() {
  const t = useText(text);
  const can = useCan();
  // No fit yet is a 404: the page says what to do instead of showing an error.
  const report = useResource(
    (signal) => api.get<ClvReport>('/v1/analytics/clv', undefined, signal).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
    [],
  );
  return (
    <Page title={t('title')} intro={t('intro')}>
      <ErrorNote error={report.error} onRetry={report.reload} />
      {report.loading && !report.data ? <Loading /> : null}
      {!report.loading && !report.error && report.data === null ? <Empty title={t('none')}>{can('analytics:write') ? t('noneHint') : t('noneReadOnly')}</Empty> : null}
      {can('analytics:write') ? <FitForm onDone={report.reload} /> : null}
      {report.data ? <Report report={report.data} /> : null}
    </Page>
  );
}

const phaseShare = (run: ClvRun) => {
  if (run.status !== 'running') return 1;
  const base = { summary: 0.05, fitting: 0.25, predicting: 0.55, writing: 0.7, done: 1 }[run.phase];
  return run.phase === 'writing' && run.customers > 0 ? base + 0.3 * Math.min(1, run.processed / run.customers) : base;
};

function FitForm({ onDone }: { onDone: () => void }) {
  const t = useText(text);
  const [margin, setMargin] = useState('100');
  const [horizon, setHorizon] = useState('52');
  const [error, setError] = useState<unknown>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const polled = usePolling<ClvRun>(runId ? `/v1/analytics/clv/fit/${runId}` : null, (run) => run.status === 'running');
  const run = polled.data;
  useEffect(() => {
    if (run?.status === 'completed') onDone();
  }, [run?.status, onDone]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setStarting(true);
    try {
      const asNumber = (value: string) => (value.trim() === '' || Number.isNaN(Number(value)) ? value : Number(value));
      const started = await api.post<ClvRun>('/v1/analytics/clv/fit', { marginPercent: asNumber(margin), horizon: asNumber(horizon), unit: 'week' });
      setRunId(started.id);
    } catch (caught) {
      setError(caught);
    } finally {
      setStarting(false);
    }
  };
  const running = run?.status === 'running' || (runId !== null && !run);
  return (
    <Card title={t('fit')}>
      <p className="muted">{t('fitIntro')}</p>
      <form className="fit-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field label={t('marginPercent')} hint={t('marginHint')} error={fieldError(error, 'marginPercent')}>
          {(props) => <input {...props} inputMode="decimal" value={margin} onChange={(event) => setMargin(event.target.value)} />}
        </Field>
        <Field label={t('horizonWeeks')} hint={t('horizonHint')} error={fieldError(error, 'horizon')}>
          {(props) => <input {...props} inputMode="numeric" value={horizon} onChange={(event) => setHorizon(event.target.value)} />}
        </Field>
        <div className="period-apply">
          <button type="submit" className="primary" disabled={starting || running}>
            {t('start')}
          </button>
        </div>
      </form>
      <ErrorNote error={fieldError(error, 'marginPercent', 'horizon') ? null : error} />
      <ErrorNote error={polled.error} />
      {run ? <Progress value={phaseShare(run)} label={t(`phase_${run.phase}` as 'phase_done')} /> : null}
      {run?.status === 'completed' ? <Notice tone="success">{t('done')}</Notice> : null}
      {run?.status === 'failed' ? (
        <div className="alert error" role="alert">
          <p>{t('failed', { reason: run.failure ?? '' })}</p>
        </div>
      ) : null}
    </Card>
  );
}

function Report({ report }: { report: ClvReport }) {
  const t = useText(text);
  const format = useFormat();
  const d = report.distribution;
  const deciles = d.deciles;
  const option = useMemo(
    () => ({
      grid: { left: 80, right: 20, top: 20, bottom: 40 },
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      xAxis: { type: 'category', data: deciles.map((x) => String(x.decile)) },
      yAxis: { type: 'value', axisLabel: { formatter: (value: number) => format.number(value, { notation: 'compact' }) } },
      series: [{ type: 'bar', name: t('decileTotal'), data: deciles.map((x) => x.clvMinorTotal / 100), itemStyle: { color: '#2f6fde' } }],
    }),
    [deciles, format, t],
  );
  const run = report.run;
  const horizon = run.params.unit === 'week' ? t('weeks', { count: run.params.horizon }) : t('daysUnit', { count: run.params.horizon });
  const model = (converged: boolean) => (converged ? <Badge tone="good">{t('converged')}</Badge> : <Badge tone="warn">{t('notConverged')}</Badge>);
  return (
    <>
      <Card title={t('status')}>
        <dl className="facts">
          <dt>{t('fittedAt')}</dt>
          <dd>{format.dateTime(report.fittedAt)}</dd>
          <dt>{t('calibrationEnd')}</dt>
          <dd>{format.date(`${run.params.calibrationEnd}T00:00:00Z`)}</dd>
          <dt>{t('horizon')}</dt>
          <dd>{horizon}</dd>
          <dt>{t('margin')}</dt>
          <dd>{format.percent(run.params.marginPercent / 100)}</dd>
          <dt>{t('customers')}</dt>
          <dd>{format.number(run.customers)}</dd>
          <dt>{t('repeat')}</dt>
          <dd>{format.number(run.repeatCustomers)}</dd>
          <dt>{t('purchaseModel')}</dt>
          <dd>{model(report.bgnbd.converged)}</dd>
          <dt>{t('spendModel')}</dt>
          <dd>{model(report.gammaGamma.converged)}</dd>
        </dl>
      </Card>
      <div className="stats">
        <Figure label={t('total')} value={format.money(d.clvMinorTotal)} />
        <Figure label={t('mean')} value={format.money(d.clvMinorMean)} />
        <Figure label={t('purchases')} value={format.number(d.expectedPurchasesMean, { maximumFractionDigits: 2 })} />
        <Figure label={t('alive')} value={format.percent(d.pAliveMean)} />
      </div>
      <Card title={t('deciles')}>
        <Chart option={option} label={t('decilesChart')} height={240} />
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('deciles')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('decile')}</th>
                <th scope="col" className="num">{t('customers')}</th>
                <th scope="col" className="num">{t('range')}</th>
                <th scope="col" className="num">{t('decileTotal')}</th>
                <th scope="col" className="num">{t('aliveMean')}</th>
                <th scope="col" className="num">{t('purchasesMean')}</th>
              </tr>
            </thead>
            <tbody>
              {deciles.map((x) => (
                <tr key={x.decile}>
                  <th scope="row">{x.decile}</th>
                  <td className="num">{format.number(x.customers)}</td>
                  <td className="num">
                    {format.money(x.clvMinorFrom)} – {format.money(x.clvMinorTo)}
                  </td>
                  <td className="num">{format.money(x.clvMinorTotal)}</td>
                  <td className="num">{format.percent(x.pAliveMean)}</td>
                  <td className="num">{format.number(x.expectedPurchasesMean, { maximumFractionDigits: 2 })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <Card title={t('aliveBins')}>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('aliveBins')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('bin')}</th>
                <th scope="col" className="num">{t('customers')}</th>
              </tr>
            </thead>
            <tbody>
              {d.pAlive.map((bin) => (
                <tr key={bin.from}>
                  <td>
                    {format.percent(bin.from, 0)} – {format.percent(bin.to, 0)}
                  </td>
                  <td className="num">{format.number(bin.customers)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </>
  );
}
