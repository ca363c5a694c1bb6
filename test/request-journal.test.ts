/**
 * server/control/request-journal.ts on its own: the ring, the entry it builds when read, and what it never keeps.
 * The control API's tests read it over HTTP (control-api.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestJournal, type JournalInput } from '../server/control/request-journal.js';

const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);

function input(n: number, overrides: Partial<JournalInput> = {}): JournalInput {
  return {
    timeMs: T0 + n * 1000,
    method: 'GET',
    url: `/api/atlas/v2/groups/g/clusters/c/backup/restoreJobs/${n}`,
    headers: { accept: 'application/vnd.atlas.2023-01-01+json', authorization: 'Bearer secret-token', cookie: 'a=b' },
    credential: 'serviceAccount:mdb_sa_id_x',
    status: 200,
    durationMs: 0.25,
    ...overrides,
  };
}

test('a full ring keeps the newest requests, oldest first', () => {
  const journal = new RequestJournal(3);
  for (let n = 1; n <= 5; n++) journal.record(input(n));
  assert.deepEqual(
    journal.list().map((e) => e.path.split('/').pop()),
    ['3', '4', '5'],
  );
});

test('an entry as read: its time, path and query (a plain object, read from the URL), four headers, no secrets', () => {
  const journal = new RequestJournal(10);
  journal.record(
    input(1, {
      method: 'HEAD',
      url: '/api/atlas/v2/groups/g/clusters/c/backup/restoreJobs/1?envelope=true',
      headers: { accept: 'a', prefer: 'code=404', 'user-agent': 'ua', 'content-type': 'ct', authorization: 'Digest secret', 'x-mock-token': 't' },
      status: 404,
    }),
  );
  const [entry] = journal.list();
  assert.deepEqual(entry, {
    time: '2026-11-29T10:00:01.000Z',
    method: 'HEAD',
    path: '/api/atlas/v2/groups/g/clusters/c/backup/restoreJobs/1',
    query: { envelope: 'true' },
    headers: { accept: 'a', prefer: 'code=404', 'user-agent': 'ua', 'content-type': 'ct' },
    credential: 'serviceAccount:mdb_sa_id_x',
    status: 404,
    durationMs: 0.25,
  });
  assert.equal(Object.getPrototypeOf(entry?.query), Object.prototype, 'a plain object, as a user test compares it to {}');
  const text = JSON.stringify(journal.list());
  for (const secret of ['secret', 'x-mock-token', 'authorization']) assert.ok(!text.includes(secret), `${secret} is never kept`);
});

test('without a query string the query is {}, absent headers are left out, and a repeated Prefer is not kept', () => {
  const journal = new RequestJournal(2);
  journal.record(input(1, { headers: { prefer: ['code=404', 'code=500'] } }));
  const [entry] = journal.list();
  assert.deepEqual(entry?.query, {});
  assert.deepEqual(entry?.headers, {});
});

test('filters, clear, and a journal of size 0', () => {
  const journal = new RequestJournal(5);
  journal.record(input(1));
  journal.record(input(2, { status: 404, method: 'POST', url: '/api/oauth/token' }));
  assert.deepEqual(journal.list({ status: 404 }).map((e) => e.path), ['/api/oauth/token']);
  assert.deepEqual(journal.list({ method: 'post' }).map((e) => e.status), [404]);
  assert.equal(journal.list({ path: '/api/atlas/*' }).length, 1);
  journal.clear();
  assert.deepEqual(journal.list(), []);
  journal.record(input(3));
  assert.equal(journal.list().length, 1, 'records again after a clear');
  const off = new RequestJournal(0);
  off.record(input(1));
  assert.deepEqual(off.list(), []);
});

test('repeated and changing URLs and Accept headers are each kept as sent', () => {
  const journal = new RequestJournal(10);
  const sent = [
    ['/a?x=1', 'application/json'],
    ['/a?x=1', 'application/json'],
    ['/b', 'application/json'],
    ['/a?x=1', undefined],
    ['/a?x=1', 'application/vnd.atlas.2023-01-01+json'],
  ] as const;
  for (const [url, accept] of sent) journal.record(input(1, { url, headers: accept === undefined ? {} : { accept } }));
  assert.deepEqual(
    journal.list().map((e) => [e.path, e.query, e.headers.accept]),
    [
      ['/a', { x: '1' }, 'application/json'],
      ['/a', { x: '1' }, 'application/json'],
      ['/b', {}, 'application/json'],
      ['/a', { x: '1' }, undefined],
      ['/a', { x: '1' }, 'application/vnd.atlas.2023-01-01+json'],
    ],
  );
  journal.clear();
  journal.record(input(2, { url: '/c' }));
  assert.deepEqual(journal.list().map((e) => e.path), ['/c'], 'a clear forgets the last URL too');
});
