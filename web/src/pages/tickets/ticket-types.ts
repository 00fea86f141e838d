/** A ticket as GET /v1/tickets and GET /v1/tickets/{id} answer it. */
export type TicketStatus = 'open' | 'pending' | 'resolved' | 'closed';
export const ticketStatuses: TicketStatus[] = ['open', 'pending', 'resolved', 'closed'];

export type TicketMessage = {
  id: string;
  direction: 'in' | 'out' | 'note';
  body: string | null;
  question: string | null;
  author: string;
  delivery: { messageId: string; status: string; reason: string | null; sentAt: string | null } | null;
  createdAt: string;
};

export type Ticket = {
  id: string;
  customerId: string | null;
  source: 'account' | 'survey' | 'api' | 'email';
  sourceRef: string | null;
  subject: string;
  status: TicketStatus;
  assignee: string | null;
  tags: string[];
  contact: { name: string | null; email: string | null } | null;
  messageCount: number;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  erasedAt: string | null;
};

export type TicketWithMessages = Ticket & { messages: TicketMessage[] };
