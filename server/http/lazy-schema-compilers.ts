/**
 * Fastify loads its schema compilers (ajv through @fastify/ajv-compiler, and fast-json-stringify) as
 * soon as an instance is created: about a fifth of the time startMock() takes. No route of the mock declares a
 * schema (its validators are precompiled, see spec-schemas.ts), so these factories load the very same
 * compilers, from Fastify's own dependencies, on first use instead: later, or never.
 *
 * One difference if a route ever declares a schema: Fastify then treats the validator compiler as a
 * custom one (it skips lowercasing `headers` schemas' keys), so write such a schema's keys lowercase.
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<Factories['buildValidator']>;
type SerializerFactory = NonNullable<Factories['buildSerializer']>;

// Resolved from Fastify's location: they are its dependencies, not ours.
const requireFromFastify = createRequire(import.meta.resolve('fastify'));

/** A factory that requires the module (which exports a selector returning the factory) on first call. */
function loadOnFirstUse<F extends (...args: never[]) => unknown>(id: string): F {
  let factory: F | undefined;
  const call = (...args: Parameters<F>): ReturnType<F> => {
    factory ??= (requireFromFastify(id) as () => F)();
    return factory(...args) as ReturnType<F>;
  };
  return call as unknown as F;
}

export function lazySchemaCompilers(): Factories {
  return {
    buildValidator: loadOnFirstUse<ValidatorFactory>('@fastify/ajv-compiler'),
    buildSerializer: loadOnFirstUse<SerializerFactory>('@fastify/fast-json-stringify-compiler'),
  };
}
