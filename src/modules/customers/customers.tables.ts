import type { Json, Timestamp } from '../../platform/platform.tables.ts';

/** The customers module's tables (Kysely's view, camel-cased). Only this module names them. */
export type AttributeDefinitionsTable = {
  key: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'enum';
  label: string;
  options: string[] | null;
  personal: boolean;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type CustomersTable = {
  id: string;
  status: 'active' | 'merged' | 'erased';
  mergedInto: string | null;
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  gender: 'female' | 'male' | 'other' | null;
  city: string | null;
  timezone: string | null;
  locale: string | null;
  tags: string[];
  attributes: Json<Record<string, unknown>>;
  /** Where the customer joined (pos, web, app, import, api, …); null for customers from before it was kept. */
  signupSource: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  mergedAt: Timestamp | null;
  erasedAt: Timestamp | null;
};

export type CustomerIdentifiersTable = {
  kind: 'phone' | 'email' | 'card' | 'external';
  source: string;
  value: string;
  customerId: string;
  isPrimary: boolean;
  createdAt: Timestamp;
};

export type ConsentEventsTable = {
  id: string;
  customerId: string;
  channel: string;
  purpose: string;
  granted: boolean;
  source: string;
  occurredAt: Timestamp;
  recordedAt: Timestamp;
  evidence: Json<Record<string, unknown>>;
};

/** A customer's choice on a subscription topic (customer-topics.ts). */
export type TopicEventsTable = {
  id: string;
  customerId: string;
  topic: string;
  subscribed: boolean;
  source: string;
  occurredAt: Timestamp;
  recordedAt: Timestamp;
  evidence: Json<Record<string, unknown>>;
};

export type CustomersTables = {
  attributeDefinitions: AttributeDefinitionsTable;
  customers: CustomersTable;
  customerIdentifiers: CustomerIdentifiersTable;
  consentEvents: ConsentEventsTable;
  topicEvents: TopicEventsTable;
};
