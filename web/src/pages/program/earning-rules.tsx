import { useState } from 'react';
import { api } from '../../api.ts';
import { Badge, Empty, ErrorNote, Loading, Notice, Page } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, useLocation } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import type { EarningRule, RuleSet } from './program-types.ts';
import './program.css';

const text = defineText({
  en: {
    title: 'Earning rules',
    intro: 'What customers earn at the till: a base rate, bonus categories, multipliers, points per item or receipt. The till applies the active ones.',
    add: 'New rule',
    caption: 'Earning rules, in the order the program applies them',
    name: 'Name',
    kind: 'Kind',
    gives: 'Gives',
    when: 'Conditions',
    stacking: 'Stacking',
    state: 'State',
    action: 'Action',
    active: 'Active',
    inactive: 'Off',
    enable: 'Turn on “{name}”',
    disable: 'Turn off “{name}”',
    on: 'Turn on',
    off: 'Turn off',
    always: 'Always',
    empty: 'No earning rules yet',
    emptyHint: 'Customers earn nothing until there is a rule. Start with a base rate: “New rule”, kind “Percent”, rate 5.',
    saved: 'The rule “{id}” is saved: the till applies it from the next receipt.',
    version: 'Version {version}, saved {at}',
    percent: '{rate}% of the paid amount',
    multiplier: '×{factor} percent points',
    per_item: { one: '{count} point per item', other: '{count} points per item' },
    per_receipt: { one: '{count} point per receipt', other: '{count} points per receipt' },
    'if.categories': 'categories: {list}',
    'if.skus': 'SKUs: {list}',
    'if.brands': 'brands: {list}',
    'if.tiers': 'tiers: {list}',
    'if.stores': 'stores: {list}',
    'if.segments': 'segments: {list}',
    'if.channels': 'channels: {list}',
    'if.weekdays': 'days: {list}',
    'if.time': 'from {from} to {to}',
    'if.timeFrom': 'from {from}',
    'if.timeTo': 'until {to}',
    'if.minReceiptTotal': 'receipts from {money}',
    'if.validFrom': 'starts {date}',
    'if.validTo': 'ends {date}',
    offline: 'offline',
    online: 'online',
    highest: 'Highest wins',
    sum: 'Adds up',
    exclusive: 'Alone',
  },
  ru: {
    title: 'Правила начисления',
    intro: 'Что клиенты получают на кассе: базовая ставка, бонусные категории, множители, баллы за товар или чек. Касса применяет активные.',
    add: 'Новое правило',
    caption: 'Правила начисления в порядке применения',
    name: 'Название',
    kind: 'Вид',
    gives: 'Даёт',
    when: 'Условия',
    stacking: 'Сочетание',
    state: 'Состояние',
    action: 'Действие',
    active: 'Активно',
    inactive: 'Выключено',
    enable: 'Включить «{name}»',
    disable: 'Выключить «{name}»',
    on: 'Включить',
    off: 'Выключить',
    always: 'Всегда',
    empty: 'Правил начисления пока нет',
    emptyHint: 'Пока нет правила, клиенты ничего не получают. Начните с базовой ставки: «Новое правило», вид «Процент», ставка 5.',
    saved: 'Правило «{id}» сохранено: касса применяет его со следующего чека.',
    version: 'Версия {version}, сохранена {at}',
    percent: '{rate}% от оплаченного',
    multiplier: '×{factor} к процентным баллам',
    per_item: { one: '{count} балл за товар', few: '{count} балла за товар', many: '{count} баллов за товар', other: '{count} балла за товар' },
    per_receipt: { one: '{count} балл за чек', few: '{count} балла за чек', many: '{count} баллов за чек', other: '{count} балла за чек' },
    'if.categories': 'категории: {list}',
    'if.skus': 'артикулы: {list}',
    'if.brands': 'бренды: {list}',
    'if.tiers': 'уровни: {list}',
    'if.stores': 'магазины: {list}',
    'if.segments': 'сегменты: {list}',
    'if.channels': 'каналы: {list}',
    'if.weekdays': 'дни: {list}',
    'if.time': 'с {from} до {to}',
    'if.timeFrom': 'с {from}',
    'if.timeTo': 'до {to}',
    'if.minReceiptTotal': 'чек от {money}',
    'if.validFrom': 'начало {date}',
    'if.validTo': 'конец {date}',
    offline: 'офлайн',
    online: 'онлайн',
    highest: 'Побеждает наибольшее',
    sum: 'Складывается',
    exclusive: 'Только оно',
  },
});

/** ISO weekday 1–7 (Monday first) as the locale shortens it: 1 January 2024 was a Monday. */
const weekday = (day: number, locale: 'ru' | 'en') =>
  new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, day)));

/** The conditions of a rule in a line, in words: money as money, days and channels named, the dates it runs. */
function useConditionWords() {
  const t = useText(text);
  const format = useFormat();
  return (rule: EarningRule): string => {
    const c = rule.conditions;
    const parts: string[] = [];
    for (const key of ['categories', 'skus', 'brands', 'tiers', 'stores', 'segments'] as const) {
      if (c[key]?.length) parts.push(t(`if.${key}`, { list: c[key].join(', ') }));
    }
    if (c.channels?.length) parts.push(t('if.channels', { list: c.channels.map((channel) => t(channel)).join(', ') }));
    if (c.weekdays?.length) parts.push(t('if.weekdays', { list: c.weekdays.map((day) => weekday(day, format.locale)).join(', ') }));
    if (c.timeFrom && c.timeTo) parts.push(t('if.time', { from: c.timeFrom, to: c.timeTo }));
    else if (c.timeFrom) parts.push(t('if.timeFrom', { from: c.timeFrom }));
    else if (c.timeTo) parts.push(t('if.timeTo', { to: c.timeTo }));
    if (c.minReceiptTotal !== undefined) parts.push(t('if.minReceiptTotal', { money: format.money(c.minReceiptTotal) }));
    if (rule.validFrom) parts.push(t('if.validFrom', { date: format.date(rule.validFrom) }));
    if (rule.validTo) parts.push(t('if.validTo', { date: format.date(rule.validTo) }));
    return parts.join('; ');
  };
}

export default function EarningRules() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const { query } = useLocation();
  const rules = useResource((signal) => api.get<RuleSet>('/v1/earning-rules', undefined, signal), []);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const mayWrite = can('program:write');
  const saved = query.get('saved');
  const conditionsOf = useConditionWords();

  const toggle = async (rule: EarningRule) => {
    setBusy(rule.id);
    setError(null);
    try {
      await api.patch(`/v1/earning-rules/${encodeURIComponent(rule.id)}`, { active: !rule.active });
      rules.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };
  const gives = (rule: EarningRule) =>
    rule.kind === 'percent'
      ? t('percent', { rate: format.number((rule.rateBp ?? 0) / 100) })
      : rule.kind === 'multiplier'
        ? t('multiplier', { factor: format.number(rule.factor ?? 1) })
        : t(rule.kind, { count: rule.points ?? 0 });

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        mayWrite ? (
          <Link to="/program/rules/new" className="button primary">
            {t('add')}
          </Link>
        ) : null
      }
    >
      {saved ? <Notice tone="success">{t('saved', { id: saved })}</Notice> : null}
      <ErrorNote error={error} />
      {rules.loading && !rules.data ? <Loading /> : null}
      <ErrorNote error={rules.error} onRetry={rules.reload} />
      {rules.data && rules.data.rules.length === 0 ? <Empty title={t('empty')}>{t('emptyHint')}</Empty> : null}
      {rules.data && rules.data.rules.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('gives')}</th>
                <th scope="col">{t('when')}</th>
                <th scope="col">{t('stacking')}</th>
                <th scope="col">{t('state')}</th>
                {mayWrite ? <th scope="col">{t('action')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {rules.data.rules.map((rule) => (
                <tr key={rule.id}>
                  <td>
                    <Link to={`/program/rules/${encodeURIComponent(rule.id)}`}>{rule.name}</Link> <span className="muted">{rule.id}</span>
                  </td>
                  <td>{gives(rule)}</td>
                  <td>{conditionsOf(rule) || t('always')}</td>
                  <td>{t(rule.stacking)}</td>
                  <td>{rule.active ? <Badge tone="good">{t('active')}</Badge> : <Badge>{t('inactive')}</Badge>}</td>
                  {mayWrite ? (
                    <td>
                      <button type="button" className="secondary" disabled={busy === rule.id} aria-label={t(rule.active ? 'disable' : 'enable', { name: rule.name })} onClick={() => void toggle(rule)}>
                        {rule.active ? t('off') : t('on')}
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="table-foot">
            <span className="muted">{t('version', { version: rules.data.version, at: format.dateTime(rules.data.updatedAt) })}</span>
          </div>
        </div>
      ) : null}
    </Page>
  );
}
