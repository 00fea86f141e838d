import type { ReactNode } from 'react';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { CohortReport, EconomicsReport, FunnelReport, KpiReport, KpiRow } from '../analytics/analytics-types.ts';
import type { ReportKind } from './report-types.ts';

const text = defineText({
  en: {
    kpiCaption: 'Key figures of the run',
    cohortCaption: 'Retention of each cohort by period since its first purchase',
    funnelCaption: 'Funnel steps: {group}',
    economicsCaption: 'Bonus economics of the run',
    group: 'Group',
    total: 'In total',
    revenue: 'Revenue',
    receipts: 'Receipts',
    averageCheck: 'Average check',
    customers: 'Buyers',
    newCustomers: 'New buyers',
    recognition: 'Recognition at the till',
    change: 'Revenue against the period before',
    cohort: 'Cohort',
    size: 'Customers',
    periodN: 'Period {n}',
    allCustomers: 'All customers',
    unknown: 'Unknown',
    step: 'Step',
    fromPrevious: 'Of the step before',
    fromFirst: 'Of the first step',
    medianHours: 'Median hours from the step before',
    figure: 'Figure',
    value: 'Value',
    issued: 'Points issued on receipts',
    awarded: 'Points awarded for actions',
    redeemedAtTill: 'Points redeemed at the till',
    redeemedOnRewards: 'Points redeemed on rewards',
    expired: 'Points expired',
    outstandingAtEnd: 'Points outstanding at the end',
    liabilityAtEnd: 'Liability at the end',
    breakage: 'Breakage rate',
    revenueEconomics: 'Revenue',
    cashCost: 'Cash cost (redeemed + discounts)',
    costShare: 'Cost, share of revenue',
    unreadable: 'This run holds a report this page cannot show as a table; download it as JSON.',
  },
  ru: {
    kpiCaption: 'Ключевые показатели запуска',
    cohortCaption: 'Удержание каждой когорты по периодам после первой покупки',
    funnelCaption: 'Шаги воронки: {group}',
    economicsCaption: 'Экономика бонусов за период запуска',
    group: 'Группа',
    total: 'Итого',
    revenue: 'Выручка',
    receipts: 'Чеки',
    averageCheck: 'Средний чек',
    customers: 'Покупатели',
    newCustomers: 'Новые покупатели',
    recognition: 'Опознано на кассе',
    change: 'Выручка к прошлому периоду',
    cohort: 'Когорта',
    size: 'Клиентов',
    periodN: 'Период {n}',
    allCustomers: 'Все клиенты',
    unknown: 'Неизвестно',
    step: 'Шаг',
    fromPrevious: 'От прошлого шага',
    fromFirst: 'От первого шага',
    medianHours: 'Медиана часов от прошлого шага',
    figure: 'Показатель',
    value: 'Значение',
    issued: 'Начислено баллов за покупки',
    awarded: 'Подарено баллов за действия',
    redeemedAtTill: 'Списано баллов на кассе',
    redeemedOnRewards: 'Списано баллов на награды',
    expired: 'Сгорело баллов',
    outstandingAtEnd: 'Баллов на счетах в конце',
    liabilityAtEnd: 'Обязательства в конце',
    breakage: 'Доля сгорания',
    revenueEconomics: 'Выручка',
    cashCost: 'Денежные затраты (списания + скидки)',
    costShare: 'Затраты, доля выручки',
    unreadable: 'Этот запуск содержит отчёт, который страница не может показать таблицей; скачайте его в JSON.',
  },
});

function Table({ caption, head, rows }: { caption: string; head: Array<{ title: string; numeric?: boolean }>; rows: Array<{ key: string; cells: ReactNode[] }> }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((column) => (
              <th key={column.title} scope="col" className={column.numeric ? 'num' : undefined}>
                {column.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              {row.cells.map((cell, i) => (
                <td key={i} className={head[i]?.numeric ? 'num' : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Which report a run's answer is, by its shape: a report's kind may have changed since the run. */
function shapeOf(result: object): ReportKind | null {
  const r = result as Record<string, unknown>;
  const overall = r.overall as Record<string, unknown> | undefined;
  if (overall && typeof overall === 'object' && 'current' in overall && Array.isArray(r.rows)) return 'kpis';
  if (Array.isArray(r.cohorts)) return 'cohorts';
  if (overall && typeof overall === 'object' && Array.isArray(overall.steps) && Array.isArray(r.groups)) return 'funnels';
  if (r.points && r.liability && r.breakage && r.revenue && r.cost) return 'economics';
  return null;
}

/** A run's report as tables of its figures, by what the run holds. */
export function RunResult({ result }: { result: unknown }) {
  const t = useText(text);
  const format = useFormat();
  const share = (value: number | null | undefined) => (value === null || value === undefined ? '—' : format.percent(value, 1));
  const money = (value: number | null | undefined) => (value === null || value === undefined ? '—' : format.money(value));
  const number = (value: number | null | undefined) => (value === null || value === undefined ? '—' : format.number(value, { maximumFractionDigits: 1 }));
  if (!result || typeof result !== 'object') return <p className="muted">{t('unreadable')}</p>;
  const kind = shapeOf(result);

  if (kind === 'kpis') {
    const report = result as KpiReport;
    const rows: KpiRow[] = report.groupBy === 'none' ? [report.overall] : report.rows;
    const compared = rows.some((row) => row.change?.previous);
    const groupOf = (row: KpiRow) => {
      const g = row.group as Record<string, string | number | null | undefined>;
      if (g.period) return format.date(String(g.period));
      const parts = Object.values(g).filter((v) => v !== undefined).map((v) => (v === null ? '—' : String(v)));
      return parts.length > 0 ? parts.join(' · ') : t('total');
    };
    return (
      <Table
        caption={t('kpiCaption')}
        head={[
          { title: t('group') },
          { title: t('revenue'), numeric: true },
          { title: t('receipts'), numeric: true },
          { title: t('averageCheck'), numeric: true },
          { title: t('customers'), numeric: true },
          { title: t('newCustomers'), numeric: true },
          { title: t('recognition'), numeric: true },
          ...(compared ? [{ title: t('change'), numeric: true }] : []),
        ]}
        rows={rows.map((row, i) => ({
          key: String(i),
          cells: [
            groupOf(row),
            money(row.current.revenueMinor),
            number(row.current.receipts),
            money(row.current.averageCheckMinor),
            number(row.current.customers),
            number(row.current.newCustomers),
            share(row.current.recognitionRate),
            ...(compared ? [share(row.change?.previous?.revenueMinor)] : []),
          ],
        }))}
      />
    );
  }
  if (kind === 'cohorts') {
    const report = result as CohortReport;
    const periods = Math.min(12, Math.max(0, ...report.cohorts.map((c) => c.periods.length)));
    const grouped = report.cohorts.some((c) => c.group !== null);
    return (
      <Table
        caption={t('cohortCaption')}
        head={[
          { title: t('cohort') },
          ...(grouped ? [{ title: t('group') }] : []),
          { title: t('size'), numeric: true },
          ...Array.from({ length: periods }, (_, n) => ({ title: t('periodN', { n }), numeric: true })),
        ]}
        rows={report.cohorts.map((c, i) => ({
          key: String(i),
          cells: [
            format.date(c.cohort),
            ...(grouped ? [c.group ?? t('unknown')] : []),
            number(c.size),
            ...Array.from({ length: periods }, (_, n) => share(c.periods.find((p) => p.index === n)?.retention)),
          ],
        }))}
      />
    );
  }
  if (kind === 'funnels') {
    const report = result as FunnelReport;
    return (
      <>
        {[report.overall, ...report.groups].map((group, gi) => (
          <Table
            key={gi}
            caption={t('funnelCaption', { group: gi === 0 ? t('allCustomers') : (group.group ?? t('unknown')) })}
            head={[{ title: t('step') }, { title: t('customers'), numeric: true }, { title: t('fromPrevious'), numeric: true }, { title: t('fromFirst'), numeric: true }, { title: t('medianHours'), numeric: true }]}
            rows={group.steps.map((step, i) => ({
              key: String(i),
              cells: [`${i + 1}. ${step.step}`, number(step.customers), share(step.conversionFromPrevious), share(step.conversionFromFirst), number(step.medianHoursFromPrevious)],
            }))}
          />
        ))}
      </>
    );
  }
  if (kind === 'economics') {
    const report = result as EconomicsReport;
    const figures: Array<[string, string]> = [
      [t('issued'), number(report.points.issued)],
      [t('awarded'), number(report.points.awarded)],
      [t('redeemedAtTill'), number(report.points.redeemedAtTill)],
      [t('redeemedOnRewards'), number(report.points.redeemedOnRewards)],
      [t('expired'), number(report.points.expired)],
      [t('outstandingAtEnd'), number(report.points.outstandingAtEnd)],
      [t('liabilityAtEnd'), format.money(report.liability.atEndMinor, report.currency)],
      [t('breakage'), share(report.breakage.rate)],
      [t('revenueEconomics'), format.money(report.revenue.revenueMinor, report.currency)],
      [t('cashCost'), format.money(report.cost.cashMinor, report.currency)],
      [t('costShare'), share(report.cost.shareOfRevenue)],
    ];
    return <Table caption={t('economicsCaption')} head={[{ title: t('figure') }, { title: t('value'), numeric: true }]} rows={figures.map(([name, value]) => ({ key: name, cells: [name, value] }))} />;
  }
  return <p className="muted">{t('unreadable')}</p>;
}
