import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { Badge, Card, Empty, ErrorNote, Field, Loading, Page, Progress, Stat, fieldError } from '../../components/ui.tsx';
import { usePolling, useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { describeRu } from './cluster-words.ts';
import './segments.css';

type Phase = 'features' | 'selecting' | 'stability' | 'assigning' | 'done';
type Run = {
  id: string;
  status: 'running' | 'completed' | 'failed';
  phase: Phase;
  params: { windowDays: number; kMin: number; kMax: number; stabilityThreshold: number };
  customers: number;
  processed: number;
  chosenK: number | null;
  meanAdjustedRand: number | null;
  failure?: string;
  startedAt: string;
  finishedAt?: string;
};
export type Cluster = { cluster: number; description: string; size: number; revenueMinor: number; stability: number; unstable: boolean; centroid: Record<string, number>; zScores: Record<string, number> };
type Report = { run: Run; features: string[]; clusters: Cluster[] };

const text = defineText({
  en: {
    title: 'Clusters',
    intro: 'Kinds of customer found by how they buy — how often and how much, what, where and when — each described in words, with its size, revenue and how stable it is.',
    run: 'Latest run',
    clustered: 'Customers clustered',
    chosenK: 'Clusters chosen',
    agreement: 'Agreement on resampling',
    agreementHint: 'adjusted Rand: 1 is the same clusters every time',
    finished: 'Finished',
    caption: 'Clusters of the latest run, largest first',
    number: 'No.',
    description: 'Who they are',
    size: 'Customers',
    revenue: 'Revenue',
    perCustomer: 'Per customer',
    stability: 'Stability',
    stable: 'stable',
    unstable: 'unstable: do not build a campaign on it',
    unstableNote: { one: '{count} cluster is unstable: it was not found again on other samples of the same customers.', other: '{count} clusters are unstable: they were not found again on other samples of the same customers.' },
    typical: 'Purchases {frequency}, basket {basket}, last purchase {days} days ago',
    none: 'No clustering yet',
    noneHint: 'Start a run below; customers with a purchase in the window are clustered.',
    noneRead: 'An owner or a marketer starts a clustering run; its clusters will be shown here.',
    start: 'New run',
    windowDays: 'Window, days',
    windowHint: 'Purchases of the last N days describe each customer (365 when empty)',
    kMin: 'Fewest clusters',
    kMax: 'Most clusters',
    kHint: '2 and 8 when empty; the number with the best silhouette is chosen',
    startButton: 'Start clustering',
    phase_features: 'Reading purchases',
    phase_selecting: 'Trying the numbers of clusters',
    phase_stability: 'Measuring stability',
    phase_assigning: 'Giving every customer a cluster',
    phase_done: 'Done',
    failed: 'The run stopped: {failure}',
  },
  ru: {
    title: 'Кластеры',
    intro: 'Типы клиентов по тому, как они покупают — как часто и на сколько, что, где и когда, — каждый описан словами, с размером, выручкой и устойчивостью.',
    run: 'Последний расчёт',
    clustered: 'Клиентов в кластерах',
    chosenK: 'Выбрано кластеров',
    agreement: 'Совпадение на подвыборках',
    agreementHint: 'скорректированный индекс Рэнда: 1 — те же кластеры каждый раз',
    finished: 'Закончен',
    caption: 'Кластеры последнего расчёта, сначала крупные',
    number: '№',
    description: 'Кто это',
    size: 'Клиенты',
    revenue: 'Выручка',
    perCustomer: 'На клиента',
    stability: 'Устойчивость',
    stable: 'устойчив',
    unstable: 'неустойчив: не стройте на нём рассылку',
    unstableNote: { one: '{count} кластер неустойчив: на других выборках тех же клиентов он не находится.', few: '{count} кластера неустойчивы: на других выборках тех же клиентов они не находятся.', many: '{count} кластеров неустойчивы: на других выборках тех же клиентов они не находятся.', other: '{count} кластера неустойчивы.' },
    typical: 'Покупок {frequency}, чек {basket}, последняя покупка {days} дн. назад',
    none: 'Кластеризации ещё не было',
    noneHint: 'Запустите расчёт ниже; в кластеры попадут клиенты с покупками в окне.',
    noneRead: 'Расчёт запускают владелец или маркетолог; его кластеры появятся здесь.',
    start: 'Новый расчёт',
    windowDays: 'Окно, дней',
    windowHint: 'Покупки за последние N дней описывают клиента (365, если пусто)',
    kMin: 'Меньше всего кластеров',
    kMax: 'Больше всего кластеров',
    kHint: '2 и 8, если пусто; выбирается число с лучшим силуэтом',
    startButton: 'Запустить кластеризацию',
    phase_features: 'Читаем покупки',
    phase_selecting: 'Пробуем число кластеров',
    phase_stability: 'Измеряем устойчивость',
    phase_assigning: 'Распределяем клиентов',
    phase_done: 'Готово',
    failed: 'Расчёт остановился: {failure}',
  },
});

export default function ClustersPage() {
  const t = useText(text);
  const can = useCan();
  const report = useResource<Report | null>(async (signal) => {
    try {
      return await api.get<Report>('/v1/clusters', undefined, signal);
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
  const format = useFormat();
  const unstable = report.clusters.filter((c) => c.unstable).length;
  return (
    <>
      <div className="stats">
        <Stat label={t('clustered')} value={format.number(report.run.customers)} />
        <Stat label={t('chosenK')} value={report.run.chosenK === null ? '—' : format.number(report.run.chosenK)} />
        <Stat label={t('agreement')} value={report.run.meanAdjustedRand === null ? '—' : format.number(report.run.meanAdjustedRand, { maximumFractionDigits: 2 })} change={{ text: t('agreementHint'), good: null }} />
        <Stat label={t('finished')} value={format.dateTime(report.run.finishedAt)} />
      </div>
      {unstable > 0 ? (
        <div className="alert warning" role="note">
          <p>{t('unstableNote', { count: unstable })}</p>
        </div>
      ) : null}
      <div className="table-wrap">
        <table className="clusters">
          <caption className="visually-hidden">{t('caption')}</caption>
          <thead>
            <tr>
              <th scope="col" className="num">{t('number')}</th>
              <th scope="col">{t('description')}</th>
              <th scope="col" className="num">{t('size')}</th>
              <th scope="col" className="num">{t('revenue')}</th>
              <th scope="col" className="num">{t('perCustomer')}</th>
              <th scope="col">{t('stability')}</th>
            </tr>
          </thead>
          <tbody>
            {report.clusters.map((cluster) => (
              <tr key={cluster.cluster} data-cluster={cluster.cluster}>
                <td className="num">{cluster.cluster}</td>
                <td>
                  <span className="cluster-words">{format.locale === 'ru' ? describeRu(cluster) : cluster.description}</span>
                  <span className="hint">
                    {t('typical', {
                      frequency: format.number(cluster.centroid.frequency ?? 0, { maximumFractionDigits: 1 }),
                      basket: format.money(Math.round(cluster.centroid.averageBasketMinor ?? 0)),
                      days: format.number(cluster.centroid.recencyDays ?? 0, { maximumFractionDigits: 0 }),
                    })}
                  </span>
                </td>
                <td className="num">{format.number(cluster.size)}</td>
                <td className="num">{format.money(cluster.revenueMinor)}</td>
                <td className="num">{cluster.size > 0 ? format.money(Math.round(cluster.revenueMinor / cluster.size)) : '—'}</td>
                <td>
                  {format.number(cluster.stability, { maximumFractionDigits: 2 })}{' '}
                  {cluster.unstable ? <Badge tone="bad">{t('unstable')}</Badge> : <Badge tone="good">{t('stable')}</Badge>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const phaseShare: Record<Phase, number> = { features: 0.05, selecting: 0.25, stability: 0.5, assigning: 0.8, done: 1 };

/** Starts a clustering run (POST /v1/clusters/runs) and follows it through its phases. */
function RunCard({ onDone }: { onDone: () => void }) {
  const t = useText(text);
  const [form, setForm] = useState({ windowDays: '', kMin: '', kMax: '' });
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<unknown>(null);
  const polled = usePolling<Run>(run?.status === 'running' ? `/v1/clusters/runs/${run.id}` : null, (r) => r.status === 'running');
  const current = polled.data && polled.data.id === run?.id ? polled.data : run;
  useEffect(() => {
    if (polled.data && polled.data.id === run?.id && polled.data.status === 'completed') onDone();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- follows the polled run only
  }, [polled.data]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body: Record<string, number> = {};
    for (const [key, value] of Object.entries(form)) if (value.trim()) body[key] = Number(value.trim());
    try {
      setRun(await api.post<Run>('/v1/clusters/runs', body));
    } catch (caught) {
      setError(caught);
    }
  };
  const progress = (r: Run) => (r.phase === 'assigning' && r.customers > 0 ? 0.8 + 0.2 * (r.processed / r.customers) : phaseShare[r.phase]);
  const problem = (key: string) => fieldError(error, key);
  return (
    <Card title={t('start')}>
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <ErrorNote error={problem('windowDays') || problem('kMin') || problem('kMax') ? null : (error ?? polled.error)} />
        <div className="form-row">
          <Field label={t('windowDays')} hint={t('windowHint')} error={problem('windowDays')}>
            {(props) => <input {...props} inputMode="numeric" value={form.windowDays} onChange={(e) => setForm({ ...form, windowDays: e.target.value })} />}
          </Field>
          <Field label={t('kMin')} hint={t('kHint')} error={problem('kMin')}>
            {(props) => <input {...props} inputMode="numeric" value={form.kMin} onChange={(e) => setForm({ ...form, kMin: e.target.value })} />}
          </Field>
          <Field label={t('kMax')} error={problem('kMax')}>
            {(props) => <input {...props} inputMode="numeric" value={form.kMax} onChange={(e) => setForm({ ...form, kMax: e.target.value })} />}
          </Field>
        </div>
        {current && current.status !== 'failed' ? <Progress value={progress(current)} label={t(`phase_${current.phase}`)} /> : null}
        {current?.status === 'failed' ? <ErrorNote error={new Error(t('failed', { failure: current.failure ?? '' }))} /> : null}
        <button type="submit" className="primary" disabled={current?.status === 'running'}>
          {t('startButton')}
        </button>
      </form>
    </Card>
  );
}
