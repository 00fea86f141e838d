import { useMemo } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { defineText, useFormat, useLocale, useText } from '../i18n.tsx';
import { Chart } from './chart.tsx';
import { Badge, Notice } from './ui.tsx';

const text = defineText({
  en: {
    verdict: 'Verdict',
    chartLabel: 'Difference in conversion of each variant against {control}, in percentage points, with its 95 % confidence interval: {items}',
    chartItem: '{key} {estimate} (from {lower} to {upper})',
    caption: 'Each variant against the control',
    variant: 'Variant',
    conversion: 'Conversion',
    difference: 'Difference',
    interval: '95 % interval',
    pValue: 'p-value',
    revenue: 'Revenue per recipient',
    incremental: 'Incremental revenue',
    significant: 'significant',
    notSignificant: 'not significant',
    srm: 'The split of customers between the arms is off (sample ratio mismatch): do not trust this result.',
    points: '{value} pts',
    axis: 'Difference in conversion, percentage points',
  },
  ru: {
    verdict: 'Вывод',
    chartLabel: 'Разница в конверсии каждого варианта с группой «{control}» в процентных пунктах и её 95-процентный доверительный интервал: {items}',
    chartItem: '{key} {estimate} (от {lower} до {upper})',
    caption: 'Каждый вариант против контрольной группы',
    variant: 'Вариант',
    conversion: 'Конверсия',
    difference: 'Разница',
    interval: '95 % интервал',
    pValue: 'p-значение',
    revenue: 'Выручка на получателя',
    incremental: 'Дополнительная выручка',
    significant: 'значимо',
    notSignificant: 'незначимо',
    srm: 'Клиенты разделились между группами не в тех долях (sample ratio mismatch): результату нельзя доверять.',
    points: '{value} п. п.',
    axis: 'Разница в конверсии, процентные пункты',
  },
});

export type Interval = { lower: number; upper: number };
type Metric = { control: number | null; variant: number | null; estimate: number | null; ci: Interval | null; pValue: number | null; significant: boolean };
export type ExperimentComparison = {
  control: { key: string; label: string };
  variant: { key: string; label: string };
  metrics: { conversion: Metric; revenuePerRecipient: Metric };
  incrementalRevenue: { estimate: number | null; ci: Interval | null };
  verdict: { outcome: string; en: string; ru: string };
};
export type ExperimentResult = { srm: { flagged: boolean }; comparisons: ExperimentComparison[] };

/**
 * An experiment's results as a campaign or journey report gives them: each variant's difference
 * in conversion against the control drawn with its 95 % interval (a range on a zero line), the
 * figures in a table beside it, and the verdict in the words the API chose.
 */
export function ExperimentResults({ experiment, currency }: { experiment: ExperimentResult; currency: string }) {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const points = (fraction: number | null) => (fraction === null ? '—' : t('points', { value: format.number(fraction * 100, { maximumFractionDigits: 2, signDisplay: 'exceptZero' }) }));
  const rate = (value: number | null) => (value === null ? '—' : format.percent(value, 2));
  const money = (minor: number | null) => (minor === null ? '—' : format.money(Math.round(minor), currency));
  const comparisons = experiment.comparisons;
  const drawable = comparisons.filter((c) => c.metrics.conversion.ci && c.metrics.conversion.estimate !== null);

  const option = useMemo<EChartsCoreOption>(() => {
    const labels = drawable.map((c) => c.variant.label);
    return {
      animation: false,
      grid: { left: 90, right: 30, top: 20, bottom: 50 },
      xAxis: { type: 'value', name: t('axis'), nameLocation: 'middle', nameGap: 30, axisLabel: { formatter: (v: number) => format.number(v, { maximumFractionDigits: 2 }) } },
      yAxis: { type: 'category', data: labels },
      tooltip: { trigger: 'item' },
      series: [
        ...drawable.map((c) => ({
          type: 'line',
          name: c.variant.label,
          data: [
            [c.metrics.conversion.ci!.lower * 100, c.variant.label],
            [c.metrics.conversion.ci!.upper * 100, c.variant.label],
          ],
          // The interval's ends as the caps of an error bar.
          symbol: 'rect',
          symbolSize: [3, 16],
          lineStyle: { width: 3, color: c.metrics.conversion.significant ? '#1a7f37' : '#6e7781' },
          itemStyle: { color: c.metrics.conversion.significant ? '#1a7f37' : '#6e7781' },
          markLine: c === drawable[0] ? { silent: true, symbol: 'none', data: [{ xAxis: 0 }], lineStyle: { color: '#222', type: 'dashed' } } : undefined,
        })),
        {
          type: 'scatter',
          data: drawable.map((c) => [c.metrics.conversion.estimate! * 100, c.variant.label]),
          symbolSize: 12,
          itemStyle: { color: '#0b5cad' },
        },
      ],
    };
  }, [drawable, format, t]);

  const chartLabel = t('chartLabel', {
    control: comparisons[0]?.control.label ?? '',
    items: drawable.map((c) => t('chartItem', { key: c.variant.label, estimate: points(c.metrics.conversion.estimate), lower: points(c.metrics.conversion.ci!.lower), upper: points(c.metrics.conversion.ci!.upper) })).join('; '),
  });

  return (
    <div className="experiment">
      {experiment.srm.flagged ? <Notice tone="warning">{t('srm')}</Notice> : null}
      <ul className="verdicts" aria-label={t('verdict')}>
        {comparisons.map((c) => (
          <li key={c.variant.key} className={`verdict ${c.verdict.outcome}`}>
            <strong>{c.variant.label}: </strong>
            {locale === 'ru' ? c.verdict.ru : c.verdict.en}
          </li>
        ))}
      </ul>
      {drawable.length > 0 ? <Chart option={option} label={chartLabel} height={Math.max(160, 70 + drawable.length * 50)} /> : null}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">{t('caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('variant')}</th>
              <th scope="col" className="num">{t('conversion')}</th>
              <th scope="col" className="num">{t('difference')}</th>
              <th scope="col">{t('interval')}</th>
              <th scope="col" className="num">{t('pValue')}</th>
              <th scope="col" className="num">{t('revenue')}</th>
              <th scope="col" className="num">{t('incremental')}</th>
            </tr>
          </thead>
          <tbody>
            {comparisons.map((c) => {
              const m = c.metrics.conversion;
              return (
                <tr key={c.variant.key}>
                  <th scope="row">{`${c.variant.label} / ${c.control.label}`}</th>
                  <td className="num">{`${rate(m.variant)} / ${rate(m.control)}`}</td>
                  <td className="num">{points(m.estimate)}</td>
                  <td>
                    {m.ci ? `${points(m.ci.lower)} … ${points(m.ci.upper)} ` : '— '}
                    <Badge tone={m.significant ? 'good' : 'neutral'}>{m.significant ? t('significant') : t('notSignificant')}</Badge>
                  </td>
                  <td className="num">{m.pValue === null ? '—' : format.number(m.pValue, { maximumSignificantDigits: 2 })}</td>
                  <td className="num">{`${money(c.metrics.revenuePerRecipient.variant)} / ${money(c.metrics.revenuePerRecipient.control)}`}</td>
                  <td className="num">{money(c.incrementalRevenue.estimate)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
