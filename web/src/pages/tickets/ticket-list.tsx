import { useEffect, useState } from 'react';
import { DataTable, pagedRows } from '../../components/table.tsx';
import { Badge, Field, Page } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { ticketStatuses, type Ticket, type TicketStatus } from './ticket-types.ts';
import { statusTone, ticketWords } from './ticket-words.ts';
import './tickets.css';

const text = defineText({
  en: {
    title: 'Feedback',
    intro: 'What customers wrote on the account page, in the app or in survey comments: answer them, note what you found, close what is done.',
    filters: 'Filters',
    status: 'Status',
    anyStatus: 'Any status',
    assignee: 'Assignee',
    assigneeHint: 'A staff member’s e-mail',
    mine: 'Mine',
    tag: 'Tag',
    tagHint: 'e.g. delivery',
    caption: 'Tickets, latest activity first',
    subject: 'Subject',
    from: 'From',
    source: 'Where',
    tags: 'Tags',
    messages: 'Messages',
    activity: 'Last activity',
    customer: 'Customer',
    anonymous: 'Anonymous',
    nobody: 'nobody',
    none: 'No tickets match',
    noneHint: 'Clear a filter, or choose another status: resolved and closed tickets are kept.',
    empty: 'No tickets yet',
    emptyHint: 'A ticket appears when a customer writes on the account page, through the app or site, or leaves a comment in a survey.',
  },
  ru: {
    title: 'Обращения',
    intro: 'Что клиенты написали в личном кабинете, в приложении или в комментариях к опросам: ответьте, запишите, что выяснили, закройте решённое.',
    filters: 'Фильтры',
    status: 'Статус',
    anyStatus: 'Любой статус',
    assignee: 'Ответственный',
    assigneeHint: 'Эл. почта сотрудника',
    mine: 'Мои',
    tag: 'Метка',
    tagHint: 'например, delivery',
    caption: 'Обращения, по последней активности',
    subject: 'Тема',
    from: 'От кого',
    source: 'Откуда',
    tags: 'Метки',
    messages: 'Сообщений',
    activity: 'Последняя активность',
    customer: 'Клиент',
    anonymous: 'Аноним',
    nobody: 'никто',
    none: 'Подходящих обращений нет',
    noneHint: 'Снимите фильтр или выберите другой статус: решённые и закрытые обращения сохраняются.',
    empty: 'Обращений пока нет',
    emptyHint: 'Обращение появляется, когда клиент пишет в личном кабинете, через приложение или сайт, или оставляет комментарий в опросе.',
  },
});

/** The feedback inbox: tickets paged on the server, filtered by status, assignee and tag (kept in the address). */
export default function TicketList() {
  const t = useText(text);
  const w = useText(ticketWords);
  const format = useFormat();
  const { user } = useSession();
  const initial = new URLSearchParams(window.location.search);
  const [status, setStatus] = useState<TicketStatus | ''>((initial.get('status') as TicketStatus | null) ?? 'open');
  const [assignee, setAssignee] = useState(initial.get('assignee') ?? '');
  const [tag, setTag] = useState(initial.get('tag') ?? '');
  const [typed, setTyped] = useState({ assignee, tag });
  // Typed filters apply after a pause, so each keystroke does not ask the server.
  useEffect(() => {
    const timer = setTimeout(() => setTyped({ assignee: assignee.trim().toLowerCase(), tag: tag.trim().toLowerCase() }), 300);
    return () => clearTimeout(timer);
  }, [assignee, tag]);
  const query = { status: status || undefined, assignee: typed.assignee || undefined, tag: typed.tag || undefined };
  useEffect(() => {
    const params = new URLSearchParams();
    params.set('status', status);
    if (typed.assignee) params.set('assignee', typed.assignee);
    if (typed.tag) params.set('tag', typed.tag);
    window.history.replaceState(null, '', `?${params.toString()}`);
  }, [status, typed.assignee, typed.tag]);
  const list = usePagedList<Ticket>('/v1/tickets', query, 50);
  const filtered = Boolean(status || typed.assignee || typed.tag);

  return (
    <Page title={t('title')} intro={t('intro')}>
      <form className="tickets-filters" aria-label={t('filters')} onSubmit={(event) => event.preventDefault()} noValidate>
        <Field label={t('status')}>
          {(props) => (
            <select {...props} value={status} onChange={(event) => setStatus(event.target.value as TicketStatus | '')}>
              <option value="">{t('anyStatus')}</option>
              {ticketStatuses.map((value) => (
                <option key={value} value={value}>
                  {w(`status_${value}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('assignee')} hint={t('assigneeHint')}>
          {(props) => <input {...props} type="email" value={assignee} onChange={(event) => setAssignee(event.target.value)} />}
        </Field>
        <Field label={t('tag')} hint={t('tagHint')}>
          {(props) => <input {...props} value={tag} onChange={(event) => setTag(event.target.value)} />}
        </Field>
        <div className="field">
          <button type="button" className="secondary" aria-pressed={typed.assignee === user.email.toLowerCase()} onClick={() => setAssignee(assignee.trim().toLowerCase() === user.email.toLowerCase() ? '' : user.email)}>
            {t('mine')}
          </button>
        </div>
      </form>
      <DataTable
        caption={t('caption')}
        {...pagedRows(list)}
        empty={filtered ? { title: t('none'), hint: t('noneHint') } : { title: t('empty'), hint: t('emptyHint') }}
        columns={[
          { key: 'subject', title: t('subject'), render: (row) => <Link to={`/tickets/${row.id}`}>{row.subject}</Link> },
          {
            key: 'from',
            title: t('from'),
            render: (row) =>
              row.customerId ? <Link to={`/customers/${row.customerId}`}>{t('customer')}</Link> : <span>{row.contact?.name ?? row.contact?.email ?? t('anonymous')}</span>,
          },
          { key: 'source', title: t('source'), render: (row) => w(`source_${row.source}`) },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={statusTone(row.status)}>{w(`status_${row.status}`)}</Badge> },
          { key: 'assignee', title: t('assignee'), render: (row) => row.assignee ?? <span className="muted">{t('nobody')}</span> },
          { key: 'tags', title: t('tags'), render: (row) => <span className="tickets-tags">{row.tags.map((value) => <Badge key={value}>{value}</Badge>)}</span> },
          { key: 'messages', title: t('messages'), numeric: true, render: (row) => format.number(row.messageCount) },
          { key: 'activity', title: t('activity'), render: (row) => format.dateTime(row.lastActivityAt) },
        ]}
      />
    </Page>
  );
}
