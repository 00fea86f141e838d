import { useState } from 'react';
import { api } from '../../api.ts';
import { Card, ErrorNote, Progress, Stat } from '../../components/ui.tsx';
import { usePolling } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { Figures, WhatIfRow, WhatIfRun } from './program-types.ts';

const text = defineText({
  en: {
    title: 'The cost over the last 30 days',
    counting: 'Counting the receipts',
    replaying: 'Replaying the receipts',
    none: 'No receipts in the last 30 days: the replay has nothing to price. The change costs nothing on past sales.',
    failed: 'The replay failed: {why}',
    receipts: { one: '{count} receipt replayed', other: '{count} receipts replayed' },
    mismatched: { one: '{count} receipt is priced differently by today’s live program than it was stored (rules changed during the window).', other: '{count} receipts are priced differently by today’s live program than they were stored (rules changed during the window).' },
    points: 'Points issued',
    discounts: 'Discounts',
    liability: 'Points liability change',
    cost: 'Cost of the program',
    against: '{diff} against what happened',
    figure: 'Figure',
    actual: 'What happened',
    whatIf: 'With the change',
    difference: 'Difference',
    caption: 'What happened against the replay with the change',
    byStore: 'By store',
    byTier: 'By tier',
    store: 'Store',
    tier: 'Tier',
    noTier: 'No customer',
    costDiff: 'Cost difference',
    pointsDiff: 'Points difference',
    redeemed: 'Points redeemed',
    revenue: 'Revenue',
    receiptsCol: 'Receipts',
  },
  ru: {
    title: 'Цена за последние 30 дней',
    counting: 'Считаем чеки',
    replaying: 'Пересчитываем чеки',
    none: 'За последние 30 дней чеков нет: пересчитывать нечего. На прошлых продажах изменение ничего не стоит.',
    failed: 'Пересчёт не удался: {why}',
    receipts: { one: 'Пересчитан {count} чек', few: 'Пересчитано {count} чека', many: 'Пересчитано {count} чеков', other: 'Пересчитано {count} чека' },
    mismatched: { one: '{count} чек нынешняя программа считает иначе, чем он был сохранён (правила менялись за это время).', few: '{count} чека нынешняя программа считает иначе, чем они были сохранены (правила менялись за это время).', many: '{count} чеков нынешняя программа считает иначе, чем они были сохранены (правила менялись за это время).', other: '{count} чека нынешняя программа считает иначе, чем они были сохранены.' },
    points: 'Начислено баллов',
    discounts: 'Скидки',
    liability: 'Изменение обязательств по баллам',
    cost: 'Стоимость программы',
    against: '{diff} к тому, что было',
    figure: 'Показатель',
    actual: 'Как было',
    whatIf: 'С изменением',
    difference: 'Разница',
    caption: 'Как было и пересчёт с изменением',
    byStore: 'По магазинам',
    byTier: 'По уровням',
    store: 'Магазин',
    tier: 'Уровень',
    noTier: 'Без клиента',
    costDiff: 'Разница в стоимости',
    pointsDiff: 'Разница в баллах',
    redeemed: 'Списано баллов',
    revenue: 'Выручка',
    receiptsCol: 'Чеки',
  },
});

/**
 * A what-if replay of the last 30 days for a change not yet saved: start it with the body
 * POST /v1/analytics/what-if takes, follow it, and know whether it priced exactly `fingerprint`
 * (the form as it is now), so a page offers to save only what the marketer has seen the price of.
 */
export function useWhatIf() {
  const [runId, setRunId] = useState<string | null>(null);
  const [startedFor, setStartedFor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const polled = usePolling<WhatIfRun>(runId ? `/v1/analytics/what-if/${runId}` : null, (run) => run.status === 'running', 500);
  const run = polled.data && polled.data.id === runId ? polled.data : null;
  return {
    run,
    error: error ?? polled.error,
    running: starting || (runId !== null && (!run || run.status === 'running')),
    /** Whether a completed run priced exactly this state of the form. */
    pricedFor: (fingerprint: string) => run?.status === 'completed' && startedFor === fingerprint,
    async start(body: Record<string, unknown>, fingerprint: string) {
      setError(null);
      setStarting(true);
      setRunId(null);
      try {
        const started = await api.post<WhatIfRun>('/v1/analytics/what-if', { days: 30, ...body });
        setStartedFor(fingerprint);
        setRunId(started.id);
      } catch (caught) {
        setError(caught);
      } finally {
        setStarting(false);
      }
    },
  };
}

export function WhatIfReport({ run, error }: { run: WhatIfRun | null; error: unknown }) {
  const t = useText(text);
  const format = useFormat();
  if (!run) return error ? <ErrorNote error={error} /> : null;
  const money = (minor: number) => format.money(minor, run.result?.currency);
  const signed = (value: number, show: (n: number) => string) => (value > 0 ? `+${show(value)}` : show(value));
  if (run.status === 'running') {
    const share = run.phase === 'replaying' && run.receipts > 0 ? run.processed / run.receipts : null;
    return (
      <Card title={t('title')}>
        <Progress value={share} label={run.phase === 'counting' ? t('counting') : t('replaying')} />
      </Card>
    );
  }
  if (run.status === 'failed') return <ErrorNote error={new Error(t('failed', { why: run.failure ?? '' }))} />;
  const result = run.result;
  if (!result) return null;
  const total = result.total;
  const rows: Array<{ key: keyof Figures; label: string; money: boolean }> = [
    { key: 'pointsIssued', label: t('points'), money: false },
    { key: 'discountMinor', label: t('discounts'), money: true },
    { key: 'pointsRedeemed', label: t('redeemed'), money: false },
    { key: 'liabilityChangeMinor', label: t('liability'), money: true },
    { key: 'costMinor', label: t('cost'), money: true },
    { key: 'revenueMinor', label: t('revenue'), money: true },
  ];
  const show = (row: (typeof rows)[number], value: number) => (row.money ? money(value) : format.number(value));
  return (
    <Card title={t('title')}>
      <div className="what-if" data-testid="what-if-report">
        <p>{t('receipts', { count: result.receipts })}</p>
        {result.receipts === 0 ? <p className="muted">{t('none')}</p> : null}
        {result.mismatched > 0 ? <p className="muted">{t('mismatched', { count: result.mismatched })}</p> : null}
        <div className="stats">
          <Stat label={t('points')} value={format.number(total.whatIf.pointsIssued)} change={{ text: t('against', { diff: signed(total.difference.pointsIssued, format.number) }), good: null }} />
          <Stat label={t('discounts')} value={money(total.whatIf.discountMinor)} change={{ text: t('against', { diff: signed(total.difference.discountMinor, money) }), good: null }} />
          <Stat label={t('liability')} value={money(total.whatIf.liabilityChangeMinor)} change={{ text: t('against', { diff: signed(total.difference.liabilityChangeMinor, money) }), good: null }} />
          <Stat label={t('cost')} value={money(total.whatIf.costMinor)} change={{ text: t('against', { diff: signed(total.difference.costMinor, money) }), good: total.difference.costMinor <= 0 }} />
        </div>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('figure')}</th>
                <th scope="col" className="num">{t('actual')}</th>
                <th scope="col" className="num">{t('whatIf')}</th>
                <th scope="col" className="num">{t('difference')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.label}</th>
                  <td className="num">{show(row, total.actual[row.key])}</td>
                  <td className="num">{show(row, total.whatIf[row.key])}</td>
                  <td className="num">{signed(total.difference[row.key], (n) => show(row, n))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {result.byStore.length > 0 ? <Breakdown title={t('byStore')} keyTitle={t('store')} rows={result.byStore.map((row) => ({ key: row.storeId, row }))} money={money} /> : null}
        {result.byTier.length > 0 ? <Breakdown title={t('byTier')} keyTitle={t('tier')} rows={result.byTier.map((row) => ({ key: row.tierId ?? t('noTier'), row }))} money={money} /> : null}
      </div>
    </Card>
  );
}

function Breakdown({ title, keyTitle, rows, money }: { title: string; keyTitle: string; rows: Array<{ key: string; row: WhatIfRow }>; money: (minor: number) => string }) {
  const t = useText(text);
  const format = useFormat();
  return (
    <div className="table-wrap">
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{keyTitle}</th>
            <th scope="col" className="num">{t('receiptsCol')}</th>
            <th scope="col" className="num">{t('pointsDiff')}</th>
            <th scope="col" className="num">{t('costDiff')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ key, row }) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td className="num">{format.number(row.receipts)}</td>
              <td className="num">{format.number(row.difference.pointsIssued)}</td>
              <td className="num">{money(row.difference.costMinor)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
