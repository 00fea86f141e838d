import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { attributeDefinitionMap, checkAttributes } from './attributes.ts';
import { checkConsentTimes, recordConsents, type ConsentInput } from './consents.ts';
import { loadCustomerRecord, type CustomerRecord } from './customer-record.ts';
import { customerError } from './customers.errors.ts';
import { emitEvents } from './customers.events.ts';
import { platformTx } from '../../platform/db-views.ts';
import type { CustomerLifecycleHooks, CustomersDeps } from './deps.ts';
import { setPrimaryIdentifiers } from './identifier-store.ts';
import { normalizeIdentifiers, type IdentifierInput } from './identifiers.ts';
import { checkProfile, type ProfileInput } from './profile.ts';

export type CreateCustomerInput = IdentifierInput &
  ProfileInput & {
    attributes?: Record<string, unknown>;
    consents?: ConsentInput[];
    /** Where the customer joined; by default pos for a till's key, api for any other. */
    source?: string;
  };

export function invalid(problems: FieldProblem[], code: 'customer.invalid_identifier' | 'customer.invalid_profile' | 'customer.invalid_attribute') {
  return customerError(code, problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

export async function createCustomer(deps: CustomersDeps, input: CreateCustomerInput, actor: Actor, hooks?: Pick<CustomerLifecycleHooks, 'onCreate'>): Promise<CustomerRecord> {
  const { db, clock, ids, phoneRegion } = deps;
  const identifiers = normalizeIdentifiers(input, phoneRegion);
  if (identifiers.problems.length > 0) throw invalid(identifiers.problems, 'customer.invalid_identifier');
  const { profile, problems } = checkProfile(input, clock.now());
  problems.push(...checkConsentTimes(input.consents ?? [], clock.now()));
  if (problems.length > 0) throw invalid(problems, 'customer.invalid_profile');
  const definitions = await attributeDefinitionMap(db);
  const attributes = checkAttributes(input.attributes ?? {}, definitions);
  if (attributes.problems.length > 0) throw invalid(attributes.problems, 'customer.invalid_attribute');

  return db.transaction().execute(async (tx) => {
    const now = clock.now();
    const id = ids.next('cus');
    await tx
      .insertInto('customers')
      .values({
        id,
        status: 'active',
        firstName: profile.firstName ?? null,
        lastName: profile.lastName ?? null,
        birthDate: profile.birthDate ?? null,
        gender: profile.gender ?? null,
        city: profile.city ?? null,
        timezone: profile.timezone ?? null,
        locale: profile.locale ?? null,
        tags: profile.tags ?? [],
        attributes: JSON.stringify(attributes.set),
        signupSource: input.source ?? (actor.role === 'pos' ? 'pos' : 'api'),
        createdAt: now,
        updatedAt: now,
      })
      .execute();
    await setPrimaryIdentifiers(tx, clock, id, identifiers.set);
    for (const hook of hooks?.onCreate ?? []) await hook(platformTx(tx), [{ id, identifiers: identifiers.set }]);
    await recordConsents(tx, clock, ids, id, input.consents ?? [], { onlyChanges: false });
    await writeAudit(tx, clock, actor, {
      action: 'customer.create',
      entityType: 'customer',
      entityId: id,
      details: { fields: Object.keys(input).sort() },
    });
    await emitEvents(tx, clock, ids, [{ type: 'customer.created', customerId: id, payload: { customerId: id, source: input.source ?? (actor.role === 'pos' ? 'pos' : 'api') } }]);
    return loadCustomerRecord(tx, id, false);
  });
}
