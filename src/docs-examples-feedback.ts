import type { DocExample } from './docs-examples.ts';

/**
 * The feedback chapter of the worked examples (src/docs-examples.ts runs it after messaging, on
 * the same coffee shop, whose mail relay messaging set up): Anna writes from the account page,
 * support finds her ticket among the open ones, takes it, replies by e-mail (queued: no send job
 * runs in the examples), adds a note and resolves it; the ticket shows in Anna's 360° view.
 */
export const feedbackExampleIds = {
  annaTicket: 'tkt_0195f3c3b1a17b2c3d4e5f60718293c1',
  annaMessage: 'tkm_0195f3c3b1b27c3d4e5f60718293c2d2',
  supportReply: 'tkm_0195f3c3b1c37d4e5f60718293c2d3e3',
  replyEmail: 'msg_0195f3c3b1d47e5f60718293c2d3e4f4',
  supportNote: 'tkm_0195f3c3b1e57f60718293c2d3e4f505',
} as const;

const at = '2026-03-01T09:00:00.000Z';

export function feedbackExamples(customers: { anna: string }): DocExample[] {
  const ids = { ...customers, ...feedbackExampleIds };
  const TEXT = 'I paid with my card at the Tverskaya shop yesterday, but the points for the receipt are not on my account.';
  const QUESTION = { id: ids.annaMessage, direction: 'in', body: TEXT, question: null, author: 'customer', delivery: null, createdAt: at };
  const TICKET = {
    id: ids.annaTicket, customerId: ids.anna, source: 'account', sourceRef: 'acc-msg-1001', subject: 'Missing points for yesterday\'s receipt', status: 'open',
    assignee: null, tags: [], contact: null, messageCount: 1, createdAt: at, updatedAt: at, lastActivityAt: at, erasedAt: null,
  };
  const ASSIGNED = { ...TICKET, assignee: 'maria@shop.example', tags: ['points'] };
  const REPLY_TEXT = 'Hello Anna, the points for that receipt come after the 14-day return period. They will be on your account on 15 March. Maria, Coffee Club';
  const REPLY = {
    id: ids.supportReply, direction: 'out', body: REPLY_TEXT, question: null, author: 'test support',
    delivery: { messageId: ids.replyEmail, status: 'queued', reason: null, sentAt: null }, createdAt: at,
  };
  const NOTE = { id: ids.supportNote, direction: 'note', body: 'Checked the receipt: pending period, nothing lost.', question: null, author: 'test support', delivery: null, createdAt: at };
  const REPLIED = { ...ASSIGNED, status: 'pending', messageCount: 2 };
  const NOTED = { ...REPLIED, messageCount: 3 };
  const RESOLVED = { ...NOTED, status: 'resolved' };
  // Anna's message as the account page sends it: the first time, and again as a retry.
  const fromAccount = (summary: string, status: 200 | 201): DocExample => ({
    route: 'POST /v1/tickets',
    summary,
    role: 'pos',
    body: { customerId: ids.anna, source: 'account', sourceRef: 'acc-msg-1001', subject: 'Missing points for yesterday\'s receipt', text: TEXT },
    status,
    response: { ...TICKET, messages: [QUESTION] },
  });
  // Support's steps on her ticket: a change (a merge patch) or a message, answered by the whole ticket.
  const onTicket = (route: 'PATCH /v1/tickets/{id}' | 'POST /v1/tickets/{id}/messages', summary: string, body: object, response: object): DocExample => ({
    route,
    summary,
    role: 'support',
    params: { id: ids.annaTicket },
    ...(route === 'PATCH /v1/tickets/{id}' ? { headers: { 'content-type': 'application/merge-patch+json' } } : {}),
    body,
    status: route === 'PATCH /v1/tickets/{id}' ? 200 : 201,
    response,
  });
  return [
    fromAccount("The account page sends Anna's message: a ticket, open, with her text as its first message", 201),
    fromAccount('The same message sent again (a retry): the first ticket, unchanged (200)', 200),
    {
      route: 'GET /v1/tickets',
      summary: 'Support lists the open tickets, newest activity first',
      role: 'support',
      query: { status: 'open' },
      status: 200,
      response: { items: [TICKET], nextCursor: null },
    },
    onTicket('PATCH /v1/tickets/{id}', 'Maria takes the ticket and tags it', { assignee: 'maria@shop.example', tags: ['points'] }, { ...ASSIGNED, messages: [QUESTION] }),
    onTicket('POST /v1/tickets/{id}/messages', 'A reply: queued as an e-mail to Anna; the ticket now waits for her (pending)', { kind: 'reply', text: REPLY_TEXT }, { ...REPLIED, messages: [QUESTION, REPLY] }),
    onTicket('POST /v1/tickets/{id}/messages', 'An internal note: never sent', { kind: 'note', text: 'Checked the receipt: pending period, nothing lost.' }, { ...NOTED, messages: [QUESTION, REPLY, NOTE] }),
    onTicket('PATCH /v1/tickets/{id}', 'Resolved', { status: 'resolved' }, { ...RESOLVED, messages: [QUESTION, REPLY, NOTE] }),
    {
      route: 'GET /v1/tickets/{id}',
      summary: 'The ticket with its thread: her message, the reply with its e-mail\'s delivery, the note',
      role: 'support',
      params: { id: ids.annaTicket },
      status: 200,
      response: { ...RESOLVED, messages: [QUESTION, REPLY, NOTE] },
    },
    {
      route: 'GET /v1/customers/{id}/tickets',
      summary: "Anna's tickets (her 360° view)",
      role: 'support',
      params: { id: ids.anna },
      status: 200,
      response: { items: [RESOLVED], nextCursor: null },
    },
  ];
}
