/**
 * How the mock reads a query string: with fast-querystring, the parser Fastify's router uses by default,
 * given to the router explicitly (app.ts) so that the journal, which keeps a request's URL and reads its
 * query from it only when asked, reads it exactly as the route did.
 */
import { parse } from 'fast-querystring';

export type Query = Record<string, string | string[]>;

/** The router's parser: `a=1&a=2&b` → { a: ['1', '2'], b: '' }. */
export function parseQueryString(query: string): Query {
  return query.length === 0 ? {} : (parse(query) as Query);
}

/** The query of a request-target (what follows its first `?`), as a plain object. */
export function queryOf(url: string): Query {
  const at = url.indexOf('?');
  // A plain copy: the parser's object has no prototype, which deepStrictEqual in a user's test would
  // tell apart from `{}`.
  return at === -1 ? {} : { ...parseQueryString(url.slice(at + 1)) };
}
