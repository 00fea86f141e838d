import { useState } from 'react';
import { api } from '../../api.ts';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, Dialog, ErrorNote } from '../../components/ui.tsx';
import type { PagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { AlertCheck } from './alert-check.tsx';
import { AlertRuleForm } from './alert-rule-form.tsx';
import type { AlertRule } from './report-types.ts';
import { useReportWords } from './report-words.ts';

const text = defineText({
  en: {
    title: 'Alert rules',
    create: 'New rule',
    createTitle: 'New alert rule',
    caption: 'Alert rules',
    name: 'Name',
    watches: 'Watches',
    condition: 'Alerts when',
    checked: 'Checked',
    actions: 'Actions',
    through: 'Every day; judged up to {day}',
    notYet: 'Every day; not judged yet',
    paused: 'Paused',
    check: 'Check now',
    checkTitle: 'Check “{name}” now',
    edit: 'Edit',
    editTitle: 'Edit the alert rule',
    delete: 'Delete',
    deleteTitle: 'Delete the alert rule?',
    deleteWarning: '“{name}” and the alerts it fired will be deleted; this cannot be undone. To stop it alerting but keep its alerts, pause it instead (Edit).',
    confirmDelete: 'Delete the rule and its alerts',
    cancel: 'Cancel',
    empty: 'No alert rules yet',
    emptyHint: 'Create one with “New rule”: for example, revenue by store falling 20 % below its four-week median.',
    emptyRead: 'An analyst or a marketer can set rules; the alerts they fire show below.',
  },
  ru: {
    title: 'Правила оповещений',
    create: 'Новое правило',
    createTitle: 'Новое правило оповещения',
    caption: 'Правила оповещений',
    name: 'Название',
    watches: 'Что отслеживает',
    condition: 'Оповещает, когда',
    checked: 'Проверка',
    actions: 'Действия',
    through: 'Каждый день; проверено по {day}',
    notYet: 'Каждый день; ещё не проверялось',
    paused: 'Приостановлено',
    check: 'Проверить сейчас',
    checkTitle: 'Проверить «{name}» сейчас',
    edit: 'Изменить',
    editTitle: 'Изменить правило оповещения',
    delete: 'Удалить',
    deleteTitle: 'Удалить правило оповещения?',
    deleteWarning: '«{name}» и сработавшие по нему оповещения будут удалены; отменить это нельзя. Чтобы правило перестало срабатывать, но оповещения остались, приостановите его (Изменить).',
    confirmDelete: 'Удалить правило и оповещения',
    cancel: 'Отмена',
    empty: 'Правил оповещений пока нет',
    emptyHint: 'Создайте его кнопкой «Новое правило»: например, выручка магазина упала на 20 % ниже медианы за четыре недели.',
    emptyRead: 'Аналитик или маркетолог может настроить правила; сработавшие оповещения появятся ниже.',
  },
});

type Open = { what: 'create' } | { what: 'check' | 'edit' | 'delete'; rule: AlertRule } | null;

/** The alert rules (paged), with create, check now, edit and delete (which takes the rule's alerts with it) for a role that may change them. */
export function AlertRules({ list, canWrite, onAlertsChanged, onDeleted }: { list: PagedList<AlertRule>; canWrite: boolean; onAlertsChanged: () => void; onDeleted: (id: string) => void }) {
  const t = useText(text);
  const format = useFormat();
  const words = useReportWords();
  const [open, setOpen] = useState<Open>(null);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setOpen(null);
    setError(null);
  };
  const remove = async (rule: AlertRule) => {
    setError(null);
    try {
      await api.delete(`/v1/alert-rules/${rule.id}`);
      close();
      list.reload();
      onDeleted(rule.id);
      onAlertsChanged();
    } catch (caught) {
      setError(caught);
    }
  };
  const button = (what: 'check' | 'edit' | 'delete', rule: AlertRule) => (
    <button type="button" className="secondary" aria-label={`${t(what)}: ${rule.name}`} onClick={() => setOpen({ what, rule })}>
      {t(what)}
    </button>
  );

  return (
    <Card
      title={t('title')}
      actions={
        canWrite ? (
          <button type="button" className="primary" onClick={() => setOpen({ what: 'create' })}>
            {t('create')}
          </button>
        ) : null
      }
    >
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: canWrite ? t('emptyHint') : t('emptyRead') }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => row.name },
          { key: 'watches', title: t('watches'), render: (row) => `${words.kpi(row.kpi)}, ${words.grouping(row.groupBy)}` },
          { key: 'condition', title: t('condition'), render: (row) => words.condition(row) },
          {
            key: 'checked',
            title: t('checked'),
            render: (row) =>
              row.active ? (
                <>
                  {row.checkedThrough ? t('through', { day: format.date(row.checkedThrough) }) : t('notYet')}
                  <span className="muted"> · {words.zone(row.timezone)}</span>
                </>
              ) : (
                <Badge>{t('paused')}</Badge>
              ),
          },
          ...(canWrite
            ? [{ key: 'actions', title: t('actions'), render: (row: AlertRule) => <span className="actions row-actions">{button('check', row)}{button('edit', row)}{button('delete', row)}</span> }]
            : []),
        ]}
      />
      <Dialog title={t('createTitle')} open={open?.what === 'create'} onClose={close}>
        <AlertRuleForm
          onSaved={() => {
            close();
            list.reload();
          }}
          onCancel={close}
        />
      </Dialog>
      <Dialog title={open?.what === 'check' ? t('checkTitle', { name: open.rule.name }) : t('check')} open={open?.what === 'check'} onClose={close}>
        {open?.what === 'check' ? <AlertCheck rule={open.rule} onChecked={onAlertsChanged} /> : null}
      </Dialog>
      <Dialog title={t('editTitle')} open={open?.what === 'edit'} onClose={close}>
        {open?.what === 'edit' ? (
          <AlertRuleForm
            rule={open.rule}
            onSaved={() => {
              close();
              list.reload();
            }}
            onCancel={close}
          />
        ) : null}
      </Dialog>
      <Dialog title={t('deleteTitle')} open={open?.what === 'delete'} onClose={close}>
        {open?.what === 'delete' ? (
          <>
            <p>{t('deleteWarning', { name: open.rule.name })}</p>
            <ErrorNote error={error} />
            <div className="actions">
              <button type="button" className="danger" onClick={() => void remove(open.rule)}>
                {t('confirmDelete')}
              </button>
              <button type="button" className="secondary" onClick={close}>
                {t('cancel')}
              </button>
            </div>
          </>
        ) : null}
      </Dialog>
    </Card>
  );
}
