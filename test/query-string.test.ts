/**
 * server/http/query-string.ts: the journal reads a request's query back from its URL, and must read it as
 * the route did. Checked against the query the router hands a handler in the mock's own app.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildApp } from '../server/app.js';
import { queryOf } from '../server/http/query-string.js';

test('queryOf reads a URL as the router does: repeats, bare keys, + and percent escapes, bad escapes', async (t) => {
  const { app } = await buildApp({ logLevel: 'silent', auth: 'off' });
  t.after(() => app.close());
  // Only for this test: a route that shows the URL it received (what the journal keeps) and the query
  // the router parsed from it.
  app.get('/echo-query', async (request) => ({ url: request.url, query: { ...(request.query as object) } }));
  await app.ready();

  const agree = async (search: string): Promise<void> => {
    const { url, query } = (await app.inject({ method: 'GET', url: `/echo-query${search}` })).json<{ url: string; query: unknown }>();
    assert.deepStrictEqual(queryOf(url), query, url);
  };
  for (const search of ['', '?', '?envelope=true', '?pretty&envelope=false', '?a=1&a=2&a=3', '?x=%20y+z', '?=v', '?k=%zz', '?k=%E2%82%AC', '?a=b=c', '?&&a=1&']) {
    await agree(search);
  }
  const queryChar = fc.constantFrom(...'ab=&+%2Fz0-_.~!$\'()*,;:@'.split(''));
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: queryChar, maxLength: 24 }), (query) => agree(`?${query}`)),
    { numRuns: 200 },
  );
});

test('queryOf gives a plain object, {} without a query string', () => {
  assert.deepStrictEqual(queryOf('/api/atlas/v2/groups'), {});
  const query = queryOf('/x?pretty=true');
  assert.equal(Object.getPrototypeOf(query), Object.prototype, 'a user test compares it to a literal');
  assert.deepStrictEqual(query, { pretty: 'true' });
});
