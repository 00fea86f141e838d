import { useState, type FormEvent } from 'react';
import { useRoleName } from '../../components/settings-secret.tsx';
import { DataTable } from '../../components/table.tsx';
import { Field, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useLocation } from '../../router.tsx';
import './admin.css';

type AuditEntry = {
  id: number;
  occurredAt: string;
  actorKeyId: string | null;
  actorName: string;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
};

const text = defineText({
  en: {
    title: 'Audit log',
    intro: 'Who changed what and when: settings, rules, keys, users, points by hand, imports. Newest first.',
    entityType: 'Entity type',
    entityTypeHint: 'For example api_key, staff_user, customer, earning_rule',
    entityId: 'Entity id',
    entityIdHint: 'The id of one thing, e.g. key_… or cus_…',
    filter: 'Show',
    clear: 'Clear',
    caption: 'Audit log entries',
    when: 'When',
    who: 'Who',
    what: 'What',
    entity: 'Entity',
    details: 'Details',
    system: 'Patron itself',
    empty: 'Nothing recorded yet',
    emptyHint: 'Changes to settings, rules, keys and users appear here as people make them.',
    none: 'No entry matches',
    noneHint: 'Check the entity type and id, or clear the filter.',
  },
  ru: {
    title: 'Журнал действий',
    intro: 'Кто, что и когда изменил: настройки, правила, ключи, пользователи, ручные начисления, загрузки. Сначала новые.',
    entityType: 'Тип объекта',
    entityTypeHint: 'Например api_key, staff_user, customer, earning_rule',
    entityId: 'Id объекта',
    entityIdHint: 'Id одного объекта, например key_… или cus_…',
    filter: 'Показать',
    clear: 'Сбросить',
    caption: 'Записи журнала действий',
    when: 'Когда',
    who: 'Кто',
    what: 'Что',
    entity: 'Объект',
    details: 'Подробности',
    system: 'Сам Patron',
    empty: 'Пока ничего не записано',
    emptyHint: 'Изменения настроек, правил, ключей и пользователей появляются здесь, когда их вносят.',
    none: 'Нет подходящих записей',
    noneHint: 'Проверьте тип и id объекта или сбросьте отбор.',
  },
});

export default function Audit() {
  const t = useText(text);
  const format = useFormat();
  const roleName = useRoleName();
  const { query } = useLocation();
  const [type, setType] = useState(query.get('entityType') ?? '');
  const [id, setId] = useState(query.get('entityId') ?? '');
  const [applied, setApplied] = useState({ entityType: type.trim(), entityId: id.trim() });
  const list = usePagedList<AuditEntry>('/v1/audit-log', applied, 50);

  const apply = (next: { entityType: string; entityId: string }) => {
    setApplied(next);
    const params = new URLSearchParams(Object.entries(next).filter(([, value]) => value));
    window.history.replaceState(null, '', params.size ? `?${params}` : window.location.pathname);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply({ entityType: type.trim(), entityId: id.trim() });
  };
  const filtered = Boolean(applied.entityType || applied.entityId);

  return (
    <Page title={t('title')} intro={t('intro')}>
      <form className="filters" role="search" onSubmit={submit}>
        <Field label={t('entityType')} hint={t('entityTypeHint')}>
          {(props) => <input {...props} value={type} onChange={(e) => setType(e.target.value)} />}
        </Field>
        <Field label={t('entityId')} hint={t('entityIdHint')}>
          {(props) => <input {...props} value={id} onChange={(e) => setId(e.target.value)} />}
        </Field>
        <button type="submit" className="primary">
          {t('filter')}
        </button>
        {filtered ? (
          <button type="button" className="secondary" onClick={() => { setType(''); setId(''); apply({ entityType: '', entityId: '' }); }}>
            {t('clear')}
          </button>
        ) : null}
      </form>
      <DataTable
        caption={t('caption')}
        rows={list.items}
        rowKey={(row) => String(row.id)}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={list.hasMore}
        onMore={list.loadMore}
        empty={filtered ? { title: t('none'), hint: t('noneHint') } : { title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'when', title: t('when'), render: (row) => format.dateTime(row.occurredAt) },
          {
            key: 'who',
            title: t('who'),
            render: (row) => (
              <>
                {row.actorName || t('system')}
                {row.actorRole ? <span className="muted"> · {roleName(row.actorRole)}</span> : null}
              </>
            ),
          },
          { key: 'what', title: t('what'), render: (row) => <code>{row.action}</code> },
          {
            key: 'entity',
            title: t('entity'),
            render: (row) => (
              <>
                {row.entityType}
                {row.entityId ? (
                  <>
                    {' '}
                    <button type="button" className="link" onClick={() => { setType(row.entityType); setId(row.entityId ?? ''); apply({ entityType: row.entityType, entityId: row.entityId ?? '' }); }}>
                      {row.entityId}
                    </button>
                  </>
                ) : null}
              </>
            ),
          },
          { key: 'details', title: t('details'), render: (row) => (Object.keys(row.details).length ? <pre className="details-json">{JSON.stringify(row.details, null, 1)}</pre> : '—') },
        ]}
      />
    </Page>
  );
}
