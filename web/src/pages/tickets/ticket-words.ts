import { defineText } from '../../i18n.tsx';
import type { TicketStatus } from './ticket-types.ts';

/** The words of a ticket's status and source, shared by the inbox, the ticket page and the customer's 360° page. */
export const ticketWords = defineText({
  en: {
    status_open: 'Open',
    status_pending: 'Waiting for the customer',
    status_resolved: 'Resolved',
    status_closed: 'Closed',
    source_account: 'Account page',
    source_survey: 'Survey',
    source_api: 'App or site',
    source_email: 'E-mail',
  },
  ru: {
    status_open: 'Открыто',
    status_pending: 'Ждёт клиента',
    status_resolved: 'Решено',
    status_closed: 'Закрыто',
    source_account: 'Личный кабинет',
    source_survey: 'Опрос',
    source_api: 'Приложение или сайт',
    source_email: 'Эл. почта',
  },
});

export const statusTone = (status: TicketStatus) => (status === 'open' ? 'warn' : status === 'pending' ? 'info' : status === 'resolved' ? 'good' : 'neutral');
