import { useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { SecretOnce } from '../../components/settings-secret.tsx';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Card, ErrorNote, Field, fieldError } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useText } from '../../i18n.tsx';

type Webhook = { id: string; url: string; description: string | null; eventTypes: string[]; active: boolean; secretHint: string };

const text = defineText({
  en: {
    title: 'Webhooks',
    intro: 'Patron POSTs each event of the chosen types to these URLs, signed with the webhook’s secret (Patron-Signature).',
    url: 'URL',
    events: 'Event types',
    eventsHint: 'Separated by commas, e.g. customer.created, receipt.confirmed; * for all',
    description: 'Description',
    add: 'Add the webhook',
    secret: 'The signing secret of {url} is shown only now: put it where the receiver checks Patron-Signature. Patron shows only its last characters again.',
    secretLabel: 'Signing secret',
    caption: 'Webhooks',
    status: 'Status',
    secretEnds: 'Secret ends with',
    actions: 'Actions',
    active: 'Active',
    off: 'Off',
    switchOff: 'Switch off',
    switchOn: 'Switch on',
    empty: 'No webhooks yet',
    emptyHint: 'Add one to tell another system (a CRM, a data warehouse) about new customers, receipts and points as they happen.',
  },
  ru: {
    title: 'Вебхуки',
    intro: 'Patron отправляет каждое событие выбранных типов на эти адреса (POST), подписывая секретом вебхука (Patron-Signature).',
    url: 'Адрес',
    events: 'Типы событий',
    eventsHint: 'Через запятую, например customer.created, receipt.confirmed; * — все',
    description: 'Описание',
    add: 'Добавить вебхук',
    secret: 'Секрет подписи для {url} показан только сейчас: передайте его получателю, который проверяет Patron-Signature. Дальше видны лишь его последние символы.',
    secretLabel: 'Секрет подписи',
    caption: 'Вебхуки',
    status: 'Состояние',
    secretEnds: 'Секрет оканчивается на',
    actions: 'Действия',
    active: 'Действует',
    off: 'Выключен',
    switchOff: 'Выключить',
    switchOn: 'Включить',
    empty: 'Вебхуков пока нет',
    emptyHint: 'Добавьте вебхук, чтобы другая система (CRM, хранилище данных) сразу узнавала о новых клиентах, чеках и баллах.',
  },
});

/** Webhook subscriptions (webhooks:manage): the list, a new one with its secret shown once, on and off. */
export function WebhooksCard() {
  const t = useText(text);
  const list = usePagedList<Webhook>('/v1/webhooks', {}, 50);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('*');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setCreated(null);
    try {
      const eventTypes = events.split(',').map((type) => type.trim()).filter(Boolean);
      const answer = await api.post<Webhook & { secret: string }>('/v1/webhooks', { url: url.trim(), eventTypes, ...(description.trim() ? { description: description.trim() } : {}) });
      setCreated({ url: answer.url, secret: answer.secret });
      setUrl('');
      setDescription('');
      list.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  const toggle = async (webhook: Webhook) => {
    setRowError(null);
    try {
      await api.patch(`/v1/webhooks/${webhook.id}`, { active: !webhook.active });
      list.reload();
    } catch (caught) {
      setRowError(caught);
    }
  };

  const named = fieldError(error, 'url') || fieldError(error, 'eventTypes') || fieldError(error, 'description');
  return (
    <Card title={t('title')}>
      <p className="muted">{t('intro')}</p>
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <ErrorNote error={named ? null : error} />
        <div className="form-row">
          <Field label={t('url')} error={fieldError(error, 'url')}>
            {(props) => <input {...props} type="url" placeholder="https://" value={url} onChange={(e) => setUrl(e.target.value)} />}
          </Field>
          <Field label={t('events')} hint={t('eventsHint')} error={fieldError(error, 'eventTypes')}>
            {(props) => <input {...props} value={events} onChange={(e) => setEvents(e.target.value)} />}
          </Field>
          <Field label={t('description')} error={fieldError(error, 'description')}>
            {(props) => <input {...props} value={description} onChange={(e) => setDescription(e.target.value)} />}
          </Field>
        </div>
        <button type="submit" className="primary">
          {t('add')}
        </button>
      </form>
      {created ? <SecretOnce label={t('secretLabel')} value={created.secret} warning={t('secret', { url: created.url })} /> : null}
      <ErrorNote error={rowError} />
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={{ title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'url', title: t('url'), render: (row) => <>{row.url}{row.description ? <span className="muted"> · {row.description}</span> : null}</> },
          { key: 'events', title: t('events'), render: (row) => row.eventTypes.join(', ') },
          { key: 'secret', title: t('secretEnds'), render: (row) => <code>{row.secretHint}</code> },
          { key: 'status', title: t('status'), render: (row) => (row.active ? <Badge tone="good">{t('active')}</Badge> : <Badge>{t('off')}</Badge>) },
          {
            key: 'actions',
            title: t('actions'),
            render: (row) => (
              <button type="button" className="secondary" aria-label={`${t(row.active ? 'switchOff' : 'switchOn')}: ${row.url}`} onClick={() => void toggle(row)}>
                {t(row.active ? 'switchOff' : 'switchOn')}
              </button>
            ),
          },
        ]}
      />
    </Card>
  );
}
