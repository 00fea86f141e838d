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
    per_item: '{points} points per item',
    per_receipt: '{points} points per receipt',
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
    per_item: '{points} баллов за товар',
    per_receipt: '{points} баллов за чек',
    highest: 'Побеждает наибольшее',
    sum: 'Складывается',
    exclusive: 'Только оно',
  },
});

/** The conditions of a rule in a line: what the marketer set, named as they set it. */
const conditionsOf = (rule: EarningRule) =>
  Object.entries(rule.conditions)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join('; ');

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
        : t(rule.kind, { points: format.number(rule.points ?? 0) });

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
