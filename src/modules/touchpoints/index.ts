import type { Actor } from '../../platform/actor.ts';
import { systemActor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, foundOrNull } from '../../platform/errors.ts';
import type { FormFields } from '../../platform/pages/forms.ts';
import type { PageLocale } from '../../platform/pages/i18n.ts';
import { customerIdByIdentifier, type CustomerRecord, type Customers } from '../customers/index.ts';
import type { Loyalty } from '../loyalty/index.ts';
import type { Messaging } from '../messaging/index.ts';
import type { Feedback } from '../feedback/index.ts';
import type { FiscalReceipts } from '../fiscal-receipts/index.ts';
import type { Referrals } from '../referrals/index.ts';
import type { Promotions } from '../promotions/index.ts';
import { endSession, endSessionsOf, findSession, moveSessions, startSession } from './customer-sessions.ts';
import { readJoinAnswers, type JoinAnswers } from './join-answers.ts';
import { newCardNumber } from './digital-cards.ts';
import { defaultJoinForm, joinFormProblems, type JoinForm } from './join-form.ts';
import { challengeState, confirmCode, issueCode, type CodeFailure } from './one-time-codes.ts';
import { pageText } from './page-text.ts';
import type { Db } from './touchpoints.db.ts';
import { touchpointError } from './touchpoints.errors.ts';
import type { Ids } from './touchpoints.ids.ts';

export { touchpointsModule } from './touchpoints.module.ts';
export { touchpointRoutes } from './touchpoints.routes.ts';
export { touchpointPages } from './touchpoint-pages.ts';

export type TouchpointsDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  phoneRegion: string;
  customers: Customers;
  loyalty: Pick<Loyalty, 'balance' | 'customerReceipts' | 'ledger'>;
  messaging: Pick<Messaging, 'sendNow' | 'policy' | 'telegram' | 'topics'>;
  /** The customer's referral code and link, shown on the account page. */
  referrals: Pick<Referrals, 'summary'>;
  /** The customer's personal promo codes (a birthday code, a journey's gift) and their promotions' names. */
  promotions: { codes: Pick<Promotions['codes'], 'list'>; promotions: Pick<Promotions['promotions'], 'namesOf' | 'offersFor'> };
  /** The segments the customer is in now (the segments module): a promotion for a segment is a personal offer. */
  segmentsOf: (customerId: string) => Promise<string[]>;
  /** A message written on the account page becomes a support ticket. */
  feedback: Pick<Feedback, 'create'>;
  /** A fiscal receipt's QR sent from the account page earns once verified. */
  fiscalReceipts: Pick<FiscalReceipts, 'submit' | 'listForCustomer'>;
  currency: () => Promise<string>;
};

/** Where a join form was shown: the hosted page, a tablet at the till, or a site's pop-up. */
export type JoinMode = 'page' | 'kiosk' | 'embed';
export type Visitor = { ip: string | null; userAgent: string | null; locale: PageLocale };

export type CodeSent = { sent: true; challengeId: string; phone: string };
export type CodeNotSent = { sent: false; reason: 'too_many'; retryAfterSeconds: number } | { sent: false; reason: 'no_channel' | 'not_sent' };
export type JoinStart = { problems: Record<string, string>; answers: JoinAnswers } | CodeSent | CodeNotSent;
export type JoinDone = { customerId: string; created: boolean };

export function createTouchpoints(deps: TouchpointsDeps) {
  const { db, clock, ids } = deps;
  let secret: string | null = null;
  const secretOf = async () => (secret ??= (await db.selectFrom('touchpointSettings').select('secret').where('id', '=', 1).executeTakeFirstOrThrow()).secret);
  const settings = async () => {
    const row = await db.selectFrom('touchpointSettings').select(['joinForm', 'version', 'updatedAt']).where('id', '=', 1).executeTakeFirstOrThrow();
    return settingsOf(row);
  };

  /** Sends a code by SMS, counted against the limits whether or not a customer is behind the phone. */
  async function sendCode(purpose: 'join' | 'sign_in', phone: string, customerId: string | null, payload: Record<string, unknown> | null, visitor: Visitor, deliver: boolean): Promise<CodeSent | CodeNotSent> {
    const issued = await issueCode(db, clock, ids, await secretOf(), { purpose, phone, customerId, payload, ip: visitor.ip });
    if ('refused' in issued) return { sent: false, reason: 'too_many', retryAfterSeconds: issued.retryAfterSeconds };
    if (deliver) {
      const { programName } = await deps.messaging.policy.get();
      const text =
        visitor.locale === 'ru'
          ? `${issued.code} — код ${purpose === 'join' ? 'для вступления в' : 'для входа в'} ${programName}. Никому его не сообщайте.`
          : `${issued.code} is your code to ${purpose === 'join' ? 'join' : 'sign in to'} ${programName}. Do not share it.`;
      const outcome = await deps.messaging.sendNow('sms', phone, { text }, issued.challengeId);
      if (outcome === null) return { sent: false, reason: 'no_channel' };
      if (outcome.status !== 'accepted') return { sent: false, reason: 'not_sent' };
    }
    return { sent: true, challengeId: issued.challengeId, phone };
  }

  /** Personal codes the customer can still use: not expired, uses left; with their promotion's name. */
  async function personalCodes(customerId: string): Promise<Array<{ code: string; promotion: string; validTo: string | null }>> {
    const now = clock.now().getTime();
    const { items } = await deps.promotions.codes.list({ limit: 20, customerId });
    const usable = items.filter((c) => (c.validTo === null || Date.parse(c.validTo) > now) && (c.usesLimit === null || c.uses < c.usesLimit));
    const promotions = await deps.promotions.promotions.namesOf([...new Set(usable.map((c) => c.promotionId))]);
    const names = new Map(promotions.filter((p) => p.status === 'active').map((p) => [p.id, p.name]));
    return usable.filter((c) => names.has(c.promotionId)).map((c) => ({ code: c.code, promotion: names.get(c.promotionId)!, validTo: c.validTo }));
  }

  const ownerOfPhone = (phone: string) => customerIdByIdentifier(db, { kind: 'phone', source: '', value: phone });

  /**
   * A member without a card gets a digital one (its number clashing with another's is drawn
   * again); the record as it now stands comes back. Given the record already read, a member with
   * a card costs no query.
   */
  async function ensureCard(customer: string | CustomerRecord, actor: Actor): Promise<CustomerRecord> {
    const record = typeof customer === 'string' ? await deps.customers.get(customer, false) : customer;
    if (record.cardNumber) return record;
    const { form } = await settings();
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await deps.customers.update(record.id, { cardNumber: newCardNumber(form.cardPrefix) }, actor);
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'customer.identifier_taken')) throw error;
      }
    }
    return record;
  }

  /**
   * An account session, and the card with it: the card is issued here (and at joining), when the
   * customer first gets a session, so that showing the account page is a read.
   */
  async function openSession(customerId: string) {
    await ensureCard(customerId, { ...systemActor, name: 'sign-in' });
    return startSession(db, clock, customerId);
  }

  /**
   * The form asks its attributes as free text: one not declared, or of another type, would be
   * refused only when the customer, having typed their code, is created.
   */
  async function attributeProblems(form: JoinForm): Promise<Array<{ field: string; reason: string }>> {
    const problems: Array<{ field: string; reason: string }> = [];
    for (const [index, attribute] of form.attributes.entries()) {
      const definition = await foundOrNull(deps.customers.attributes.get(attribute.key));
      if (!definition) problems.push({ field: `attributes.${index}.key`, reason: `no attribute ${attribute.key} is declared; PUT /v1/customer-attributes/${attribute.key} declares it` });
      else if (definition.type !== 'string') problems.push({ field: `attributes.${index}.key`, reason: `${attribute.key} is an attribute of type ${definition.type}; the form asks text attributes (type string) only` });
    }
    return problems;
  }

  return {
    settings,
    secret: secretOf,
    /** The injected clock's now: forms' tokens are dated by it, as codes and sessions are. */
    now: () => clock.now(),
    programName: async () => (await deps.messaging.policy.get()).programName,
    timezone: async () => (await deps.messaging.policy.get()).defaultTimezone,
    /** The program's name and default zone in one read of the contact policy (a page that needs both). */
    pageSettings: async () => {
      const { programName, defaultTimezone } = await deps.messaging.policy.get();
      return { programName, defaultTimezone };
    },
    currency: deps.currency,

    async putJoinForm(form: JoinForm, actor: Actor, expectedVersion?: number) {
      const problems = [...joinFormProblems(form), ...(await attributeProblems(form))];
      if (problems.length > 0) throw touchpointError('touchpoints.invalid_join_form', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
      return db.transaction().execute(async (tx) => {
        const current = await tx.selectFrom('touchpointSettings').select(['version', 'joinForm']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
        if (expectedVersion !== undefined && expectedVersion !== current.version) {
          throw touchpointError('touchpoints.version_conflict', `The join form is at version ${current.version}, not ${expectedVersion}: read it again and redo the change`);
        }
        // Sent back unchanged: nothing written, no version spent, no audit line.
        if (canonicalJson(current.joinForm ?? defaultJoinForm) === canonicalJson(form)) return settingsOf(await tx.selectFrom('touchpointSettings').select(['joinForm', 'version', 'updatedAt']).where('id', '=', 1).executeTakeFirstOrThrow());
        const row = await tx
          .updateTable('touchpointSettings')
          .set({ joinForm: JSON.stringify(form), version: current.version + 1, updatedAt: clock.now() })
          .where('id', '=', 1)
          .returning(['joinForm', 'version', 'updatedAt'])
          .executeTakeFirstOrThrow();
        await writeAudit(tx, clock, actor, { action: 'touchpoints.join_form', entityType: 'join_form', entityId: 'join_form', details: { version: row.version } });
        return settingsOf(row);
      });
    },

    /** The join form sent: checked, then a code to the phone; the answers wait with the code. */
    async startJoin(fields: FormFields, visitor: Visitor): Promise<JoinStart> {
      const { form } = await settings();
      const { answers, problems } = readJoinAnswers(form, fields, deps.phoneRegion, clock.now(), pageText[visitor.locale]);
      if (Object.keys(problems).length > 0) return { problems, answers };
      const owner = await ownerOfPhone(answers.phone);
      // An e-mail that is another member's would fail after the code: said now instead.
      if (answers.profile.email) {
        const emailOwner = await customerIdByIdentifier(db, { kind: 'email', source: '', value: answers.profile.email });
        if (emailOwner && emailOwner !== owner) {
          return { problems: { email: visitor.locale === 'ru' ? 'Эта почта уже указана у другого участника клуба' : 'This e-mail belongs to another member of the club' }, answers };
        }
      }
      return sendCode('join', answers.phone, owner, { answers, userAgent: visitor.userAgent, locale: visitor.locale }, visitor, true);
    },

    /**
     * The code confirmed: the customer is created with the form's answers and consents (each
     * consent with the version of the text it was given on), or, when the phone is a member's
     * already, linked: empty profile fields filled, consents recorded, nothing overwritten.
     */
    async confirmJoin(challengeId: string, code: string, mode: JoinMode, visitor: Visitor): Promise<JoinDone | CodeFailure> {
      const confirmed = await confirmCode(db, clock, await secretOf(), challengeId, 'join', code);
      if (typeof confirmed === 'string') return confirmed;
      const { form } = await settings();
      const waiting = confirmed.payload as { answers: JoinAnswers; userAgent: string | null } | null;
      if (!waiting) return 'expired';
      const { answers } = waiting;
      const evidence = (version: string) => ({ ...(visitor.ip ? { ip: visitor.ip } : {}), ...(waiting.userAgent ? { userAgent: waiting.userAgent.slice(0, 500) } : {}), textVersion: version });
      const source = mode === 'kiosk' ? 'pos' : 'web';
      const consents = form.consents
        .filter((box) => answers.consents.includes(box.id))
        .map((box) => ({ channel: box.channel, purpose: box.purpose, granted: true, source, evidence: evidence(box.version) }) as const);
      const actor: Actor = { ...systemActor, name: `join form (${mode})` };
      const owner = await ownerOfPhone(confirmed.phone);
      if (owner) {
        const record = await deps.customers.get(owner, false);
        const fill = Object.fromEntries(Object.entries(answers.profile).filter(([field]) => record[field as keyof typeof record] === null || record[field as keyof typeof record] === undefined));
        if (Object.keys(fill).length > 0) await deps.customers.update(owner, fill, actor).catch(ignoreProfileConflict);
        if (consents.length > 0) await deps.customers.setConsents(owner, [...consents], actor, { onlyChanges: true });
        await ensureCard(owner, actor);
        return { customerId: owner, created: false };
      }
      const created = await deps.customers.create(
        {
          phone: confirmed.phone,
          ...answers.profile,
          ...(Object.keys(answers.attributes).length > 0 ? { attributes: answers.attributes } : {}),
          locale: visitor.locale === 'ru' ? 'ru-RU' : 'en-GB',
          consents: [...consents],
          source: mode === 'page' ? 'web' : mode,
        } as Parameters<Customers['create']>[0],
        actor,
      );
      await ensureCard(created.id, actor);
      return { customerId: created.id, created: true };
    },

    /** A code to sign in: sent only to a member's phone, but the page says the same either way. */
    async startSignIn(rawPhone: string, visitor: Visitor): Promise<CodeSent | CodeNotSent | { problems: Record<string, string> }> {
      const words = pageText[visitor.locale];
      const { answers, problems } = readJoinAnswers({ ...defaultJoinForm, fields: { email: 'hidden', firstName: 'hidden', lastName: 'hidden', birthDate: 'hidden', gender: 'hidden', city: 'hidden' }, attributes: [], consents: [] }, { phone: rawPhone }, deps.phoneRegion, clock.now(), words);
      if (problems.phone) return { problems: { phone: problems.phone } };
      const owner = await ownerOfPhone(answers.phone);
      return sendCode('sign_in', answers.phone, owner, null, visitor, owner !== null);
    },

    async confirmSignIn(challengeId: string, code: string): Promise<{ token: string; maxAgeSeconds: number; customerId: string } | CodeFailure> {
      const confirmed = await confirmCode(db, clock, await secretOf(), challengeId, 'sign_in', code);
      if (typeof confirmed === 'string') return confirmed;
      const owner = await ownerOfPhone(confirmed.phone);
      if (!owner) return 'expired';
      return { ...(await openSession(owner)), customerId: owner };
    },

    startSession: openSession,
    challenge: (challengeId: string) => challengeState(db, challengeId),

    /** The signed-in customer a session cookie names (a merged duplicate's session is its survivor's). */
    async session(token: string | undefined) {
      const found = await findSession(db, clock, token);
      if (!found) return null;
      const record = await foundOrNull(deps.customers.get(found.customerId, false));
      return record?.status === 'active' ? { hash: found.hash, customer: record } : null;
    },
    signOut: (hash: string) => endSession(db, hash),

    /**
     * What the account page shows: points, tier, card, the latest receipts and points movements,
     * consents; for the customer record the session read. The card was issued with the session;
     * a customer without one here (a session older than that, or a card support took away) still
     * gets one: a write on this GET, but once, and only then; refusing them a card would serve no one.
     */
    async account(record: CustomerRecord) {
      const customer = await ensureCard(record, { ...systemActor, name: 'account page' });
      const customerId = customer.id;
      const [balance, receipts, ledger, consents, currency, fiscal, referral, codes, topics, topicState, offers] = await Promise.all([
        deps.loyalty.balance(customerId),
        deps.loyalty.customerReceipts(customerId, 10),
        deps.loyalty.ledger(customerId, 30),
        deps.customers.consents(customerId),
        deps.currency(),
        deps.fiscalReceipts.listForCustomer(customerId, { limit: 5 }),
        // Not found (the customer gone since the session read them): no referral block; any other failure is one to see.
        foundOrNull(deps.referrals.summary(customerId)),
        personalCodes(customerId),
        deps.messaging.topics.all(),
        deps.messaging.topics.forCustomer(customerId),
        deps.segmentsOf(customerId).then((segmentIds) => deps.promotions.promotions.offersFor(customerId, segmentIds, clock.now())),
      ]);
      // Moves between pending and available (points activating) change nothing a customer counts: not shown.
      const movements = ledger.items.filter((entry) => entry.available + entry.pending !== 0).slice(0, 10);
      const subscribed = new Map(topicState.current.map((entry) => [entry.topic, entry.subscribed]));
      return {
        customer, balance, receipts: receipts.items, ledger: movements, consents: consents.current, currency, fiscalReceipts: fiscal.items,
        referral: referral ? { code: referral.code, link: referral.link ?? null } : null, codes, offers,
        topics: topics.map((topic) => ({ key: topic.key, name: topic.name, description: topic.description, subscribed: subscribed.get(topic.key) ?? topic.defaultSubscribed })),
      };
    },

    /** The topics a customer ticks on the account page (those shown and unticked are left); each change recorded with its evidence. */
    async setTopics(customerId: string, ticked: string[], shown: string[], visitor: Visitor) {
      const known = new Set((await deps.messaging.topics.all()).map((topic) => topic.key));
      const choices = [...new Set(shown)].filter((key) => known.has(key)).map((topic) => ({
        topic,
        subscribed: ticked.includes(topic),
        evidence: { ...(visitor.ip ? { ip: visitor.ip } : {}), ...(visitor.userAgent ? { userAgent: visitor.userAgent.slice(0, 500) } : {}) },
      }));
      if (choices.length > 0) await deps.messaging.topics.setForCustomer(customerId, choices, { ...systemActor, name: 'account page' }, { onlyChanges: true, source: 'account' });
    },

    /** The marketing channels a customer ticks on the account page; each change recorded with its evidence. */
    async setPreferences(customerId: string, wanted: Record<'email' | 'sms' | 'push' | 'messenger', boolean>, visitor: Visitor) {
      const inputs = (Object.entries(wanted) as Array<[keyof typeof wanted, boolean]>).map(([channel, granted]) => ({
        channel,
        purpose: 'marketing' as const,
        granted,
        source: 'web' as const,
        evidence: { ...(visitor.ip ? { ip: visitor.ip } : {}), ...(visitor.userAgent ? { userAgent: visitor.userAgent.slice(0, 500) } : {}), textVersion: 'account-preferences' },
      }));
      await deps.customers.setConsents(customerId, inputs, { ...systemActor, name: 'account page' }, { onlyChanges: true });
    },

    /** A message to support from the account page: a ticket on the customer (the feedback inbox). */
    async writeToSupport(customerId: string, text: string): Promise<void> {
      await deps.feedback.create({ customerId, source: 'account', text }, { ...systemActor, name: 'account page' });
    },
    /** A fiscal receipt's QR text from the account page: checked now, verified and earned by the fiscal-receipts job. */
    submitReceipt: (customerId: string, qr: string, visitor: Visitor) =>
      deps.fiscalReceipts.submit(customerId, qr, { channel: 'web', ip: visitor.ip, userAgent: visitor.userAgent }),

    /** The customer's own changes to their profile (an empty field clears it); refusals come back in the customers module's words. */
    async updateProfile(customerId: string, changes: { firstName: string; lastName: string; email: string; birthDate: string }) {
      const nullIfEmpty = (value: string) => (value.trim() === '' ? null : value.trim());
      await deps.customers.update(
        customerId,
        { firstName: nullIfEmpty(changes.firstName), lastName: nullIfEmpty(changes.lastName), email: nullIfEmpty(changes.email), birthDate: nullIfEmpty(changes.birthDate) },
        { ...systemActor, name: 'account page' },
      );
    },
    /** A one-time Telegram deep link for the customer (the bot links the chat when they press Start). */
    telegramLink: (customerId: string) => deps.messaging.telegram.issue(customerId, { ...systemActor, name: 'account page' }),
    /**
     * "Delete my data": a ticket for support, tagged erasure-request. Erasing is support's step
     * (POST /v1/customers/{id}/erase): it is final, and the customer may have points or a purchase
     * under return that support settles first.
     */
    async requestErasure(customerId: string): Promise<void> {
      await deps.feedback.create(
        { customerId, source: 'account', subject: 'Delete my data', text: 'The customer asked on the account page to delete their personal data.', tags: ['erasure-request'] },
        { ...systemActor, name: 'account page' },
      );
    },

    /** Old codes (with any form answers still waiting) and lapsed sessions are removed. */
    async clearExpired() {
      const dayAgo = new Date(clock.now().getTime() - 86_400_000);
      const codes = await db.deleteFrom('otpChallenges').where('createdAt', '<', dayAgo).executeTakeFirst();
      const sessions = await db.deleteFrom('customerSessions').where('expiresAt', '<', clock.now()).executeTakeFirst();
      return { codes: Number(codes.numDeletedRows), sessions: Number(sessions.numDeletedRows) };
    },

    /** Customer lifecycle: erase signs out and drops codes; merge moves sessions to the survivor. */
    async eraseCustomers(tx: import('./touchpoints.db.ts').Tx, customerIds: string[]) {
      await endSessionsOf(tx, customerIds);
      if (customerIds.length > 0) await tx.deleteFrom('otpChallenges').where('customerId', 'in', customerIds).execute();
    },
    mergeCustomer: (tx: import('./touchpoints.db.ts').Tx, fromId: string, intoId: string) => moveSessions(tx, fromId, intoId),
  };
}

/** Never changed, the form is the built-in one and has no time of change. */
function settingsOf(row: { joinForm: JoinForm | null; version: number; updatedAt: Date }) {
  return { form: row.joinForm ?? defaultJoinForm, version: row.version, updatedAt: row.joinForm === null ? null : row.updatedAt };
}

/** A profile field another member holds (an e-mail) is not worth failing a confirmed sign-up for. */
function ignoreProfileConflict(error: unknown): void {
  if (error instanceof AppError && (error.status === 409 || error.status === 400)) return;
  throw error;
}

export type Touchpoints = ReturnType<typeof createTouchpoints>;
