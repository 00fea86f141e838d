import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api.ts';
import { Badge, Card, ErrorNote, Field, Loading, Notice, Page, fieldError } from '../../components/ui.tsx';
import { useResource } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import type { PageProps } from '../../routes.ts';
import { useCan, useSession } from '../../session.tsx';
import { ticketStatuses, type TicketStatus, type TicketWithMessages } from './ticket-types.ts';
import { statusTone, ticketWords } from './ticket-words.ts';
import './tickets.css';

const text = defineText({
  en: {
    back: 'All tickets',
    thread: 'Thread',
    threadLabel: 'Messages of the ticket, oldest first',
    customer: 'Customer',
    openCustomer: 'Open the customer’s page',
    anonymous: 'Anonymous sender',
    direction_in: 'From the customer',
    direction_out: 'Reply',
    direction_note: 'Internal note',
    question: 'Question: {question}',
    erasedBody: 'Removed: the customer was erased.',
    delivery: 'E-mail: {status}',
    write: 'Write',
    kind: 'What to write',
    kind_reply: 'Reply to the customer (sent by e-mail)',
    kind_note: 'Internal note (never sent)',
    textLabel: 'Text',
    send_reply: 'Send the reply',
    send_note: 'Add the note',
    sent_reply: 'The reply is on its way to the customer.',
    sent_note: 'The note is added.',
    handling: 'Handling',
    status: 'Status',
    assignee: 'Assignee',
    assigneeHint: 'A staff member’s e-mail; empty: nobody',
    takeIt: 'Assign to me',
    tags: 'Tags',
    tagsHint: 'Lower-case words separated by commas: delivery, app',
    save: 'Save',
    saved: 'Saved.',
    source: 'Where',
    created: 'Written',
    closedNote: 'This ticket is closed: it stays as it is.',
    readOnly: 'Your role reads tickets; answering and changing them is support’s.',
  },
  ru: {
    back: 'Все обращения',
    thread: 'Переписка',
    threadLabel: 'Сообщения обращения, старые сверху',
    customer: 'Клиент',
    openCustomer: 'Открыть страницу клиента',
    anonymous: 'Анонимный отправитель',
    direction_in: 'От клиента',
    direction_out: 'Ответ',
    direction_note: 'Внутренняя заметка',
    question: 'Вопрос: {question}',
    erasedBody: 'Удалено: данные клиента стёрты.',
    delivery: 'Письмо: {status}',
    write: 'Написать',
    kind: 'Что написать',
    kind_reply: 'Ответ клиенту (уйдёт по эл. почте)',
    kind_note: 'Внутренняя заметка (не отправляется)',
    textLabel: 'Текст',
    send_reply: 'Отправить ответ',
    send_note: 'Добавить заметку',
    sent_reply: 'Ответ отправляется клиенту.',
    sent_note: 'Заметка добавлена.',
    handling: 'Работа с обращением',
    status: 'Статус',
    assignee: 'Ответственный',
    assigneeHint: 'Эл. почта сотрудника; пусто — никто',
    takeIt: 'Назначить на меня',
    tags: 'Метки',
    tagsHint: 'Слова строчными буквами через запятую: delivery, app',
    save: 'Сохранить',
    saved: 'Сохранено.',
    source: 'Откуда',
    created: 'Написано',
    closedNote: 'Обращение закрыто и больше не меняется.',
    readOnly: 'Ваша роль может читать обращения; отвечать и менять их — дело поддержки.',
  },
});

/** A ticket: its thread, a reply to the customer or an internal note, and its status, assignee and tags. */
export default function TicketPage({ params }: PageProps) {
  const t = useText(text);
  const w = useText(ticketWords);
  const format = useFormat();
  const can = useCan();
  const id = params.id!;
  const ticket = useResource((signal) => api.get<TicketWithMessages>(`/v1/tickets/${encodeURIComponent(id)}`, undefined, signal), [id]);

  if (ticket.error) return <ErrorNote error={ticket.error} onRetry={ticket.reload} />;
  if (!ticket.data) return <Loading />;
  const k = ticket.data;
  const writable = can('tickets:write') && k.status !== 'closed';

  return (
    <Page title={k.subject} intro={<Badge tone={statusTone(k.status)}>{w(`status_${k.status}`)}</Badge>}>
      <p>
        <Link to="/tickets">← {t('back')}</Link>
      </p>
      <div className="ticket-layout">
        <div>
          <Card title={t('thread')}>
            <ol className="thread" aria-label={t('threadLabel')}>
              {k.messages.map((message) => (
                <li key={message.id} className={message.direction}>
                  <div className="meta">
                    <strong>{t(`direction_${message.direction}`)}</strong>
                    <span>{message.author}</span>
                    <span>{format.dateTime(message.createdAt)}</span>
                    {message.delivery ? <Badge tone={message.delivery.status === 'failed' || message.delivery.status === 'bounced' ? 'bad' : 'info'}>{t('delivery', { status: message.delivery.status })}</Badge> : null}
                  </div>
                  {message.question ? <p className="muted">{t('question', { question: message.question })}</p> : null}
                  <p className="body">{message.body ?? <em className="muted">{t('erasedBody')}</em>}</p>
                  {message.delivery?.reason ? <p className="muted">{message.delivery.reason}</p> : null}
                </li>
              ))}
            </ol>
          </Card>
          {writable ? <ReplyForm ticket={k} onSent={ticket.setData} /> : null}
          {k.status === 'closed' ? <Notice>{t('closedNote')}</Notice> : null}
          {!can('tickets:write') ? <Notice>{t('readOnly')}</Notice> : null}
        </div>
        <div>
          <Card title={t('customer')}>
            <dl className="facts">
              <dt>{t('customer')}</dt>
              <dd>{k.customerId ? <Link to={`/customers/${k.customerId}`}>{t('openCustomer')}</Link> : (k.contact?.name ?? t('anonymous'))}</dd>
              {!k.customerId && k.contact?.email ? (
                <>
                  <dt>E-mail</dt>
                  <dd>{k.contact.email}</dd>
                </>
              ) : null}
              <dt>{t('source')}</dt>
              <dd>{w(`source_${k.source}`)}</dd>
              <dt>{t('created')}</dt>
              <dd>{format.dateTime(k.createdAt)}</dd>
            </dl>
          </Card>
          {writable ? <HandlingForm ticket={k} onSaved={ticket.setData} /> : null}
        </div>
      </div>
    </Page>
  );
}

function ReplyForm({ ticket, onSent }: { ticket: TicketWithMessages; onSent: (ticket: TicketWithMessages) => void }) {
  const t = useText(text);
  const [kind, setKind] = useState<'reply' | 'note'>('reply');
  const [body, setBody] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<'reply' | 'note' | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSent(null);
    setBusy(true);
    try {
      const next = await api.post<TicketWithMessages>(`/v1/tickets/${ticket.id}/messages`, { kind, text: body });
      setBody('');
      setSent(kind);
      onSent(next);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const textError = fieldError(error, 'text');
  return (
    <Card title={t('write')}>
      <form onSubmit={(event) => void submit(event)} noValidate className="form">
        {sent ? <Notice tone="success">{t(`sent_${sent}`)}</Notice> : null}
        <ErrorNote error={textError ? null : error} />
        <fieldset className="reply-kind">
          <legend>{t('kind')}</legend>
          {(['reply', 'note'] as const).map((value) => (
            <label key={value} className="check">
              <input type="radio" name="reply-kind" value={value} checked={kind === value} onChange={() => setKind(value)} />
              {t(`kind_${value}`)}
            </label>
          ))}
        </fieldset>
        <Field label={t('textLabel')} error={textError}>
          {(props) => <textarea {...props} rows={5} value={body} onChange={(event) => setBody(event.target.value)} />}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t(`send_${kind}`)}
        </button>
      </form>
    </Card>
  );
}

function HandlingForm({ ticket, onSaved }: { ticket: TicketWithMessages; onSaved: (ticket: TicketWithMessages) => void }) {
  const t = useText(text);
  const w = useText(ticketWords);
  const { user } = useSession();
  const [status, setStatus] = useState<TicketStatus>(ticket.status);
  const [assignee, setAssignee] = useState(ticket.assignee ?? '');
  const [tags, setTags] = useState(ticket.tags.join(', '));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  // A reply moves the ticket to pending on the server: the form follows what the server says.
  useEffect(() => {
    setStatus(ticket.status);
    setAssignee(ticket.assignee ?? '');
    setTags(ticket.tags.join(', '));
  }, [ticket]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const patch: Record<string, unknown> = {};
    if (status !== ticket.status) patch.status = status;
    const nextAssignee = assignee.trim() === '' ? null : assignee.trim();
    if (nextAssignee !== ticket.assignee) patch.assignee = nextAssignee;
    const nextTags = tags.split(',').map((tag) => tag.trim()).filter(Boolean);
    if (nextTags.join(',') !== ticket.tags.join(',')) patch.tags = nextTags;
    if (Object.keys(patch).length === 0) {
      setSaved(true);
      return;
    }
    setBusy(true);
    try {
      onSaved(await api.patch<TicketWithMessages>(`/v1/tickets/${ticket.id}`, patch));
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const named = fieldError(error, 'status') || fieldError(error, 'assignee') || fieldError(error, 'tags');
  return (
    <Card title={t('handling')}>
      <form onSubmit={(event) => void submit(event)} noValidate className="form">
        {saved ? <Notice tone="success">{t('saved')}</Notice> : null}
        <ErrorNote error={named ? null : error} />
        <Field label={t('status')} error={fieldError(error, 'status')}>
          {(props) => (
            <select {...props} value={status} onChange={(event) => setStatus(event.target.value as TicketStatus)}>
              {ticketStatuses.map((value) => (
                <option key={value} value={value}>
                  {w(`status_${value}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('assignee')} hint={t('assigneeHint')} error={fieldError(error, 'assignee')}>
          {(props) => <input {...props} type="email" value={assignee} onChange={(event) => setAssignee(event.target.value)} />}
        </Field>
        <p>
          <button type="button" className="link" onClick={() => setAssignee(user.email)}>
            {t('takeIt')}
          </button>
        </p>
        <Field label={t('tags')} hint={t('tagsHint')} error={fieldError(error, 'tags')}>
          {(props) => <input {...props} value={tags} onChange={(event) => setTags(event.target.value)} />}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t('save')}
        </button>
      </form>
    </Card>
  );
}
