import { Type } from 'typebox';
import { mergePatchSchema } from '../../platform/merge-patch.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { feedbackIds } from './feedback.ids.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const ticketSources = ['account', 'survey', 'api', 'email'] as const;
export const ticketStatuses = ['open', 'pending', 'resolved', 'closed'] as const;
/** The longest message body: a long letter fits, a pasted database dump does not. */
export const MAX_BODY = 10_000;
export const MAX_TAGS = 20;
export const MAX_SUBJECT = 200;

export const TicketId = Type.String({ pattern: feedbackIds.pattern('tkt'), description: 'tkt_… id' });
export const TicketParams = Type.Object({ id: TicketId });
export const TicketSource = StringEnum(ticketSources, { description: 'Where it came from: account (the account page), survey (a survey\'s free text), api (an app or site), email' });
export const TicketStatus = StringEnum(ticketStatuses, {
  description: 'open: support has to act; pending: waiting for the customer; resolved: answered (may reopen); closed: done for good',
});
const Tag = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'Lower-case letters, digits, - and _, up to 40: detractor, delivery, app' });
const Tags = Type.Array(Tag, { maxItems: MAX_TAGS, description: `At most ${MAX_TAGS}; a repeated tag counts once` });
const Assignee = Type.String({ minLength: 1, maxLength: 254, description: 'The staff member who handles it, by e-mail (lower-cased)' });
const Subject = Type.String({ minLength: 1, maxLength: MAX_SUBJECT });
const Body = Type.String({ minLength: 1, maxLength: MAX_BODY, description: `Plain text, up to ${MAX_BODY.toLocaleString('en')} characters` });

export const Delivery = named('TicketReplyDelivery', Type.Object({
  messageId: Type.String({ description: 'The e-mail in messaging (GET /v1/customers/{id}/messages shows it with its history)' }),
  status: StringEnum(['queued', 'held', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'skipped'] as const),
  reason: Nullable(Type.String({ description: 'Why it was skipped or failed' })),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
}));

export const TicketMessageSchema = named('TicketMessage', Type.Object({
  id: Type.String(),
  direction: StringEnum(['in', 'out', 'note'] as const, { description: 'in: from the customer; out: support\'s reply, sent by e-mail; note: internal, never sent' }),
  body: Nullable(Type.String({ description: 'Null once the customer was erased' })),
  question: Nullable(Type.String({ description: 'The survey question this answers (a survey\'s ticket)' })),
  author: Type.String({ description: 'customer, or the name of the API key that wrote it' }),
  delivery: Nullable(Delivery),
  createdAt: Type.String({ format: 'date-time' }),
}));

const ticketFields = {
  id: Type.String(),
  customerId: Nullable(Type.String()),
  source: TicketSource,
  sourceRef: Nullable(Type.String()),
  subject: Type.String(),
  status: TicketStatus,
  assignee: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  contact: Nullable(Type.Object({ name: Nullable(Type.String()), email: Nullable(Type.String()) }, { description: 'An anonymous sender\'s contact (masked for roles that see contacts masked)' })),
  messageCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  lastActivityAt: Type.String({ format: 'date-time' }),
  erasedAt: Nullable(Type.String({ format: 'date-time' })),
};

export const TicketSchema = named('Ticket', Type.Object(ticketFields));
export const TicketWithMessages = named('TicketWithMessages', Type.Object({ ...ticketFields, messages: Type.Array(TicketMessageSchema) }));
export const TicketPage = PageOf('TicketPage', TicketSchema);

export const TicketCreate = named('TicketCreate', Type.Object(
  {
    customerId: Type.Optional(Type.String({ pattern: '^cus_[0-9a-f]{32}$', description: 'The customer who wrote; leave out for an anonymous message' })),
    contact: Type.Optional(Type.Object(
      { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })) },
      { additionalProperties: false, description: 'An anonymous sender\'s name and e-mail (only without customerId)' },
    )),
    source: Type.Optional(StringEnum(['account', 'api', 'email'] as const, { description: 'account (the account page), api (an app or site: the default), email' })),
    sourceRef: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Your id of the message: sending it again answers the ticket made the first time' })),
    subject: Type.Optional(Subject),
    text: Body,
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
));

/** What a PATCH may change, as a whole (a merge patch is checked against it once merged). */
export const TicketEditable = Type.Object(
  { subject: Subject, status: TicketStatus, assignee: Type.Optional(Assignee), tags: Tags },
  { additionalProperties: false },
);
export const TicketPatch = mergePatchSchema(
  'TicketPatch',
  TicketEditable,
  'A JSON merge patch (RFC 7396) of subject, status, assignee and tags: null unassigns; open ⇄ pending, either → resolved or closed, resolved → open (reopened) or closed; a closed ticket stays closed',
);

export const TicketListQuery = Type.Object(
  {
    ...pageQuery({ defaultLimit: 50, maxLimit: 200 }),
    status: Type.Optional(TicketStatus),
    assignee: Type.Optional(Assignee),
    tag: Type.Optional(Tag),
    customerId: Type.Optional(Type.String({ pattern: '^cus_[0-9a-f]{32}$' })),
    source: Type.Optional(TicketSource),
  },
  { additionalProperties: false },
);
export const CustomerTicketQuery = Type.Object(pageQuery({ defaultLimit: 50, maxLimit: 200 }), { additionalProperties: false });

export const TicketReply = named('TicketReply', Type.Object(
  {
    kind: StringEnum(['reply', 'note'] as const, { description: 'reply: sent to the customer by e-mail; note: internal, never sent' }),
    text: Body,
  },
  { additionalProperties: false },
));
