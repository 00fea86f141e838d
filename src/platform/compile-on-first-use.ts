import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { ErrorObject } from 'ajv';
import type { FastifyServerOptions } from 'fastify';

/**
 * Fastify compiles every route's validators (ajv) and response serializers (fast-json-stringify)
 * when the app becomes ready: about 3 s for our 400-odd operations, paid by every server start,
 * every CLI command that opens the services (closing an app that was never readied readies it
 * first) and every test file. Here each is compiled when its route first needs it, or when
 * `compileRemaining` gets to it (the server calls it after it starts listening, so the first
 * requests do not pay for it either). The functions compiled are the same ones, so what is
 * accepted and what is sent do not change.
 */

// Our schemas have no `$async`: ajv compiles them to synchronous functions.
type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
type Serializer = (data: unknown) => string;
type SerializerFactory = (externalSchemas: unknown, options: unknown) => (route: unknown) => Serializer;

/** How many compile between two turns of the event loop in compileRemaining (each takes a few ms). */
const COMPILE_BATCH = 10;

export type SchemaCompilation = {
  /** The Fastify option: Fastify's own serializer compiler, each serializer compiled on first use. */
  schemaController: NonNullable<FastifyServerOptions['schemaController']>;
  /** A validator compiled on its first call (for setValidatorCompiler). */
  validator(compile: () => Validator): Validator;
  /** Compiles every validator and serializer not compiled yet, giving requests a turn between batches; throws what a compile throws. */
  compileRemaining(): Promise<number>;
};

export function compileOnFirstUse(): SchemaCompilation {
  // What is still to compile: each entry compiles one function (and is a no-op once compiled).
  const pending = new Set<() => void>();

  function onFirstUse<F>(compile: () => F): { get: () => F } {
    let compiled: F | undefined;
    const force = () => {
      compiled ??= compile();
      pending.delete(force);
    };
    pending.add(force);
    return {
      get: () => {
        if (compiled === undefined) force();
        return compiled as F;
      },
    };
  }

  const buildDefault = SerializerSelector() as unknown as SerializerFactory;
  const buildSerializer: SerializerFactory = (externalSchemas, options) => {
    const compileFor = buildDefault(externalSchemas, options);
    return (route) => {
      const serializer = onFirstUse(() => compileFor(route));
      return (data) => serializer.get()(data);
    };
  };

  return {
    schemaController: { compilersFactory: { buildSerializer: buildSerializer as never } },
    validator(compile) {
      const compiled = onFirstUse(compile);
      // Fastify reads `errors` off the function it was given, after the call.
      const validate: Validator = (data) => {
        const inner = compiled.get();
        const result = inner(data);
        validate.errors = inner.errors;
        return result;
      };
      return validate;
    },
    async compileRemaining() {
      let count = 0;
      while (pending.size > 0) {
        for (const force of [...pending].slice(0, COMPILE_BATCH)) {
          force();
          count++;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      return count;
    },
  };
}
