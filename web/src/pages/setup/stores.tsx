import { useState } from 'react';
import { api } from '../../api.ts';
import { EditDialog, useEditing } from '../../components/setup-editing.tsx';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, ErrorNote, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { StoreForm } from './store-form.tsx';
import type { Store } from './setup-types.ts';
import './setup.css';

const text = defineText({
  en: {
    title: 'Stores',
    intro: 'The stores whose tills send receipts. The till recognition rate and the KPIs are reported by store, and each store’s time zone decides the hours and days of earning rules.',
    add: 'Add a store',
    caption: 'Stores',
    id: 'Code',
    name: 'Name',
    region: 'Region',
    timezone: 'Time zone',
    localTime: 'Local time now',
    status: 'Status',
    actions: 'Actions',
    open: 'Open',
    closed: 'Closed',
    edit: 'Edit',
    editLabel: 'Edit {name}',
    close: 'Close',
    closeLabel: 'Close {name}',
    reopen: 'Reopen',
    reopenLabel: 'Reopen {name}',
    editTitle: 'Edit the store {name}',
    addTitle: 'A new store',
    added: 'The store {name} is added.',
    saved: 'The store {name} is saved.',
    closedDone: 'The store {name} is closed: its till’s receipts are refused until it is reopened.',
    reopened: 'The store {name} is open again.',
    empty: 'No stores yet',
    emptyHint: 'Add each store with the code its till sends, so receipts, the recognition rate and KPIs are counted by store.',
    emptyReadOnly: 'An owner or a marketer adds the stores with the codes their tills send.',
  },
  ru: {
    title: 'Магазины',
    intro: 'Магазины, кассы которых присылают чеки. Узнаваемость клиентов на кассе и показатели считаются по магазинам, а часовой пояс магазина задаёт часы и дни правил начисления.',
    add: 'Добавить магазин',
    caption: 'Магазины',
    id: 'Код',
    name: 'Название',
    region: 'Регион',
    timezone: 'Часовой пояс',
    localTime: 'Местное время',
    status: 'Состояние',
    actions: 'Действия',
    open: 'Открыт',
    closed: 'Закрыт',
    edit: 'Изменить',
    editLabel: 'Изменить {name}',
    close: 'Закрыть',
    closeLabel: 'Закрыть {name}',
    reopen: 'Открыть',
    reopenLabel: 'Открыть {name}',
    editTitle: 'Магазин {name}',
    addTitle: 'Новый магазин',
    added: 'Магазин {name} добавлен.',
    saved: 'Магазин {name} сохранён.',
    closedDone: 'Магазин {name} закрыт: чеки его кассы не принимаются, пока его не откроют.',
    reopened: 'Магазин {name} снова открыт.',
    empty: 'Магазинов пока нет',
    emptyHint: 'Добавьте каждый магазин с кодом, который передаёт его касса, — тогда чеки, узнаваемость и показатели считаются по магазинам.',
    emptyReadOnly: 'Магазины с кодами их касс добавляет владелец или маркетолог.',
  },
});

function localTime(zone: string, locale: string): string {
  try {
    return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', weekday: 'short' }).format(new Date());
  } catch {
    return '—';
  }
}

export default function Stores() {
  const t = useText(text);
  const format = useFormat();
  const can = useCan();
  const canWrite = can('catalog:write');
  const list = usePagedList<Store>('/v1/stores', {}, 100);
  const { editing, done, setDone, edit, cancel, saved } = useEditing<Store>(list.reload);
  const [rowError, setRowError] = useState<unknown>(null);

  const setActive = async (store: Store, active: boolean) => {
    setDone(null);
    setRowError(null);
    try {
      const saved = await api.patch<Store>(`/v1/stores/${encodeURIComponent(store.id)}`, { active });
      setDone(t(saved.active ? 'reopened' : 'closedDone', { name: saved.name }));
    } catch (caught) {
      setRowError(caught);
    }
    list.reload();
  };

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        canWrite ? (
          <button type="button" className="primary" onClick={() => edit('new')}>
            {t('add')}
          </button>
        ) : null
      }
    >
      {done ? <Notice tone="success">{done}</Notice> : null}
      <ErrorNote error={rowError} />
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: canWrite ? t('emptyHint') : t('emptyReadOnly') }}
        columns={[
          { key: 'id', title: t('id'), render: (row) => <span className="setup-code">{row.id}</span> },
          { key: 'name', title: t('name'), render: (row) => row.name },
          { key: 'region', title: t('region'), render: (row) => row.region ?? '—' },
          { key: 'timezone', title: t('timezone'), render: (row) => row.timezone.replaceAll('_', ' ') },
          { key: 'local', title: t('localTime'), render: (row) => localTime(row.timezone, format.locale) },
          { key: 'status', title: t('status'), render: (row) => (row.active ? <Badge tone="good">{t('open')}</Badge> : <Badge tone="bad">{t('closed')}</Badge>) },
          ...(canWrite
            ? [
                {
                  key: 'actions',
                  title: t('actions'),
                  render: (row: Store) => (
                    <span className="row-actions">
                      <button type="button" className="secondary" aria-label={t('editLabel', { name: row.name })} onClick={() => edit(row)}>
                        {t('edit')}
                      </button>
                      <button type="button" className="secondary" aria-label={t(row.active ? 'closeLabel' : 'reopenLabel', { name: row.name })} onClick={() => void setActive(row, !row.active)}>
                        {t(row.active ? 'close' : 'reopen')}
                      </button>
                    </span>
                  ),
                },
              ]
            : []),
        ]}
      />
      <EditDialog editing={editing} addTitle={t('addTitle')} editTitle={(row) => t('editTitle', { name: row.name })} rowKey={(row) => row.id} onClose={cancel}>
        {(row) => <StoreForm store={row} onCancel={cancel} onSaved={(store, created) => saved(t(created ? 'added' : 'saved', { name: store.name }))} />}
      </EditDialog>
    </Page>
  );
}
