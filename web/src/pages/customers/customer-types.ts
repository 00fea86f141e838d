/** A customer as GET /v1/customers/{id} answers (contacts masked for roles that see them masked). */
export type Customer = {
  id: string;
  status: 'active' | 'merged' | 'erased';
  phone: string | null;
  email: string | null;
  cardNumber: string | null;
  identifiers: Array<{ kind: string; value: string; primary: boolean }>;
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  gender: string | null;
  city: string | null;
  timezone: string | null;
  locale: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  segments?: Array<{ id: string; name: string }> | null;
  rfm?: Record<string, unknown> | null;
  cluster?: Record<string, unknown> | null;
  clv?: Record<string, unknown> | null;
};
