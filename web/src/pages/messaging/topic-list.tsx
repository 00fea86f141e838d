import { useState } from 'react';
import { DataTable } from '../../components/table.tsx';
import { Badge, Dialog, Notice, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { useCan } from '../../session.tsx';
import type { Topic } from './messaging-types.ts';
import { TopicForm } from './topic-form.tsx';
import { inLocale } from './topic-words.ts';
import './messaging.css';

const text = defineText({
  en: {
    title: 'Subscription topics',
    intro: 'Kinds of message a customer may leave while keeping the channel.',
    hint: 'A customer can leave “offers” and keep “news”. The preference centre behind each message and the account page show the topics; a marketing message whose topic the customer left is not sent to them (it is counted as skipped). A template names its topic in the template editor.',
    create: 'New topic',
    caption: 'Subscription topics',
    name: 'Name',
    key: 'Key',
    description: 'Description',
    default: 'A customer who never chose',
    on: 'On',
    off: 'Off',
    onHint: 'is on until they leave',
    offHint: 'is off until they join',
    updated: 'Changed',
    edit: 'Edit',
    editNamed: 'Edit “{name}”',
    newTitle: 'New topic',
    editTitle: 'Topic “{name}”',
    created: 'Topic “{name}” is created; name it in a template to send on it.',
    saved: 'Topic “{name}” is saved.',
    empty: 'No topics yet',
    emptyHint: 'Create one with “New topic” (for example “offers” and “news”), then choose it in a marketing template.',
  },
  ru: {
    title: 'Темы рассылок',
    intro: 'Виды сообщений, от которых клиент может отказаться, не отказываясь от канала.',
    hint: 'Клиент может отказаться от «Акций» и остаться в «Новостях». Темы показываются на странице настроек рассылок за каждым сообщением и в личном кабинете; маркетинговое сообщение на тему, от которой клиент отказался, ему не отправляется (оно считается пропущенным). Тему шаблона выбирают в редакторе шаблона.',
    create: 'Новая тема',
    caption: 'Темы рассылок',
    name: 'Название',
    key: 'Ключ',
    description: 'Описание',
    default: 'Клиент, который ещё не выбирал',
    on: 'Подписан',
    off: 'Не подписан',
    onHint: 'пока сам не откажется',
    offHint: 'пока сам не подпишется',
    updated: 'Изменена',
    edit: 'Изменить',
    editNamed: 'Изменить «{name}»',
    newTitle: 'Новая тема',
    editTitle: 'Тема «{name}»',
    created: 'Тема «{name}» создана; выберите её в шаблоне, чтобы отправлять по ней.',
    saved: 'Тема «{name}» сохранена.',
    empty: 'Тем пока нет',
    emptyHint: 'Создайте первую кнопкой «Новая тема» (например, «Акции» и «Новости») и выберите её в маркетинговом шаблоне.',
  },
});

/** The subscription topics, paged on the server; a marketer creates and edits them in a dialog. */
export default function TopicList() {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const can = useCan();
  const writable = can('messaging:write');
  const list = usePagedList<Topic>('/v1/messaging/topics');
  const [editing, setEditing] = useState<Topic | 'new' | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const nameOf = (topic: Topic) => inLocale(topic.name, locale, topic.key);

  return (
    <Page
      title={t('title')}
      intro={t('intro')}
      actions={
        writable ? (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            {t('create')}
          </button>
        ) : null
      }
    >
      <Notice>{t('hint')}</Notice>
      {done ? <Notice tone="success">{done}</Notice> : null}
      <DataTable
        caption={t('caption')}
        rows={list.items}
        rowKey={(row) => row.key}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={list.hasMore}
        onMore={list.loadMore}
        empty={{ title: t('empty'), hint: writable ? t('emptyHint') : undefined }}
        columns={[
          { key: 'name', title: t('name'), render: (row) => <strong>{nameOf(row)}</strong> },
          { key: 'key', title: t('key'), render: (row) => <code>{row.key}</code> },
          { key: 'description', title: t('description'), render: (row) => inLocale(row.description, locale) || <span className="muted">—</span> },
          {
            key: 'default',
            title: t('default'),
            render: (row) => (
              <>
                <Badge tone={row.defaultSubscribed ? 'good' : 'neutral'}>{row.defaultSubscribed ? t('on') : t('off')}</Badge> <span className="muted">{row.defaultSubscribed ? t('onHint') : t('offHint')}</span>
              </>
            ),
          },
          { key: 'updated', title: t('updated'), render: (row) => format.dateTime(row.updatedAt) },
          ...(writable
            ? [
                {
                  key: 'edit',
                  title: t('edit'),
                  render: (row: Topic) => (
                    <button type="button" className="secondary" aria-label={t('editNamed', { name: nameOf(row) })} onClick={() => setEditing(row)}>
                      {t('edit')}
                    </button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Dialog title={editing === 'new' ? t('newTitle') : editing ? t('editTitle', { name: nameOf(editing) }) : ''} open={editing !== null} onClose={() => setEditing(null)}>
        {editing !== null ? (
          <TopicForm
            key={editing === 'new' ? 'new' : editing.key}
            topic={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(saved) => {
              setDone(t(editing === 'new' ? 'created' : 'saved', { name: nameOf(saved) }));
              setEditing(null);
              list.reload();
            }}
          />
        ) : null}
      </Dialog>
    </Page>
  );
}
