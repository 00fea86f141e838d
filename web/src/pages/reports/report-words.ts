import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { AlertGroup, AlertGrouping, AlertKpi, AlertRule, ReportKind, ReportQuery, ReportSchedule } from './report-types.ts';

/** Words shared by the reports and alerts pages: what a report is of, its schedule, a key figure and its value. */
const text = defineText({
  en: {
    kpis: 'Key figures (KPIs)',
    cohorts: 'Cohorts and LTV',
    funnels: 'Funnel',
    economics: 'Bonus economics',
    daily: 'Every day, for the day before',
    weekly: 'Every Monday, for last week (Monday to Sunday)',
    monthly: 'On the 1st of each month, for last month',
    zone: 'days as counted in {zone}',
    revenueMinor: 'Revenue',
    receipts: 'Receipts',
    averageCheckMinor: 'Average check',
    recognitionRate: 'Recognition rate at the till',
    identifiedReceipts: 'Identified receipts',
    tillReceipts: 'Till receipts',
    customers: 'Buyers',
    none: 'in total',
    store: 'by store',
    register: 'by register',
    channel: 'by channel',
    storeOf: 'store {value}',
    registerOf: 'register {value}',
    channelOf: 'channel {value}',
    noRegister: 'no register',
    dropRule: 'Falls more than {percent} below the median of the {days} days before',
    bandRule: 'Leaves the band of the same weekday over the {weeks} weeks before (median ± {k} × spread)',
    groupBy: 'split by {value}',
    compare: 'compared with {value}',
    onlyStore: 'store {value} only',
    onlyChannel: '{value} only',
    onlySegment: 'segment {value} only',
    unit: 'cohorts by {value}',
    by: 'split by {value}',
    steps: 'steps {value}',
    withinDays: 'within {value} days',
    series: 'with a series by {value}',
    v_none: 'nothing',
    v_store: 'store',
    v_register: 'register',
    v_channel: 'channel',
    v_tier: 'tier',
    v_segment: 'segment',
    v_cluster: 'cluster',
    v_day: 'day',
    v_week: 'week',
    v_month: 'month',
    v_promotion: 'promotion',
    v_source: 'where customers joined',
    v_previous: 'the period before',
    v_year: 'a year earlier',
    'v_previous,year': 'the period before and a year earlier',
    v_offline: 'at the till',
    v_online: 'online',
  },
  ru: {
    kpis: 'Ключевые показатели (KPI)',
    cohorts: 'Когорты и LTV',
    funnels: 'Воронка',
    economics: 'Экономика бонусов',
    daily: 'Каждый день — за вчера',
    weekly: 'Каждый понедельник — за прошлую неделю (пн–вс)',
    monthly: '1-го числа — за прошлый месяц',
    zone: 'дни по времени {zone}',
    revenueMinor: 'Выручка',
    receipts: 'Чеки',
    averageCheckMinor: 'Средний чек',
    recognitionRate: 'Доля опознанных чеков на кассе',
    identifiedReceipts: 'Опознанные чеки',
    tillReceipts: 'Чеки на кассе',
    customers: 'Покупатели',
    none: 'в целом',
    store: 'по магазинам',
    register: 'по кассам',
    channel: 'по каналам',
    storeOf: 'магазин {value}',
    registerOf: 'касса {value}',
    channelOf: 'канал {value}',
    noRegister: 'без кассы',
    dropRule: 'Падает больше чем на {percent} ниже медианы {days} предыдущих дней',
    bandRule: 'Выходит из коридора того же дня недели за {weeks} предыдущих недель (медиана ± {k} × разброс)',
    groupBy: 'разбивка: {value}',
    compare: 'сравнение: {value}',
    onlyStore: 'только магазин {value}',
    onlyChannel: 'только {value}',
    onlySegment: 'только сегмент {value}',
    unit: 'когорты: {value}',
    by: 'разбивка: {value}',
    steps: 'шаги {value}',
    withinDays: 'за {value} дн.',
    series: 'ряд: {value}',
    v_none: 'нет',
    v_store: 'магазин',
    v_register: 'касса',
    v_channel: 'канал',
    v_tier: 'уровень',
    v_segment: 'сегмент',
    v_cluster: 'кластер',
    v_day: 'день',
    v_week: 'неделя',
    v_month: 'месяц',
    v_promotion: 'акция',
    v_source: 'где клиент зарегистрировался',
    v_previous: 'предыдущий период',
    v_year: 'год назад',
    'v_previous,year': 'предыдущий период и год назад',
    v_offline: 'на кассе',
    v_online: 'онлайн',
  },
});

type Key = keyof typeof text.en;
const isKey = (key: string): key is Key => key in text.en;

export function useReportWords() {
  const t = useText(text);
  const format = useFormat();
  // A parameter's value in words where it is one of the API's choices; a store or segment id as it is.
  const valueWords = (value: string) => (isKey(`v_${value}`) ? t(`v_${value}` as Key) : value);
  return {
    kind: (kind: ReportKind) => t(kind),
    schedule: (schedule: ReportSchedule) => t(schedule),
    zone: (zone: string) => t('zone', { zone }),
    kpi: (kpi: AlertKpi) => t(kpi),
    grouping: (grouping: AlertGrouping) => t(grouping),
    /** The query's parameters in words, in the order the form asks them. */
    query: (query: ReportQuery) =>
      Object.entries(query)
        .map(([key, value]) => {
          const v = key === 'store' || key === 'segment' || key === 'steps' ? String(value) : valueWords(String(value));
          if (key === 'groupBy') return t('groupBy', { value: v });
          if (key === 'compare') return t('compare', { value: v });
          if (key === 'store') return t('onlyStore', { value: v });
          if (key === 'channel') return t('onlyChannel', { value: v });
          if (key === 'segment') return t('onlySegment', { value: v });
          if (key === 'unit') return t('unit', { value: v });
          if (key === 'by') return t('by', { value: v });
          if (key === 'steps') return t('steps', { value: v });
          if (key === 'withinDays') return t('withinDays', { value: v });
          if (key === 'series') return t('series', { value: v });
          return `${key}: ${v}`;
        })
        .join(', '),
    /** Which store, register or channel an alert is about, or "in total". */
    group: (group: AlertGroup) => {
      const parts: string[] = [];
      if ('channel' in group) parts.push(t('channelOf', { value: group.channel ?? '—' }));
      if ('store' in group) parts.push(t('storeOf', { value: group.store ?? '—' }));
      if ('register' in group) parts.push(group.register === null ? t('noRegister') : t('registerOf', { value: group.register ?? '—' }));
      return parts.length === 0 ? t('none') : parts.join(', ');
    },
    /** The rule's condition in words. */
    condition: (rule: Pick<AlertRule, 'kind' | 'params'>) =>
      rule.kind === 'drop'
        ? t('dropRule', { percent: format.percent(rule.params.threshold, 1), days: rule.params.days })
        : t('bandRule', { weeks: rule.params.weeks, k: format.number(rule.params.k) }),
    /** A key figure's value as it reads: money for revenue and the average check, a share for the recognition rate. */
    value: (kpi: AlertKpi | string, value: number | null) => {
      if (value === null) return '—';
      if (kpi === 'revenueMinor' || kpi === 'averageCheckMinor') return format.money(value);
      if (kpi === 'recognitionRate') return format.percent(value, 1);
      return format.number(value, { maximumFractionDigits: 2 });
    },
  };
}
