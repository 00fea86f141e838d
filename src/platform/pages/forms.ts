import type { FastifyInstance } from 'fastify';

/** A form's fields: every value a string; a name sent twice keeps its last value (checkbox groups use distinct names). */
export type FormFields = Record<string, string>;

/**
 * Reads `application/x-www-form-urlencoded` bodies in the scope of the pages' routes only (the
 * API takes JSON). Bounded: a form is small.
 */
export function acceptForms(scope: FastifyInstance, bodyLimit = 16 * 1024): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const fields: FormFields = Object.create(null) as FormFields;
    for (const [name, value] of new URLSearchParams(String(body))) {
      if (name.length <= 100) fields[name] = value.replace(/\0/g, '');
    }
    done(null, fields);
  });
}
