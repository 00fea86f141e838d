import { DataTable, pagedRows } from '../../components/table.tsx';
import { useState } from 'react';
import { Badge, Card, Notice } from '../../components/ui.tsx';
import { usePagedList } from '../../data.ts';
import { defineText, useFormat, useLocale, useText } from '../../i18n.tsx';
import { Link } from '../../router.tsx';
import { useCan } from '../../session.tsx';
import type { Ticket } from '../tickets/ticket-types.ts';
import { statusTone, ticketWords } from '../tickets/ticket-words.ts';
import type { Message, SurveyResponse } from './customer-types.ts';
import { ResendDialog, resendable } from './message-resend.tsx';

const text = defineText({
  en: {
    messages: 'Messages',
    messagesCaption: 'Messages sent to the customer, newest first',
    when: 'When',
    channel: 'Channel',
    what: 'What',
    to: 'To',
    status: 'Status',
    noMessages: 'No messages sent yet',
    noMessagesHint: 'Campaigns, journeys, ticket replies and test sends to this customer show here with their delivery status.',
    resend: 'Send again',
    resendOf: 'Send “{what}” again',
    resent: 'Queued again to {to}. Its status shows in the list.',
    resentPush: 'Queued again to the customer’s devices. Its status shows in the list.',
    tickets: 'Tickets',
    ticketsCaption: 'The customer’s tickets, latest activity first',
    subject: 'Subject',
    assignee: 'Assignee',
    nobody: 'nobody',
    lastActivity: 'Last activity',
    noTickets: 'No tickets',
    noTicketsHint: 'What the customer writes on the account page, in the app or in a survey’s comment becomes a ticket in Feedback.',
    surveys: 'Survey answers',
    surveysCaption: 'The customer’s survey answers, newest first',
    survey: 'Survey',
    score: 'Score',
    answers: 'Answers',
    noSurveys: 'No survey answers',
    noSurveysHint: 'Answers appear when the customer answers a survey by its link, in the app or on the phone with support.',
  },
  ru: {
    messages: 'Сообщения',
    messagesCaption: 'Сообщения клиенту, новые сверху',
    when: 'Когда',
    channel: 'Канал',
    what: 'Что',
    to: 'Кому',
    status: 'Статус',
    noMessages: 'Сообщений ещё не было',
    noMessagesHint: 'Здесь появятся рассылки, цепочки, ответы на обращения и тестовые отправки этому клиенту со статусом доставки.',
    resend: 'Отправить повторно',
    resendOf: 'Отправить «{what}» повторно',
    resent: 'Поставлено в очередь повторно на {to}. Статус — в списке.',
    resentPush: 'Поставлено в очередь повторно на устройства клиента. Статус — в списке.',
    tickets: 'Обращения',
    ticketsCaption: 'Обращения клиента, по последней активности',
    subject: 'Тема',
    assignee: 'Ответственный',
    nobody: 'никто',
    lastActivity: 'Последняя активность',
    noTickets: 'Обращений нет',
    noTicketsHint: 'То, что клиент пишет в личном кабинете, в приложении или в комментарии к опросу, становится обращением в разделе «Обращения».',
    surveys: 'Ответы на опросы',
    surveysCaption: 'Ответы клиента на опросы, новые сверху',
    survey: 'Опрос',
    score: 'Оценка',
    answers: 'Ответы',
    noSurveys: 'Ответов на опросы нет',
    noSurveysHint: 'Ответы появятся, когда клиент ответит на опрос по ссылке, в приложении или по телефону с поддержкой.',
  },
});

/** Messages, tickets and survey answers: each block reads its own route and shows when the role may read it. */
export function ActivityTab({ customerId }: { customerId: string }) {
  const can = useCan();
  return (
    <>
      {can('tickets:read') ? <Tickets customerId={customerId} /> : null}
      {can('messages:read') ? <Messages customerId={customerId} /> : null}
      {can('surveys:read') ? <Surveys customerId={customerId} /> : null}
    </>
  );
}

function Messages({ customerId }: { customerId: string }) {
  const t = useText(text);
  const format = useFormat();
  const list = usePagedList<Message>(`/v1/customers/${customerId}/messages`, {}, 20);
  const can = useCan();
  const [resending, setResending] = useState<Message | null>(null);
  const [resent, setResent] = useState<Message | null>(null);
  const canResend = can('messages:resend');
  return (
    <Card title={t('messages')}>
      {resent ? <Notice tone="success">{resent.recipient ? t('resent', { to: resent.recipient }) : t('resentPush')}</Notice> : null}
      <DataTable
        caption={t('messagesCaption')}
        {...pagedRows(list)}
        empty={{ title: t('noMessages'), hint: t('noMessagesHint') }}
        columns={[
          { key: 'when', title: t('when'), render: (row) => format.dateTime(row.sentAt ?? row.createdAt) },
          { key: 'channel', title: t('channel'), render: (row) => `${row.kind} · ${row.purpose}` },
          { key: 'what', title: t('what'), render: (row) => row.content?.subject ?? row.content?.text ?? row.source },
          { key: 'to', title: t('to'), render: (row) => <span className="c360-contact">{row.recipient ?? '—'}</span> },
          {
            key: 'status',
            title: t('status'),
            render: (row) => (
              <>
                <Badge tone={row.status === 'delivered' || row.status === 'sent' ? 'good' : row.status === 'failed' || row.status === 'bounced' ? 'bad' : 'neutral'}>{row.status}</Badge>
                {row.reason ? <div className="muted c360-small">{row.reason}</div> : null}
              </>
            ),
          },
          ...(canResend
            ? [
                {
                  key: 'resend',
                  title: '',
                  render: (row: Message) =>
                    resendable(row) ? (
                      <button type="button" className="link" aria-label={t('resendOf', { what: row.content?.subject ?? row.content?.text ?? row.id })} onClick={() => setResending(row)}>
                        {t('resend')}
                      </button>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      <ResendDialog
        message={resending}
        onClose={() => setResending(null)}
        onSent={(sent) => {
          setResending(null);
          setResent(sent);
          list.reload();
        }}
      />
    </Card>
  );
}

function Tickets({ customerId }: { customerId: string }) {
  const t = useText(text);
  const w = useText(ticketWords);
  const format = useFormat();
  const list = usePagedList<Ticket>(`/v1/customers/${customerId}/tickets`, {}, 20);
  return (
    <Card title={t('tickets')}>
      <DataTable
        caption={t('ticketsCaption')}
        {...pagedRows(list)}
        empty={{ title: t('noTickets'), hint: t('noTicketsHint') }}
        columns={[
          { key: 'subject', title: t('subject'), render: (row) => <Link to={`/tickets/${row.id}`}>{row.subject}</Link> },
          { key: 'status', title: t('status'), render: (row) => <Badge tone={statusTone(row.status)}>{w(`status_${row.status}`)}</Badge> },
          { key: 'assignee', title: t('assignee'), render: (row) => row.assignee ?? <span className="muted">{t('nobody')}</span> },
          { key: 'activity', title: t('lastActivity'), render: (row) => format.dateTime(row.lastActivityAt) },
        ]}
      />
    </Card>
  );
}

function Surveys({ customerId }: { customerId: string }) {
  const t = useText(text);
  const format = useFormat();
  const { locale } = useLocale();
  const list = usePagedList<SurveyResponse>(`/v1/customers/${customerId}/survey-responses`, {}, 20);
  const title = (row: SurveyResponse) => row.surveyTitle?.[locale] ?? Object.values(row.surveyTitle ?? {})[0] ?? row.surveyId;
  return (
    <Card title={t('surveys')}>
      <DataTable
        caption={t('surveysCaption')}
        {...pagedRows(list)}
        empty={{ title: t('noSurveys'), hint: t('noSurveysHint') }}
        columns={[
          { key: 'when', title: t('when'), render: (row) => format.dateTime(row.answeredAt) },
          { key: 'survey', title: t('survey'), render: (row) => title(row) },
          { key: 'score', title: t('score'), numeric: true, render: (row) => (row.score === null ? '—' : format.number(row.score)) },
          {
            key: 'answers',
            title: t('answers'),
            render: (row) => (
              <ul className="c360-answers">
                {Object.entries(row.answers).map(([question, answer]) => (
                  <li key={question}>
                    <span className="muted">{question}:</span> {Array.isArray(answer) ? answer.join(', ') : typeof answer === 'object' && answer !== null ? JSON.stringify(answer) : String(answer)}
                  </li>
                ))}
              </ul>
            ),
          },
        ]}
      />
    </Card>
  );
}
