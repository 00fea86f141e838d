import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../platform/platform.tables.ts';

/** The feedback module's tables (Kysely's view, camel-cased). Only this module names them. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export type TicketSource = 'account' | 'survey' | 'api' | 'email';
export type TicketStatus = 'open' | 'pending' | 'resolved' | 'closed';
export type MessageDirection = 'in' | 'out' | 'note';

export type TicketsTable = {
  id: string;
  /** Null: an anonymous message from a public page. */
  customerId: string | null;
  source: TicketSource;
  /** The sender's id of what made it (a survey response id): unique per source. */
  sourceRef: string | null;
  subject: string;
  status: TicketStatus;
  /** A staff member's e-mail. */
  assignee: string | null;
  tags: WithDefault<string[]>;
  contactName: string | null;
  contactEmail: string | null;
  /** How many messages the thread holds (kept on erase). */
  messages: WithDefault<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  lastActivityAt: Timestamp;
  erasedAt: Timestamp | null;
};

export type TicketMessagesTable = {
  id: string;
  ticketId: string;
  customerId: string | null;
  direction: MessageDirection;
  /** Null once the customer is erased. */
  body: string | null;
  /** The survey question a survey's answer replies to. */
  question: string | null;
  author: string;
  /** A reply's e-mail in messaging. */
  messageId: string | null;
  createdAt: Timestamp;
};

export type FeedbackTables = {
  tickets: TicketsTable;
  ticketMessages: TicketMessagesTable;
};
