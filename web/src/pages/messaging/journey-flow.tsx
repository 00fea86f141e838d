import { Fragment } from 'react';
import { api } from '../../api.ts';
import { useResource } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import type { JourneyStep } from './messaging-types.ts';

const text = defineText({
  en: {
    flow: 'Steps of the journey',
    start: 'Starts when',
    wait: 'Wait',
    condition: 'Check',
    send: 'Send a message',
    award_points: 'Award points',
    promo_code: 'Give a personal code',
    tag: 'Tag the customer',
    webhook: 'Call a webhook',
    exit: 'Leave the journey',
    waitFor: 'for {time}',
    waitUntil: 'then until {time} in the customer’s zone',
    minutes: { one: '{count} minute', other: '{count} minutes' },
    hours: { one: '{count} hour', other: '{count} hours' },
    days: { one: '{count} day', other: '{count} days' },
    points: { one: '{count} point: {reason}', other: '{count} points: {reason}' },
    code: 'of promotion {promotion}, valid {days}',
    tagged: 'Tag “{tag}”',
    ifSegment: 'Is in segment {segment}',
    ifNotSegment: 'Is not in segment {segment}',
    ifPurchased: 'Has bought since entering',
    ifNotPurchased: 'Has not bought since entering',
    ifContact: 'Has a contact on {channel}',
    ifNoContact: 'Has no contact on {channel}',
    ifContext: 'The event’s {path} {op} {value}',
    yes: 'Yes',
    no: 'No',
    goesTo: 'then step {step}',
    ends: 'then the journey ends',
    passed: { one: '{count} passed', other: '{count} passed' },
    waiting: { one: '{count} waiting here', other: '{count} waiting here' },
    stepNo: 'Step {n}',
    noTemplate: 'No template chosen yet',
    edit: 'Edit step {n}: {kind}',
    incomplete: 'Needs a fix',
  },
  ru: {
    flow: 'Шаги цепочки',
    start: 'Запускается, когда',
    wait: 'Пауза',
    condition: 'Проверка',
    send: 'Отправить сообщение',
    award_points: 'Начислить баллы',
    promo_code: 'Выдать личный код',
    tag: 'Пометить клиента',
    webhook: 'Вызвать вебхук',
    exit: 'Выйти из цепочки',
    waitFor: 'на {time}',
    waitUntil: 'затем до {time} по времени клиента',
    minutes: { one: '{count} минуту', few: '{count} минуты', many: '{count} минут', other: '{count} минуты' },
    hours: { one: '{count} час', few: '{count} часа', many: '{count} часов', other: '{count} часа' },
    days: { one: '{count} день', few: '{count} дня', many: '{count} дней', other: '{count} дня' },
    points: { one: '{count} балл: {reason}', few: '{count} балла: {reason}', many: '{count} баллов: {reason}', other: '{count} балла: {reason}' },
    code: 'акции {promotion}, действует {days}',
    tagged: 'Метка «{tag}»',
    ifSegment: 'Состоит в сегменте {segment}',
    ifNotSegment: 'Не состоит в сегменте {segment}',
    ifPurchased: 'Купил после входа в цепочку',
    ifNotPurchased: 'Не купил после входа в цепочку',
    ifContact: 'Есть контакт в канале {channel}',
    ifNoContact: 'Нет контакта в канале {channel}',
    ifContext: 'В событии {path} {op} {value}',
    yes: 'Да',
    no: 'Нет',
    goesTo: 'затем шаг {step}',
    ends: 'затем цепочка заканчивается',
    passed: { one: 'прошёл {count}', few: 'прошли {count}', many: 'прошли {count}', other: 'прошли {count}' },
    waiting: { one: '{count} ждёт здесь', few: '{count} ждут здесь', many: '{count} ждут здесь', other: '{count} ждут здесь' },
    stepNo: 'Шаг {n}',
    noTemplate: 'Шаблон ещё не выбран',
    edit: 'Изменить шаг {n}: {kind}',
    incomplete: 'Нужно исправить',
  },
});

export type StepCounts = Record<string, { passed: number; waiting: number }>;

function TemplateLink({ id }: { id: string }) {
  const template = useResource((signal) => api.get<{ name: string }>(`/v1/templates/${id}`, undefined, signal), [id]);
  return <Link to={`/messaging/templates/${id}`}>{template.data?.name ?? id}</Link>;
}

/**
 * A journey drawn as a vertical flow: the trigger, then each step as a card with its settings
 * and counts, arrows between them; a check shows where its yes and no lead. The builder draws
 * its unsaved steps with it: template names it already holds (no fetch a keystroke), a step
 * chosen for editing, and the steps the server found wrong.
 */
export function JourneyFlow({ trigger, steps, counts, templateNames, selected, onSelect, invalid }: {
  trigger: string;
  steps: JourneyStep[];
  counts: StepCounts | null;
  templateNames?: Record<string, string>;
  selected?: number | null;
  onSelect?: (index: number) => void;
  invalid?: ReadonlySet<number>;
}) {
  const t = useText(text);
  const number = new Map(steps.map((s, i) => [s.id, i + 1]));
  const target = (next: string | null) => (next === null ? t('ends') : t('goesTo', { step: number.get(next) ?? next }));
  const duration = (minutes: number) =>
    minutes % 1440 === 0 ? t('days', { count: minutes / 1440 }) : minutes % 60 === 0 ? t('hours', { count: minutes / 60 }) : t('minutes', { count: minutes });

  const settings = (step: JourneyStep) => {
    switch (step.kind) {
      case 'wait':
        return [typeof step.minutes === 'number' ? t('waitFor', { time: duration(step.minutes) }) : null, step.untilLocalTime ? t('waitUntil', { time: step.untilLocalTime }) : null].filter(Boolean).join(', ');
      case 'send':
        if (!step.templateId) return t('noTemplate');
        return templateNames ? (templateNames[step.templateId] ?? step.templateId) : <TemplateLink id={step.templateId} />;
      case 'award_points':
        return typeof step.points === 'number' ? t('points', { count: step.points, reason: step.reason ?? '' }) : (step.reason ?? '');
      case 'promo_code':
        return typeof step.validDays === 'number' ? t('code', { promotion: step.promotionId, days: t('days', { count: step.validDays }) }) : step.promotionId;
      case 'tag':
        return step.tag ? t('tagged', { tag: step.tag }) : null;
      case 'webhook':
        return step.webhookId;
      case 'condition': {
        const c = step.if;
        if (c.kind === 'segment') return t(c.member ? 'ifSegment' : 'ifNotSegment', { segment: String(c.segmentId) });
        if (c.kind === 'purchased_since_entry') return t(c.value ? 'ifPurchased' : 'ifNotPurchased');
        if (c.kind === 'has_contact') return t(c.value ? 'ifContact' : 'ifNoContact', { channel: String(c.channel) });
        return t('ifContext', { path: String(c.path), op: String(c.op), value: c.value === undefined ? '' : String(c.value) });
      }
      default:
        return null;
    }
  };

  return (
    <ol className="flow" aria-label={t('flow')}>
      <li className="flow-node trigger">
        <span className="flow-kind">{t('start')}</span>
        <span className="flow-title">{trigger}</span>
      </li>
      {steps.map((step, i) => {
        const count = counts?.[step.id];
        const follows = steps[i + 1]?.id ?? null;
        return (
          <Fragment key={step.id}>
            <li className="flow-arrow" aria-hidden="true" />
            <li className={`flow-node step-${step.kind}${selected === i ? ' selected' : ''}${invalid?.has(i) ? ' invalid' : ''}`}>
              <span className="flow-kind">
                {t('stepNo', { n: i + 1 })}
                {invalid?.has(i) ? <span className="flow-problem">{` · ${t('incomplete')}`}</span> : null}
              </span>
              {onSelect ? (
                <button type="button" className="link flow-title" aria-label={t('edit', { n: i + 1, kind: t(step.kind) })} aria-pressed={selected === i} onClick={() => onSelect(i)}>
                  {t(step.kind)}
                </button>
              ) : (
                <span className="flow-title">{t(step.kind)}</span>
              )}
              <span className="flow-settings">{settings(step)}</span>
              {step.kind === 'condition' ? (
                <span className="flow-branches">
                  <span className="branch yes">{`${t('yes')}: ${target(step.then)}`}</span>
                  <span className="branch no">{`${t('no')}: ${target(step.else)}`}</span>
                </span>
              ) : step.kind !== 'exit' && step.next !== follows ? (
                <span className="flow-next">{target(step.next)}</span>
              ) : null}
              {count ? (
                <span className="flow-counts">
                  {t('passed', { count: count.passed })}
                  {count.waiting > 0 ? ` · ${t('waiting', { count: count.waiting })}` : ''}
                </span>
              ) : null}
            </li>
          </Fragment>
        );
      })}
    </ol>
  );
}

