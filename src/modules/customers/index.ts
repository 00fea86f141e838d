import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { PlatformTx } from '../../platform/db-views.ts';
import { getAttributeDefinition, pageAttributeDefinitions, putAttributeDefinition, type AttributeDefinitionInput } from './attributes.ts';
import { checkConsentTimes, firstGrants, grantedNow, loadConsents, recordConsents, type ConsentChannel, type ConsentInput, type ConsentPurpose } from './consents.ts';
import { createCustomer, type CreateCustomerInput } from './create-customer.ts';
import { currentChoices, loadTopicChoices, recordTopicChoices, type TopicChoiceInput } from './customer-topics.ts';
import { loadCustomerRecord, loadCustomerRecords, lockCustomer, resolveCustomerId, type CustomerRecord } from './customer-record.ts';
import { currentCustomerIds, resolveListValues, type ListIdentifierKind } from './customer-refs.ts';
import { customerError } from './customers.errors.ts';
import { emitEvents } from './customers.events.ts';
import type { CustomerLifecycleHooks, CustomersDeps } from './deps.ts';
import { eraseCustomer } from './erase-customer.ts';
import { exportCustomersCsv } from './export-customers.ts';
import { customerIdByIdentifier as ownerOfIdentifier, listCustomers, lookupCustomer, lookupIdentifier, type ListQuery, type LookupQuery } from './find-customers.ts';
import { identifyCustomer } from './identify.ts';
import { customerCsvFormat } from './import/customer-csv-format.ts';
import type { ImportRow } from './import/csv-row.ts';
import { writeBatch } from './import/write-batch.ts';
import { mergeCustomers } from './merge-customers.ts';
import { loadTillView, type AccountSummaryOf } from './till-view.ts';
import { updateCustomer, type UpdateCustomerInput } from './update-customer.ts';

export type { CustomerRecord } from './customer-record.ts';
export type { ConsentChannel, ConsentPurpose } from './consents.ts';
export { topicSources, type TopicChoice, type TopicChoiceEntry, type TopicChoiceInput, type TopicChoices, type TopicEvidence, type TopicSource } from './customer-topics.ts';
export type { IdentifiedCustomer } from './identify.ts';
export type { AccountSummary, CreatedCustomer, CustomersDeps, CustomerLifecycleHooks } from './deps.ts';
export type { TillView } from './till-view.ts';
export type { ImportRow as CustomerImportRow } from './import/csv-row.ts';
export { customerIds, type CustomerIdPrefix } from './customers.ids.ts';
export { customerErrors } from './customers.errors.ts';
export { customersModule } from './customers.module.ts';
export { customerRoutes } from './customers.routes.ts';
export { Customer as CustomerSchema } from './customers.schemas.ts';
export { normalizePhone, normalizeEmail, normalizeCard } from './identifiers.ts';
export { lookupIdentifier } from './find-customers.ts';
export { currentCustomerId, currentCustomerIds, customerIdByIdentifier, type ListIdentifierKind, type ResolvedListValue } from './customer-refs.ts';
export { segmentPopulation } from './segment-fields.ts';
export { memberExceptions, memberFacts } from './member-facts.ts';
export { contactOf, grantedSql, topicChoiceSql } from './contact-facts.ts';

/** The customers module's public face: profiles, identifiers, consents, merge, erase, CSV. */
export function createCustomers(deps: CustomersDeps) {
  const hooks: CustomerLifecycleHooks & Required<Pick<CustomerLifecycleHooks, 'onCreate'>> = { onMerge: [], onErase: [], onCreate: [] };
  const registrations: Array<Pick<CustomerLifecycleHooks, 'accountSummary'>> = [];
  const { db, clock, ids, phoneRegion } = deps;
  // The module that registered an account summary (loyalty) fills the till view's points and tier;
  // with none registered (customers alone) there are no points to show.
  const accountSummary: AccountSummaryOf = async (customerId) => {
    const provider = registrations.find((registered) => registered.accountSummary)?.accountSummary;
    return provider ? provider(customerId) : { balance: 0, pendingPoints: 0, tier: null };
  };
  const viewExtensions: Array<(customerId: string) => Promise<Record<string, unknown>>> = [];
  const withExtras = async (record: CustomerRecord) => {
    const extras = await Promise.all(viewExtensions.map((extend) => extend(record.id)));
    return Object.assign(record, ...extras) as CustomerRecord & Record<string, unknown>;
  };
  return {
    /**
     * Lifecycle hooks for another module. Its handlers run in the merge's or erase's transaction,
     * seen through `view`: the module's own claim of it (its `ownTx`), so they name only its tables.
     */
    hooksFor<T>(view: (tx: PlatformTx) => T): CustomerLifecycleHooks<T> {
      const registered: CustomerLifecycleHooks<T> = { onMerge: [], onErase: [], onCreate: [] };
      hooks.onMerge.push(async (tx, fromId, intoId) => {
        for (const hook of registered.onMerge) await hook(view(tx), fromId, intoId);
      });
      hooks.onErase.push(async (tx, customerIds) => {
        for (const hook of registered.onErase) await hook(view(tx), customerIds);
      });
      hooks.onCreate.push(async (tx, created) => {
        for (const hook of registered.onCreate ?? []) await hook(view(tx), created);
      });
      registrations.push(registered);
      return registered;
    },
    create: (input: CreateCustomerInput, actor: Actor) => createCustomer(deps, input, actor, hooks),
    /** Signs a customer up at a till and answers with the till view (the card it was given, if any). */
    async createAtTill(input: CreateCustomerInput, actor: Actor) {
      const created = await createCustomer(deps, input, actor, hooks);
      return loadTillView(db, created.id, created.cardNumber, accountSummary);
    },
    update: (id: string, input: UpdateCustomerInput, actor: Actor) => updateCustomer(deps, id, input, actor),
    get: async (id: string, masked: boolean) => loadCustomerRecord(db, await resolveCustomerId(db, id), masked),
    /** The customer as GET and PATCH /v1/customers/{id} answer: the record, and what other modules add to it (their segments). */
    view: async (id: string, masked: boolean) => withExtras(await loadCustomerRecord(db, await resolveCustomerId(db, id), masked)),
    /** Changes the customer; answers as GET would. */
    updateAndView: async (id: string, input: UpdateCustomerInput, actor: Actor) => withExtras(await updateCustomer(deps, id, input, actor)),
    /** Another module adds to the customer view (buildApp wires it, as the lifecycle hooks). */
    extendView(extend: (customerId: string) => Promise<Record<string, unknown>>) {
      viewExtensions.push(extend);
    },
    resolveId: (id: string) => resolveCustomerId(db, id),
    /** A list's values (ids, phones, e-mails or cards) to the customers they name now, one query a call (customer-refs.ts). */
    resolveList: (kind: ListIdentifierKind, values: readonly string[]) => resolveListValues(db, kind, values, phoneRegion),
    /** Several records by id as they are (no merge resolution): a list's page, a sample. */
    getMany: (ids: string[], masked: boolean) => loadCustomerRecords(db, ids, masked),
    /**
     * The set-based `get` for jobs reading many customers' events: each id's current record (a
     * merged id's survivor's), unmasked; ids with no active customer left (erased, unknown) are absent.
     */
    async currentRecords(ids: string[]): Promise<Map<string, CustomerRecord>> {
      const current = await currentCustomerIds(db, ids);
      const live = [...new Set([...current.values()].filter((id): id is string => id !== null))];
      const records = new Map((await loadCustomerRecords(db, live, false)).filter((r) => r.status === 'active').map((r) => [r.id, r]));
      const answer = new Map<string, CustomerRecord>();
      for (const [id, to] of current) {
        const record = to === null ? undefined : records.get(to);
        if (record) answer.set(id, record);
      }
      return answer;
    },
    lookup: (query: LookupQuery, masked: boolean) => lookupCustomer(db, query, phoneRegion, masked),
    /** What a till shows of the customer an identifier names: contacts masked, the card it used, points and tier. */
    async lookupForTill(query: LookupQuery) {
      const identifier = lookupIdentifier(query, phoneRegion);
      const customerId = await ownerOfIdentifier(db, identifier);
      if (!customerId) throw customerError('customer.not_found', 'No customer has that identifier');
      return loadTillView(db, customerId, identifier.kind === 'card' ? identifier.value : null, accountSummary);
    },
    getForTill: async (id: string) => loadTillView(db, await resolveCustomerId(db, id), null, accountSummary),
    /** One statement: who a till names, for checkout (follows merges; erased ones are returned as such). */
    identify: (ref: LookupQuery & { customerId?: string }) => identifyCustomer(db, ref, phoneRegion),
    list: (query: ListQuery, masked: boolean) => listCustomers(db, query, phoneRegion, masked),
    /**
     * Active customers with a birth date, by id after `after` (keyset pages: the birthday job
     * walks them), only those born on one of `monthDays` ('MM-DD') when given.
     */
    async birthdays({ after, limit, monthDays }: { after: string; limit: number; monthDays?: string[] }) {
      let select = db.selectFrom('customers').select(['id', 'birthDate', 'timezone']).where('status', '=', 'active').where('birthDate', 'is not', null).where('id', '>', after);
      if (monthDays) select = select.where((eb) => eb(eb.fn<string>('to_char', ['birthDate', eb.val('MM-DD')]), 'in', monthDays.length > 0 ? monthDays : ['']));
      return (await select.orderBy('id').limit(limit).execute()) as Array<{ id: string; birthDate: string; timezone: string | null }>;
    },
    merge: (survivorId: string, duplicateId: string, actor: Actor) => mergeCustomers(deps, hooks, survivorId, duplicateId, actor),
    erase: (id: string, actor: Actor) => eraseCustomer(deps, hooks, id, actor),
    consents: async (id: string, masked = false) => loadConsents(db, await resolveCustomerId(db, id), masked),
    /** Each of the customers' first consent ever given for `purpose`, on any channel (one query for many). */
    firstGrants: (customerIds: string[], purpose: ConsentPurpose) => firstGrants(db, customerIds, purpose),
    /** The customers who have `purpose` granted now on `channel` (messaging checks marketing consent at send time). */
    grantedNow: (customerIds: string[], channel: ConsentChannel, purpose: ConsentPurpose) => grantedNow(db, customerIds, channel, purpose),
    /** Records consents; with `onlyChanges` (the state GET answered, sent back) one equal to the current state is skipped. */
    async setConsents(id: string, inputs: ConsentInput[], actor: Actor, { onlyChanges }: { onlyChanges: boolean } = { onlyChanges: false }) {
      const problems = checkConsentTimes(inputs, clock.now(), '');
      if (problems.length > 0) throw customerError('customer.invalid_profile', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
      const customerId = await db.transaction().execute(async (tx) => {
        const customer = await lockCustomer(tx, id);
        if (customer.status === 'erased') throw customerError('customer.erased', `Customer ${id} was erased`);
        const recorded = await recordConsents(tx, clock, ids, customer.id, inputs, { onlyChanges });
        if (recorded === 0) return customer.id;
        const changed = inputs.map((i) => `${i.channel}/${i.purpose}`);
        await writeAudit(tx, clock, actor, { action: 'customer.consents', entityType: 'customer', entityId: customer.id, details: { consents: changed } });
        await emitEvents(tx, clock, ids, [{ type: 'customer.updated', customerId: customer.id, payload: { customerId: customer.id, changed: ['consents'], consents: changed } }]);
        return customer.id;
      });
      return loadConsents(db, customerId);
    },
    /** The customer's choices of subscription topics, current and history (what exists and the defaults are messaging's). */
    topicChoices: async (id: string, masked = false) => loadTopicChoices(db, await resolveCustomerId(db, id), masked),
    /** Each customer's current choice on each topic asked (none: never chose), one query for many: the sender's check. */
    currentTopicChoices: (customerIds: string[], topics?: string[]) => currentChoices(db, customerIds, topics),
    /**
     * Records topic choices (those equal to the current choice are skipped); a change emits
     * customer.updated with changed ['topics'], as a consent change does, so segments and journeys
     * hear it. Answers the customer's id and the topics changed.
     */
    async setTopicChoices(id: string, inputs: TopicChoiceInput[], actor: Actor): Promise<{ customerId: string; changed: string[] }> {
      return db.transaction().execute(async (tx) => {
        const customer = await lockCustomer(tx, id);
        if (customer.status === 'erased') throw customerError('customer.erased', `Customer ${id} was erased`);
        const changed = await recordTopicChoices(tx, clock, ids, customer.id, inputs);
        if (changed.length === 0) return { customerId: customer.id, changed };
        await writeAudit(tx, clock, actor, { action: 'customer.topics', entityType: 'customer', entityId: customer.id, details: { topics: changed } });
        await emitEvents(tx, clock, ids, [{ type: 'customer.updated', customerId: customer.id, payload: { customerId: customer.id, changed: ['topics'], topics: changed } }]);
        return { customerId: customer.id, changed };
      });
    },
    exportCsv: (masked: boolean) => exportCustomersCsv(db, masked),
    /** The CSV import's format (buildApp registers it through customersModule). */
    csvFormat: customerCsvFormat({ db, clock, ids, phoneRegion }, hooks),
    /**
     * Writes rows made in code (the demo data set) as one CSV import batch would, in its own
     * transaction: matched by identifiers, created or filled. Returns each row's customer by line.
     */
    importRows: (rows: ImportRow[], source: string) => db.transaction().execute((tx) => writeBatch(tx, clock, ids, source, rows, hooks)),
    attributes: {
      list: (limit: number, cursor?: string) => pageAttributeDefinitions(db, limit, cursor),
      get: (key: string) => getAttributeDefinition(db, key),
      put: (key: string, input: AttributeDefinitionInput, actor: Actor) => putAttributeDefinition(db, clock, actor, key, input),
    },
  };
}

export type Customers = ReturnType<typeof createCustomers>;
