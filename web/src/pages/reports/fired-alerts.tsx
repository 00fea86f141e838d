import { api, ApiError } from '../../api.ts';
import { DataTable, FilterSelect, pagedRows } from '../../components/table.tsx';
import { Card } from '../../components/ui.tsx';
import { useResource, type PagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import type { AlertRule, FiredAlert } from './report-types.ts';
import { useReportWords } from './report-words.ts';

const text = defineText({
  en: {
    title: 'Fired alerts',
    caption: 'Fired alerts, newest first',
    day: 'Day',
    what: 'What moved',
    value: 'Value',
    usual: 'Usual (median)',
    line: 'Alert line',
    below: 'below {low}',
    band: '{low} – {high}',
    filter: 'Rule',
    allRules: 'All rules',
    emptyRule: 'This rule has fired no alert',
    change: 'By how much',
    rule: 'Rule',
    when: 'Fired at',
    removed: 'a deleted rule',
    empty: 'No alert has fired',
    emptyHint: 'Rules are checked every morning for the day before; “Check now” on a rule judges any past day at once.',
  },
  ru: {
    title: 'Сработавшие оповещения',
    caption: 'Сработавшие оповещения, сначала новые',
    day: 'День',
    what: 'Что изменилось',
    value: 'Значение',
    usual: 'Обычно (медиана)',
    line: 'Граница',
    below: 'ниже {low}',
    band: '{low} – {high}',
    filter: 'Правило',
    allRules: 'Все правила',
    emptyRule: 'Это правило ещё не срабатывало',
    change: 'Насколько',
    rule: 'Правило',
    when: 'Сработало',
    removed: 'удалённое правило',
    empty: 'Оповещений ещё не было',
    emptyHint: 'Правила проверяются каждое утро за вчерашний день; «Проверить сейчас» у правила сразу оценит любой прошедший день.',
  },
});

/** The rule's name: from the rules shown above, else read by its id (a deleted rule says so). */
function RuleName({ id, known, removed }: { id: string; known: string | undefined; removed: string }) {
  const rule = useResource((signal) => (known ? Promise.resolve({ name: known }) : api.get<AlertRule>(`/v1/alert-rules/${id}`, undefined, signal)), [id, known]);
  if (rule.data) return <>{rule.data.name}</>;
  if (rule.error instanceof ApiError && rule.error.status === 404) return <span className="muted">{removed}</span>;
  return <span className="muted">{id}</span>;
}

/** The alerts fired (paged on the server, newest first): what moved, from what, by how much, and when. */
export function FiredAlerts({ list, rules, ruleId, onRuleId }: { list: PagedList<FiredAlert>; rules: AlertRule[]; ruleId: string; onRuleId: (id: string) => void }) {
  const t = useText(text);
  const format = useFormat();
  const words = useReportWords();
  const ruleName = (id: string) => rules.find((rule) => rule.id === id)?.name;
  const change = (alert: FiredAlert) => {
    const median = alert.evidence.median;
    return median ? format.number(alert.value / median - 1, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }) : '—';
  };
  const line = (alert: FiredAlert) => {
    const { low, high } = alert.evidence;
    if (low === undefined) return '—';
    return high === null || high === undefined ? t('below', { low: words.value(alert.kpi, low) }) : t('band', { low: words.value(alert.kpi, low), high: words.value(alert.kpi, high) });
  };
  return (
    <Card title={t('title')}>
      {rules.length > 0 ? (
        <div className="alert-filter">
          <FilterSelect id="alert-rule-filter" label={t('filter')} allLabel={t('allRules')} value={ruleId} onChange={onRuleId} options={rules.map((rule) => [rule.id, rule.name] as const)} />
        </div>
      ) : null}
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={ruleId ? { title: t('emptyRule'), hint: t('emptyHint') } : { title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'day', title: t('day'), render: (row) => format.date(row.day) },
          { key: 'what', title: t('what'), render: (row) => `${words.kpi(row.kpi)}, ${words.group(row.group)}` },
          { key: 'value', title: t('value'), numeric: true, render: (row) => words.value(row.kpi, row.value) },
          { key: 'usual', title: t('usual'), numeric: true, render: (row) => words.value(row.kpi, row.evidence.median ?? null) },
          { key: 'line', title: t('line'), numeric: true, render: line },
          { key: 'change', title: t('change'), numeric: true, render: change },
          { key: 'rule', title: t('rule'), render: (row) => <RuleName id={row.ruleId} known={ruleName(row.ruleId)} removed={t('removed')} /> },
          { key: 'when', title: t('when'), render: (row) => format.dateTime(row.firedAt) },
        ]}
      />
    </Card>
  );
}
