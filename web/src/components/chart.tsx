import { useEffect, useRef, useState } from 'react';
import type { EChartsCoreOption } from 'echarts/core';
import { defineText, useText } from '../i18n.tsx';

const text = defineText({
  en: { loading: 'Drawing the chart…', failed: 'The chart could not be drawn.' },
  ru: { loading: 'Рисуем график…', failed: 'График не удалось нарисовать.' },
});

/**
 * Apache ECharts, loaded the first time a page draws a chart (its own chunk, not the first
 * page's). Only the chart kinds the console uses are registered, to keep that chunk small.
 */
async function loadEcharts() {
  const [core, charts, components, renderers] = await Promise.all([
    import('echarts/core'),
    import('echarts/charts'),
    import('echarts/components'),
    import('echarts/renderers'),
  ]);
  core.use([
    charts.LineChart,
    charts.BarChart,
    charts.HeatmapChart,
    charts.PieChart,
    charts.ScatterChart,
    charts.FunnelChart,
    components.GridComponent,
    components.TooltipComponent,
    components.LegendComponent,
    components.VisualMapComponent,
    components.TitleComponent,
    components.DatasetComponent,
    components.MarkLineComponent,
    renderers.CanvasRenderer,
  ]);
  return core;
}
let echartsLoading: ReturnType<typeof loadEcharts> | null = null;

/**
 * ECharts' HTML tooltip writes style attributes into its markup, which the console's CSP
 * refuses: tooltips are drawn inside the canvas instead, unless a page says otherwise.
 */
function withinPolicy(option: EChartsCoreOption): EChartsCoreOption {
  const tooltip = option.tooltip as Record<string, unknown> | undefined;
  if (!tooltip || Array.isArray(tooltip)) return option;
  return { ...option, tooltip: { renderMode: 'richText', ...tooltip } };
}

/**
 * A chart drawn from an ECharts option. `label` says in words what it shows, for screen
 * readers; a page shows the same figures in a table or in numbers beside it.
 */
export function Chart({ option, label, height = 320 }: { option: EChartsCoreOption; label: string; height?: number }) {
  const t = useText(text);
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const chartRef = useRef<{ setOption(option: EChartsCoreOption, notMerge?: boolean): void; resize(): void; dispose(): void } | null>(null);
  // The option of the latest render: one that changed while ECharts was loading is the one drawn.
  const latest = useRef(option);
  latest.current = option;

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | null = null;
    echartsLoading ??= loadEcharts();
    echartsLoading.then(
      (echarts) => {
        if (disposed || !ref.current) return;
        // Canvas: ECharts' SVG renderer writes style attributes, which the console's CSP refuses.
        const chart = echarts.init(ref.current, undefined, { renderer: 'canvas' });
        chartRef.current = chart;
        chart.setOption(withinPolicy(latest.current), true);
        observer = new ResizeObserver(() => chart.resize());
        observer.observe(ref.current);
        setState('ready');
      },
      () => !disposed && setState('failed'),
    );
    return () => {
      disposed = true;
      observer?.disconnect();
      chartRef.current?.dispose();
      chartRef.current = null;
    };
    // The chart is made once; option changes go through setOption below.
  }, []);

  useEffect(() => {
    chartRef.current?.setOption(withinPolicy(option), true);
  }, [option]);

  return (
    <div className="chart-box">
      <div ref={ref} className="chart" style={{ height }} role="img" aria-label={label} />
      {state === 'loading' ? <p className="muted">{t('loading')}</p> : null}
      {state === 'failed' ? <p className="field-error">{t('failed')}</p> : null}
    </div>
  );
}
