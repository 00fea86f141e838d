import { useState } from 'react';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, Dialog, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import { ChannelForm, channelText } from './channel-form.tsx';
import type { Channel } from './channel-fields.ts';
import { ContactPolicyCard } from './contact-policy.tsx';
import { WebhooksCard } from './webhooks.tsx';
import './settings.css';

const text = defineText({
  en: {
    title: 'Channels',
    intro: 'Where messages go out: the SMTP relay for e-mail, the SMS gateway, web push keys and the Telegram bot; and the rules every marketing message obeys.',
    add: 'Add a channel',
    addTitle: 'A new channel',
    editTitle: 'Change “{name}”',
    caption: 'Message channels',
    name: 'Name',
    kind: 'Kind',
    status: 'Status',
    secrets: 'Secrets',
    updated: 'Changed',
    actions: 'Actions',
    active: 'Active',
    off: 'Off',
    edit: 'Change',
    set: '{name}: set',
    none: 'none',
    saved: 'The channel “{name}” is saved.',
    empty: 'No channels yet',
    emptyHint: 'Add the SMTP relay first: e-mail codes and campaigns wait until a channel of their kind is active.',
    emptyReadOnly: 'An owner sets up channels; until then messages of that kind wait.',
  },
  ru: {
    title: 'Каналы',
    intro: 'Через что уходят сообщения: SMTP-сервер для почты, SMS-шлюз, ключи веб-push и бот Telegram; и правила, которым подчиняется каждая рассылка.',
    add: 'Добавить канал',
    addTitle: 'Новый канал',
    editTitle: 'Изменить «{name}»',
    caption: 'Каналы сообщений',
    name: 'Название',
    kind: 'Вид',
    status: 'Состояние',
    secrets: 'Секреты',
    updated: 'Изменён',
    actions: 'Действия',
    active: 'Действует',
    off: 'Выключен',
    edit: 'Изменить',
    set: '{name}: задан',
    none: 'нет',
    saved: 'Канал «{name}» сохранён.',
    empty: 'Каналов пока нет',
    emptyHint: 'Начните с SMTP-сервера: коды по почте и рассылки ждут, пока канал их вида не заработает.',
    emptyReadOnly: 'Каналы настраивает владелец; до тех пор сообщения этого вида ждут.',
  },
});

export default function Channels() {
  const t = useText(text);
  const ct = useText(channelText);
  const format = useFormat();
  const can = useCan();
  const manage = can('channels:manage');
  const list = usePagedList<Channel>('/v1/channels', {}, 50);
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        manage ? (
          <button type="button" className="primary" onClick={() => { setSaved(null); setEditing('new'); }}>
            {t('add')}
          </button>
        ) : null
      }
    >
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      <Card title={t('caption')}>
        <DataTable
          caption={t('caption')}
          {...pagedRows(list)}
          empty={{ title: t('empty'), hint: manage ? t('emptyHint') : t('emptyReadOnly') }}
          columns={[
            { key: 'name', title: t('name'), render: (row) => row.name },
            { key: 'kind', title: t('kind'), render: (row) => (row.kind in channelText.en ? ct(row.kind) : row.kind) },
            { key: 'status', title: t('status'), render: (row) => (row.active ? <Badge tone="good">{t('active')}</Badge> : <Badge>{t('off')}</Badge>) },
            {
              key: 'secrets',
              title: t('secrets'),
              render: (row) => (row.secretsSet.length ? row.secretsSet.map((path) => t('set', { name: path in channelText.en ? ct(path as 'token') : path })).join('; ') : t('none')),
            },
            { key: 'updated', title: t('updated'), render: (row) => format.dateTime(row.updatedAt) },
            ...(manage
              ? [
                  {
                    key: 'actions',
                    title: t('actions'),
                    render: (row: Channel) => (
                      <button type="button" className="secondary" aria-label={`${t('edit')}: ${row.name}`} onClick={() => { setSaved(null); setEditing(row); }}>
                        {t('edit')}
                      </button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <ContactPolicyCard />
      {can('webhooks:manage') ? <WebhooksCard /> : null}
      <Dialog title={editing === 'new' ? t('addTitle') : editing ? t('editTitle', { name: editing.name }) : ''} open={editing !== null} onClose={() => setEditing(null)}>
        {editing ? (
          <ChannelForm
            key={editing === 'new' ? 'new' : editing.id}
            channel={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(channel) => {
              setEditing(null);
              setSaved(t('saved', { name: channel.name }));
              list.reload();
            }}
          />
        ) : null}
      </Dialog>
    </Page>
  );
}
