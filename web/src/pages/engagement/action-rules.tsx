import { useEffect, useState } from 'react';
import { api, ApiError } from '../../api.ts';
import { DataTable, type Column } from '../../components/table.tsx';
import { Badge, Dialog, ErrorNote, Field, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link, useLocation } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import type { ActionRule, RuleStatus } from './engagement-types.ts';
import './engagement.css';

const text = defineText({
  en: {
    title: 'Bonuses for actions',
    intro: 'Points for what customers do besides buying: joining, completing the profile, a review, the first app login, or an event of your own. Each rule says which event earns how many points, and within which limits.',
    add: 'New rule',
    birthday: 'Birthday offer',
    filter: 'Status',
    all: 'All',
    active: 'Active',
    paused: 'Paused',
    archived: 'Archived',
    caption: 'Bonuses for actions, newest first',
    name: 'Name',
    event: 'Event',
    points: 'Points',
    when: 'Conditions',
    limits: 'Limits',
    given: 'Given so far',
    state: 'Status',
    action: 'Actions',
    any: 'Any such event',
    none: 'None',
    once: 'once per customer',
    perDay: { one: '{count} a day', other: '{count} a day' },
    perTotal: { one: '{count} per customer', other: '{count} per customer' },
    budget: 'budget {points} points',
    awards: { one: '{count} award', other: '{count} awards' },
    pointsGiven: '{points} points',
    budgetLeft: '{points} left',
    pause: 'Pause',
    resume: 'Resume',
    pauseLabel: 'Pause “{name}”',
    resumeLabel: 'Resume “{name}”',
    remove: 'Delete',
    removeLabel: 'Delete “{name}”',
    confirmTitle: 'Delete the rule?',
    confirmText: '“{name}” will be removed. A rule that has already given points cannot be deleted: it stays for the customers’ history, and you can archive it instead.',
    confirm: 'Delete the rule',
    cancel: 'Cancel',
    inUse: '“{name}” has already given points, so it stays for the customers’ history. Archive it instead: it stops awarding and shows as archived.',
    archive: 'Archive it',
    deleted: 'The rule “{name}” is deleted.',
    archivedDone: 'The rule “{name}” is archived: it gives no more points.',
    saved: 'The rule is saved: it applies to the next matching event.',
    empty: 'No bonuses for actions yet',
    emptyHint: 'Press “New rule” and give points for an event: for example 150 points once per customer for “profile.completed”.',
    emptyFiltered: 'No rule has this status',
    emptyFilteredHint: 'Choose another status above.',
  },
  ru: {
    title: 'Бонусы за действия',
    intro: 'Баллы за то, что клиент делает помимо покупок: вступление, заполненный профиль, отзыв, первый вход в приложение или ваше собственное событие. Каждое правило говорит, какое событие приносит сколько баллов и в каких пределах.',
    add: 'Новое правило',
    birthday: 'Подарок ко дню рождения',
    filter: 'Статус',
    all: 'Все',
    active: 'Действует',
    paused: 'Приостановлено',
    archived: 'В архиве',
    caption: 'Бонусы за действия, сначала новые',
    name: 'Название',
    event: 'Событие',
    points: 'Баллы',
    when: 'Условия',
    limits: 'Ограничения',
    given: 'Выдано',
    state: 'Статус',
    action: 'Действия',
    any: 'Любое такое событие',
    none: 'Нет',
    once: 'один раз на клиента',
    perDay: { one: '{count} в день', few: '{count} в день', many: '{count} в день', other: '{count} в день' },
    perTotal: { one: '{count} на клиента', few: '{count} на клиента', many: '{count} на клиента', other: '{count} на клиента' },
    budget: 'бюджет {points} баллов',
    awards: { one: '{count} начисление', few: '{count} начисления', many: '{count} начислений', other: '{count} начисления' },
    pointsGiven: '{points} баллов',
    budgetLeft: 'осталось {points}',
    pause: 'Приостановить',
    resume: 'Возобновить',
    pauseLabel: 'Приостановить «{name}»',
    resumeLabel: 'Возобновить «{name}»',
    remove: 'Удалить',
    removeLabel: 'Удалить «{name}»',
    confirmTitle: 'Удалить правило?',
    confirmText: '«{name}» будет удалено. Правило, которое уже начисляло баллы, удалить нельзя: оно остаётся в истории клиентов, и его можно отправить в архив.',
    confirm: 'Удалить правило',
    cancel: 'Отмена',
    inUse: '«{name}» уже начисляло баллы, поэтому остаётся в истории клиентов. Отправьте его в архив: оно перестанет начислять и будет помечено как архивное.',
    archive: 'В архив',
    deleted: 'Правило «{name}» удалено.',
    archivedDone: 'Правило «{name}» в архиве: оно больше не начисляет баллы.',
    saved: 'Правило сохранено: оно действует со следующего подходящего события.',
    empty: 'Бонусов за действия пока нет',
    emptyHint: 'Нажмите «Новое правило» и назначьте баллы за событие: например, 150 баллов один раз на клиента за «profile.completed».',
    emptyFiltered: 'Правил с таким статусом нет',
    emptyFilteredHint: 'Выберите другой статус выше.',
  },
});

const statusTone = { active: 'good', paused: 'warn', archived: 'neutral' } as const;

/** A rule's conditions in a line: each property and the value it must have. */
const conditionsOf = (rule: ActionRule) =>
  Object.entries(rule.conditions.properties ?? {})
    .map(([key, value]) => `${key} = ${String(value)}`)
    .join('; ');

export default function ActionRules() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const { query } = useLocation();
  const mayWrite = can('engagement:write');
  const [status, setStatus] = useState<'' | RuleStatus>('');
  const list = usePagedList<ActionRule>('/v1/action-rules', status ? { status } : {}, 50);
  const rows = list.items;
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ActionRule | null>(null);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  // "Saved" is said once: the address loses ?saved, so a reload does not say it again.
  const [saved] = useState(query.get('saved') !== null);
  useEffect(() => {
    if (saved) window.history.replaceState(null, '', window.location.pathname);
  }, [saved]);

  const patch = async (rule: ActionRule, next: RuleStatus) => {
    setBusy(rule.id);
    setError(null);
    setDone(null);
    try {
      await api.patch(`/v1/action-rules/${rule.id}`, { status: next, version: rule.version });
      if (next === 'archived') setDone(t('archivedDone', { name: rule.name }));
      list.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };
  const remove = async (rule: ActionRule) => {
    setDeleteError(null);
    setDone(null);
    try {
      await api.delete(`/v1/action-rules/${rule.id}?version=${rule.version}`);
      setDeleting(null);
      setDone(t('deleted', { name: rule.name }));
      list.reload();
    } catch (caught) {
      setDeleteError(caught);
    }
  };
  const archiveInstead = async (rule: ActionRule) => {
    setDeleting(null);
    setDeleteError(null);
    await patch(rule, 'archived');
  };
  const inUse = deleteError instanceof ApiError && deleteError.code === 'action_rule.in_use';

  const limitsOf = (rule: ActionRule) => {
    const parts: string[] = [];
    if (rule.limits.oncePerCustomer) parts.push(t('once'));
    if (rule.limits.perCustomerPerDay) parts.push(t('perDay', { count: rule.limits.perCustomerPerDay }));
    if (rule.limits.perCustomerTotal) parts.push(t('perTotal', { count: rule.limits.perCustomerTotal }));
    if (rule.limits.totalPoints) parts.push(t('budget', { points: format.number(rule.limits.totalPoints) }));
    return parts.join(', ') || t('none');
  };

  const columns: Column<ActionRule>[] = [
    { key: 'name', title: t('name'), render: (rule) => <Link to={`/program/action-rules/${rule.id}`}>{rule.name}</Link> },
    { key: 'event', title: t('event'), render: (rule) => <code>{rule.eventType}</code> },
    { key: 'points', title: t('points'), numeric: true, render: (rule) => format.number(rule.points) },
    { key: 'when', title: t('when'), render: (rule) => conditionsOf(rule) || t('any') },
    { key: 'limits', title: t('limits'), render: limitsOf },
    {
      key: 'given',
      title: t('given'),
      render: (rule) => (
        <>
          {t('awards', { count: rule.usage.awards })}, {t('pointsGiven', { points: format.number(rule.usage.points) })}
          {rule.usage.budgetLeft !== null ? <span className="muted"> · {t('budgetLeft', { points: format.number(rule.usage.budgetLeft) })}</span> : null}
        </>
      ),
    },
    { key: 'state', title: t('state'), render: (rule) => <Badge tone={statusTone[rule.status]}>{t(rule.status)}</Badge> },
  ];
  if (mayWrite) {
    columns.push({
      key: 'action',
      title: t('action'),
      render: (rule) => (
        <div className="engage-row-actions">
          {rule.status !== 'archived' ? (
            <button
              type="button"
              className="secondary"
              disabled={busy === rule.id}
              aria-label={t(rule.status === 'active' ? 'pauseLabel' : 'resumeLabel', { name: rule.name })}
              onClick={() => void patch(rule, rule.status === 'active' ? 'paused' : 'active')}
            >
              {rule.status === 'active' ? t('pause') : t('resume')}
            </button>
          ) : null}
          <button
            type="button"
            className="danger"
            aria-label={t('removeLabel', { name: rule.name })}
            onClick={() => {
              setDeleteError(null);
              setDeleting(rule);
            }}
          >
            {t('remove')}
          </button>
        </div>
      ),
    });
  }

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        <>
          <Link to="/program/birthday" className="engage-button secondary">
            {t('birthday')}
          </Link>
          {mayWrite ? (
            <Link to="/program/action-rules/new" className="engage-button primary">
              {t('add')}
            </Link>
          ) : null}
        </>
      }
    >
      {saved ? <Notice tone="success">{t('saved')}</Notice> : null}
      {done ? <Notice tone="success">{done}</Notice> : null}
      <ErrorNote error={error} />
      <div className="engage-filter">
        <Field label={t('filter')}>
          {(props) => (
            <select {...props} value={status} onChange={(e) => setStatus(e.target.value as '' | RuleStatus)}>
              <option value="">{t('all')}</option>
              {(['active', 'paused', 'archived'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <DataTable
        rows={rows}
        columns={columns}
        rowKey={(rule) => rule.id}
        caption={t('caption')}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={list.hasMore}
        onMore={list.loadMore}
        empty={status ? { title: t('emptyFiltered'), hint: t('emptyFilteredHint') } : { title: t('empty'), hint: t('emptyHint') }}
      />
      <Dialog title={t('confirmTitle')} open={deleting !== null} onClose={() => setDeleting(null)}>
        {deleting ? (
          <div className="form">
            {inUse ? (
              <div className="alert warning" role="alert">
                <p>{t('inUse', { name: deleting.name })}</p>
              </div>
            ) : (
              <>
                <p>{t('confirmText', { name: deleting.name })}</p>
                <ErrorNote error={deleteError} />
              </>
            )}
            <div className="actions">
              {inUse ? (
                <button type="button" className="primary" onClick={() => void archiveInstead(deleting)}>
                  {t('archive')}
                </button>
              ) : (
                <button type="button" className="danger" onClick={() => void remove(deleting)}>
                  {t('confirm')}
                </button>
              )}
              <button type="button" className="secondary" onClick={() => setDeleting(null)}>
                {t('cancel')}
              </button>
            </div>
          </div>
        ) : null}
      </Dialog>
    </Page>
  );
}
