import { sql, type Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { maskEmail, maskName } from '../../platform/masking.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { decodeCursor, pageOf, type Page } from '../../platform/pagination.ts';
import { normalizeEmail } from '../customers/index.ts';
import type { MessageView } from '../messaging/index.ts';
import type { FeedbackDeps } from './feedback.deps.ts';
import type { DbOrTx, Tx } from './feedback.db.ts';
import { feedbackError } from './feedback.errors.ts';
import { emitEvents } from './feedback.events.ts';
import type { TicketMessagesTable, TicketSource, TicketStatus, TicketsTable } from './feedback.tables.ts';
import { MAX_SUBJECT, TicketEditable } from './feedback.schemas.ts';

export type TicketRow = Selectable<TicketsTable>;
export type TicketMessageRow = Selectable<TicketMessagesTable>;

export type Delivery = { messageId: string; status: MessageView['status']; reason: string | null; sentAt: string | null };

export type TicketView = {
  id: string;
  customerId: string | null;
  source: TicketSource;
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

export type TicketMessageView = {
  id: string;
  direction: 'in' | 'out' | 'note';
  body: string | null;
  question: string | null;
  author: string;
  delivery: Delivery | null;
  createdAt: string;
};

export type TicketInput = {
  customerId?: string;
  contact?: { name?: string; email?: string };
  source?: 'account' | 'api' | 'email';
  sourceRef?: string;
  subject?: string;
  text: string;
  tags?: string[];
};

/**
 * Where a ticket may go from each status. Closed is final: a customer who writes again starts a
 * new ticket, so a closed ticket's history (and what a helpdesk synced of it) never changes.
 */
export const transitions: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: [],
};

export function toView(row: TicketRow, masked: boolean): TicketView {
  const hasContact = row.contactName !== null || row.contactEmail !== null;
  return {
    id: row.id,
    customerId: row.customerId,
    source: row.source,
    sourceRef: row.sourceRef,
    subject: row.subject,
    status: row.status,
    assignee: row.assignee,
    tags: row.tags,
    contact: hasContact
      ? {
          name: row.contactName === null ? null : masked ? maskName(row.contactName) : row.contactName,
          email: row.contactEmail === null ? null : masked ? maskEmail(row.contactEmail) : row.contactEmail,
        }
      : null,
    messageCount: row.messages,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastActivityAt: row.lastActivityAt.toISOString(),
    erasedAt: row.erasedAt?.toISOString() ?? null,
  };
}

/** One line of plain text for a subject: whitespace collapsed, cut at a word near `max`. */
export function subjectFrom(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if ([...line].length <= max) return line;
  const cut = [...line].slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function refuse(problems: FieldProblem[]): never {
  throw feedbackError('ticket.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

const uniqueTags = (tags: readonly string[]) => [...new Set(tags)];

export function assigneeOf(raw: string | undefined | null): string | null {
  if (raw === undefined || raw === null) return null;
  const email = normalizeEmail(raw);
  if (!email.ok) refuse([{ field: 'assignee', reason: `${email.reason}; name the staff member by e-mail, like maria@shop.example` }]);
  return email.value;
}

export async function findTicket(db: DbOrTx, id: string, lock = false): Promise<TicketRow> {
  let select = db.selectFrom('tickets').selectAll().where('id', '=', id);
  if (lock) select = select.forUpdate();
  const row = await select.executeTakeFirst();
  if (!row) throw feedbackError('ticket.not_found', `No ticket ${id}; GET /v1/tickets lists them`);
  return row;
}

/** Inserts a ticket with its first messages and its event, unless one of its source and reference exists. */
export async function insertTicket(
  tx: Tx,
  deps: Pick<FeedbackDeps, 'clock' | 'ids'>,
  ticket: { customerId: string | null; source: TicketSource; sourceRef: string | null; subject: string; tags: string[]; contactName: string | null; contactEmail: string | null },
  messages: Array<{ body: string; question: string | null }>,
): Promise<TicketRow | null> {
  const now = deps.clock.now();
  const row = await tx
    .insertInto('tickets')
    .values({
      id: deps.ids.next('tkt'),
      customerId: ticket.customerId,
      source: ticket.source,
      sourceRef: ticket.sourceRef,
      subject: ticket.subject,
      status: 'open',
      assignee: null,
      tags: ticket.tags,
      contactName: ticket.contactName,
      contactEmail: ticket.contactEmail,
      messages: messages.length,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
      erasedAt: null,
    })
    .onConflict((oc) => oc.columns(['source', 'sourceRef']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  await tx
    .insertInto('ticketMessages')
    .values(messages.map((message) => ({
      id: deps.ids.next('tkm'),
      ticketId: row.id,
      customerId: row.customerId,
      direction: 'in' as const,
      body: message.body,
      question: message.question,
      author: 'customer',
      messageId: null,
      createdAt: now,
    })))
    .execute();
  await emitEvents(tx, deps.clock, deps.ids, [
    { type: 'ticket.created', customerId: row.customerId, payload: { ticketId: row.id, source: row.source, status: row.status, tags: row.tags, customerId: row.customerId } },
  ]);
  return row;
}

/**
 * A customer's message (or an anonymous one) as a new ticket. With a `sourceRef` a second call
 * answers the ticket the first made (`created: false`) and changes nothing.
 */
export async function createTicket(deps: FeedbackDeps, input: TicketInput, actor: Actor, masked: boolean): Promise<{ ticket: TicketView & { messages: TicketMessageView[] }; created: boolean }> {
  const problems: FieldProblem[] = [];
  if (input.customerId !== undefined && input.contact !== undefined) {
    problems.push({ field: 'contact', reason: "give it only for an anonymous message; a customer's contacts are on their profile" });
  }
  let contactEmail: string | null = null;
  if (input.contact?.email !== undefined) {
    const email = normalizeEmail(input.contact.email);
    if (email.ok) contactEmail = email.value;
    else problems.push({ field: 'contact.email', reason: email.reason });
  }
  const contactName = input.contact?.name?.replace(/\s+/g, ' ').trim() || null;
  const subject = input.subject !== undefined ? input.subject.replace(/\s+/g, ' ').trim() : subjectFrom(input.text);
  if (subject === '') problems.push({ field: input.subject !== undefined ? 'subject' : 'text', reason: 'has no text but spaces' });
  if (input.text.trim() === '') problems.push({ field: 'text', reason: 'has no text but spaces' });
  if (problems.length > 0) refuse(problems);
  let customerId: string | null = null;
  if (input.customerId !== undefined) {
    customerId = await deps.customers.resolveId(input.customerId);
    const [record] = await deps.customers.getMany([customerId], false);
    if (record?.status !== 'active') throw feedbackError('ticket.customer_gone', `customerId: customer ${input.customerId} was erased; an erased customer's message cannot be kept`, [{ field: 'customerId', reason: 'names an erased customer' }]);
  }
  const source = input.source ?? 'api';
  const made = await deps.db.transaction().execute(async (tx) => {
    const row = await insertTicket(
      tx,
      deps,
      { customerId, source, sourceRef: input.sourceRef ?? null, subject: subject.slice(0, MAX_SUBJECT), tags: uniqueTags(input.tags ?? []), contactName, contactEmail },
      [{ body: input.text, question: null }],
    );
    if (row) await writeAudit(tx, deps.clock, actor, { action: 'ticket.create', entityType: 'ticket', entityId: row.id, details: { source, customerId } });
    return row;
  });
  if (made) return { ticket: await getTicket(deps, made.id, masked), created: true };
  const existing = await deps.db.selectFrom('tickets').select('id').where('source', '=', source).where('sourceRef', '=', input.sourceRef!).executeTakeFirstOrThrow();
  return { ticket: await getTicket(deps, existing.id, masked), created: false };
}

/** The delivery of each reply's e-mail, as messaging has it now. */
async function deliveries(deps: FeedbackDeps, messageIds: string[]): Promise<Map<string, Delivery>> {
  const found = new Map<string, Delivery>();
  for (const id of messageIds) {
    const message = await deps.messaging.message(id);
    if (message) found.set(id, { messageId: id, status: message.status, reason: message.reason, sentAt: message.sentAt });
  }
  return found;
}

export async function getTicket(deps: FeedbackDeps, id: string, masked: boolean): Promise<TicketView & { messages: TicketMessageView[] }> {
  const row = await findTicket(deps.db, id);
  const messages = await deps.db.selectFrom('ticketMessages').selectAll().where('ticketId', '=', id).orderBy('createdAt').orderBy('id').execute();
  const delivered = await deliveries(deps, messages.flatMap((m) => (m.messageId ? [m.messageId] : [])));
  return {
    ...toView(row, masked),
    messages: messages.map((m) => ({
      id: m.id,
      direction: m.direction,
      body: m.body,
      question: m.question,
      author: m.author,
      delivery: m.messageId ? (delivered.get(m.messageId) ?? null) : null,
      createdAt: m.createdAt.toISOString(),
    })),
  };
}

type ActivityKey = [string, string];
const isActivityKey = (value: unknown): value is ActivityKey =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && !Number.isNaN(Date.parse(value[0])) && /^\d{4}-\d\d-\d\dT/.test(value[0]) &&
  typeof value[1] === 'string' && /^tkt_[0-9a-f]{32}$/.test(value[1]);

export type TicketFilters = { status?: TicketStatus; assignee?: string; tag?: string; customerId?: string; source?: TicketSource };

/** Tickets, newest activity first, filtered. */
export async function listTickets(db: DbOrTx, query: TicketFilters & { limit: number; cursor?: string }, masked: boolean): Promise<Page<TicketView>> {
  const after = decodeCursor(query.cursor, isActivityKey);
  let select = db.selectFrom('tickets').selectAll().orderBy('lastActivityAt', 'desc').orderBy('id', 'desc').limit(query.limit + 1);
  if (after) select = select.where(sql<boolean>`(last_activity_at, id) < (${after[0]}::timestamptz, ${after[1]})`);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  if (query.assignee !== undefined) select = select.where('assignee', '=', assigneeOf(query.assignee));
  if (query.tag !== undefined) select = select.where(sql<boolean>`${query.tag} = any(tags)`);
  if (query.customerId !== undefined) select = select.where('customerId', '=', query.customerId);
  if (query.source !== undefined) select = select.where('source', '=', query.source);
  const page = pageOf(await select.execute(), query.limit, (row): ActivityKey => [row.lastActivityAt.toISOString(), row.id]);
  return { items: page.items.map((row) => toView(row, masked)), nextCursor: page.nextCursor };
}

type Editable = { subject: string; status: TicketStatus; assignee?: string; tags: string[] };

export function refuseTransition(from: TicketStatus, to: TicketStatus): never {
  const allowed = transitions[from];
  const detail = allowed.length === 0
    ? `status: the ticket is closed, and a closed ticket stays closed; if the customer writes again, open a new ticket (POST /v1/tickets)`
    : `status: a ticket that is ${from} cannot become ${to}; from ${from} it may become ${allowed.join(', ')}`;
  throw feedbackError('ticket.transition_refused', detail, [{ field: 'status', reason: `cannot go from ${from} to ${to}` }]);
}

/**
 * PATCH: a merge patch of subject, status, assignee and tags, under the ticket's row lock. A
 * patch that changes nothing writes nothing (no audit entry, no event); a status change is
 * checked against `transitions` and published as `ticket.updated`.
 */
export async function patchTicket(deps: FeedbackDeps, id: string, patch: Record<string, unknown>, actor: Actor, masked: boolean): Promise<TicketView & { messages: TicketMessageView[] }> {
  await deps.db.transaction().execute(async (tx) => {
    const row = await findTicket(tx, id, true);
    const current: Editable = { subject: row.subject, status: row.status, ...(row.assignee !== null ? { assignee: row.assignee } : {}), tags: row.tags };
    const merged = checkMerged<Editable>(TicketEditable, applyMergePatch(current, patch));
    const next = {
      subject: merged.subject.replace(/\s+/g, ' ').trim(),
      status: merged.status,
      assignee: assigneeOf(merged.assignee),
      tags: uniqueTags(merged.tags),
    };
    if (next.subject === '') refuse([{ field: 'subject', reason: 'has no text but spaces' }]);
    const changed = (['subject', 'status', 'assignee', 'tags'] as const).filter((field) => JSON.stringify(next[field]) !== JSON.stringify(field === 'assignee' ? row.assignee : current[field]));
    if (changed.length === 0) return;
    if (next.status !== row.status && !transitions[row.status].includes(next.status)) refuseTransition(row.status, next.status);
    const now = deps.clock.now();
    await tx.updateTable('tickets').set({ ...next, updatedAt: now }).where('id', '=', id).execute();
    await writeAudit(tx, deps.clock, actor, {
      action: 'ticket.update',
      entityType: 'ticket',
      entityId: id,
      details: { changed, ...(next.status !== row.status ? { status: next.status, previousStatus: row.status } : {}) },
    });
    if (next.status !== row.status) {
      await emitEvents(tx, deps.clock, deps.ids, [{ type: 'ticket.updated', customerId: row.customerId, payload: { ticketId: id, status: next.status, previousStatus: row.status } }]);
    }
  });
  return getTicket(deps, id, masked);
}
