import { useMemo, useState } from 'react';
import { api, type Page as ApiPage } from '../../api.ts';
import { ExperimentResults } from '../../components/messaging-experiment.tsx';
import { Badge, Card, Empty, ErrorNote, Loading, Page } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan } from '../../session.tsx';
import { JourneyFlow, type StepCounts } from './journey-flow.tsx';
import { useTriggerText } from './journey-words.ts';
import { journeyStatusWords, statusTone } from './messaging-words.ts';
import type { Journey, JourneyEntry, JourneyReport } from './messaging-types.ts';
import './messaging.css';

const ENTRIES_READ = 500;

const text = defineText({
  en: {
    back: 'All journeys',
    activate: 'Switch on',
    pause: 'Pause',
    edit: 'Edit',
    archive: 'Archive',
    confirmArchive: 'Archive this journey? No one enters any more, and those inside leave at their next step.',
    steps: 'Steps',
    countsNote: { one: 'Counts from the latest {count} entry.', other: 'Counts from the latest {count} entries.' },
    countsNone: 'No one has entered yet: counts appear as customers walk the steps.',
    settings: 'Settings',
    holdout: 'Control group',
    reentry: 'Entering again',
    never: 'Never',
    always: 'Any time after leaving',
    after_days: 'After {days} days',
    version: 'Version',
    draftNote: 'A draft: read the steps and templates, change them with Edit, then switch it on. Nothing is sent before.',
    results: 'Results',
    entrants: 'Entered',
    messaged: 'Sent a message',
    converted: 'Bought',
    revenue: 'Revenue',
    journeyArm: 'Journey',
    controlArm: 'Control',
    noResults: 'No results yet',
    armCaption: 'Each arm of the journey',
    arm: 'Arm',
  },
  ru: {
    back: 'Все цепочки',
    activate: 'Включить',
    pause: 'Приостановить',
    edit: 'Изменить',
    archive: 'В архив',
    confirmArchive: 'Отправить цепочку в архив? Новые клиенты не войдут, а те, кто внутри, выйдут на следующем шаге.',
    steps: 'Шаги',
    countsNote: { one: 'Счётчики по последнему {count} входу.', other: 'Счётчики по последним {count} входам.' },
    countsNone: 'Пока никто не вошёл: счётчики появятся, когда клиенты пойдут по шагам.',
    settings: 'Настройки',
    holdout: 'Контрольная группа',
    reentry: 'Повторный вход',
    never: 'Никогда',
    always: 'В любой момент после выхода',
    after_days: 'Через {days} дн.',
    version: 'Версия',
    draftNote: 'Черновик: проверьте шаги и шаблоны, поправьте их кнопкой «Изменить» и включите. До этого ничего не отправляется.',
    results: 'Результаты',
    entrants: 'Вошли',
    messaged: 'Получили сообщение',
    converted: 'Купили',
    revenue: 'Выручка',
    journeyArm: 'Цепочка',
    controlArm: 'Контроль',
    noResults: 'Результатов пока нет',
    armCaption: 'Каждая группа цепочки',
    arm: 'Группа',
  },
});

export default function JourneyPage({ params }: PageProps) {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const can = useCan();
  const trigger = useTriggerText();
  const id = params.id!;
  const loaded = useResource((signal) => api.get<Journey>(`/v1/journeys/${id}`, undefined, signal), [id]);
  const entries = useResource((signal) => api.get<ApiPage<JourneyEntry>>(`/v1/journeys/${id}/entries`, { limit: ENTRIES_READ }, signal), [id]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const counts = useMemo<StepCounts | null>(() => {
    if (!entries.data) return null;
    const tally: StepCounts = {};
    for (const entry of entries.data.items) {
      for (const step of new Set(entry.steps.map((s) => s.stepId))) (tally[step] ??= { passed: 0, waiting: 0 }).passed++;
      if (entry.status === 'active' && entry.stepId) (tally[entry.stepId] ??= { passed: 0, waiting: 0 }).waiting++;
    }
    return tally;
  }, [entries.data]);

  const journey = loaded.data;
  if (!journey) return loaded.error ? <ErrorNote error={loaded.error} onRetry={loaded.reload} /> : <Loading />;

  const act = async (action: 'activate' | 'pause' | 'archive') => {
    if (action === 'archive' && !window.confirm(t('confirmArchive'))) return;
    setBusy(true);
    setError(null);
    try {
      loaded.setData(await api.post<Journey>(`/v1/journeys/${id}/${action}`));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const s = journey.status;
  const actions = can('messaging:write') ? (
    <>
      {s === 'draft' || s === 'paused' ? <button type="button" className="primary" disabled={busy} onClick={() => void act('activate')}>{t('activate')}</button> : null}
      {s === 'active' ? <button type="button" disabled={busy} onClick={() => void act('pause')}>{t('pause')}</button> : null}
      {s !== 'archived' ? <Link to={`/messaging/journeys/${id}/edit`} className="button">{t('edit')}</Link> : null}
      {s !== 'archived' ? <button type="button" className="danger" disabled={busy} onClick={() => void act('archive')}>{t('archive')}</button> : null}
    </>
  ) : null;
  const entryCount = entries.data?.items.length ?? 0;

  return (
    <Page title={journey.name} intro={<Badge tone={statusTone(s)}>{journeyStatusWords[locale][s] ?? s}</Badge>} actions={<>{actions}<Link to="/messaging/journeys">{t('back')}</Link></>}>
      <ErrorNote error={error} />
      <div className="messaging-split wide-left">
        <Card title={t('steps')}>
          {s === 'draft' ? <p className="muted">{t('draftNote')}</p> : null}
          <JourneyFlow trigger={trigger(journey.trigger)} steps={journey.steps} counts={counts} />
          {entries.error ? <ErrorNote error={entries.error} onRetry={entries.reload} /> : <p className="muted">{entryCount > 0 ? t('countsNote', { count: entryCount }) : t('countsNone')}</p>}
        </Card>
        <Card title={t('settings')}>
          <dl className="facts">
            <dt>{t('holdout')}</dt>
            <dd>{format.percent(journey.controlShareBp / 10_000, 2)}</dd>
            <dt>{t('reentry')}</dt>
            <dd>{t(journey.reentry, { days: journey.reentryDays ?? 0 })}</dd>
            <dt>{t('version')}</dt>
            <dd>{format.number(journey.version)}</dd>
          </dl>
        </Card>
      </div>
      <Results id={id} />
    </Page>
  );
}

function Results({ id }: { id: string }) {
  const t = useText(text);
  const format = useFormat();
  const report = useResource((signal) => api.get<JourneyReport>(`/v1/journeys/${id}/report`, undefined, signal), [id]);
  if (report.loading) return <Loading />;
  if (report.error) return <ErrorNote error={report.error} onRetry={report.reload} />;
  const r = report.data!;
  const entered = r.arms.reduce((sum, a) => sum + a.entrants, 0);
  return (
    <Card title={t('results')}>
      {entered === 0 ? (
        <Empty title={t('noResults')}>{r.reason}</Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('armCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('arm')}</th>
                  <th scope="col" className="num">{t('entrants')}</th>
                  <th scope="col" className="num">{t('messaged')}</th>
                  <th scope="col" className="num">{t('converted')}</th>
                  <th scope="col" className="num">{t('revenue')}</th>
                </tr>
              </thead>
              <tbody>
                {r.arms.map((arm) => (
                  <tr key={arm.key}>
                    <th scope="row">{arm.key === 'control' ? t('controlArm') : t('journeyArm')}</th>
                    <td className="num">{format.number(arm.entrants)}</td>
                    <td className="num">{format.number(arm.messaged)}</td>
                    <td className="num">{format.number(arm.converted)}</td>
                    <td className="num">{format.money(arm.revenueMinor, r.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {r.experiment ? <ExperimentResults experiment={r.experiment} currency={r.currency} /> : r.reason ? <p className="muted">{r.reason}</p> : null}
        </>
      )}
    </Card>
  );
}
