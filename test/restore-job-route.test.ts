import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLUSTER, GROUP, SUCCESS_TYPE, VERSIONED, assertKeysSortedDeep, assertAtlasError, assertMatchesSpec, build, jobUrl } from './helper.js';

const FIXTURE_JOB = '6a7ddc837c2e91d04b368d39'; // automated, finished
const GENERATED_JOB = '6a794733c0eb9e7a17740663';
const accept = { accept: VERSIONED };

describe('versions', () => {
  test('the 2023-01-01 media type is served as 2023-01-01 with charset', async (t) => {
    const app = await build(t);
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers: accept });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], SUCCESS_TYPE);
    assertMatchesSpec(res);
  });

  for (const value of ['application/vnd.atlas.2025-03-12+json', 'application/vnd.atlas.2024-02-29+json', 'text/html, application/vnd.atlas.2023-01-01+json;q=0.9']) {
    test(`a later real date resolves to 2023-01-01: ${value}`, async (t) => {
      const app = await build(t);
      const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers: { accept: value } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], SUCCESS_TYPE);
      assertMatchesSpec(res);
    });
  }

  for (const value of [undefined, '*/*', 'application/json', 'application/vnd.atlas.2022-12-31+json', 'application/vnd.atlas.2023-02-30+json', 'application/vnd.atlas.2023-1-01+json', 'application/vnd.atlas.2023-01-01+json;q=0']) {
    test(`Accept ${String(value)} gets 406 INVALID_VERSION_DATE`, async (t) => {
      const app = await build(t);
      const headers: Record<string, string> = value === undefined ? {} : { accept: value };
      const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers });
      assert.equal(res.statusCode, 406);
      assert.equal(res.body, '{"detail":"Invalid accept header or version date.","error":406,"errorCode":"INVALID_VERSION_DATE","parameters":[],"reason":"Not Acceptable"}');
      assertMatchesSpec(res);
    });
  }
});

describe('error shape and headers', () => {
  test('errors are compact, alphabetical application/json with X-Error-Code and security headers', async (t) => {
    const app = await build(t, { generate: false });
    const res = await app.inject({ url: jobUrl('111111111111111111111111', CLUSTER, FIXTURE_JOB), headers: accept });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['x-error-code'], 'GROUP_NOT_FOUND');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.body, '{"detail":"No group with ID 111111111111111111111111 exists.","error":404,"errorCode":"GROUP_NOT_FOUND","parameters":["111111111111111111111111"],"reason":"Not Found"}');
    assertMatchesSpec(res);
  });

  test('an error asked for again is written from memory with the same bytes, and only for the same parameters and format', async (t) => {
    const app = await build(t, { generate: false });
    const ask = async (groupId: string, query = '') => {
      const res = await app.inject({ url: jobUrl(groupId, CLUSTER, FIXTURE_JOB, query), headers: accept });
      assertMatchesSpec(res);
      return res;
    };
    const first = await ask('222222222222222222222222');
    const again = await ask('222222222222222222222222');
    assert.equal(again.statusCode, 404);
    assert.equal(again.body, first.body);
    assert.equal(again.body, '{"detail":"No group with ID 222222222222222222222222 exists.","error":404,"errorCode":"GROUP_NOT_FOUND","parameters":["222222222222222222222222"],"reason":"Not Found"}');
    const other = await ask('333333333333333333333333');
    assert.equal(other.body, first.body.replaceAll('2', '3'));
    const enveloped = await ask('222222222222222222222222', '?envelope=true');
    assert.equal(enveloped.statusCode, 200);
    assert.equal(enveloped.body, `{"content":${first.body},"status":404}`);
    const pretty = await ask('222222222222222222222222', '?pretty=true');
    assert.deepEqual(JSON.parse(pretty.body), JSON.parse(first.body));
    assert.notEqual(pretty.body, first.body);
    assert.equal((await ask('222222222222222222222222')).body, first.body, 'the plain form again after the others');
  });

  test('a CLUSTER_NOT_FOUND body has the recorded length (190 bytes for the recorded ids)', async (t) => {
    const app = await build(t, { generate: false, scenario: 'CLUSTER_NOT_FOUND' });
    const res = await app.inject({ url: jobUrl('664619d870c247237f4b86a6', 'test', FIXTURE_JOB), headers: accept });
    assert.equal(res.statusCode, 404);
    assert.equal(res.body, '{"detail":"No cluster named test exists in group 664619d870c247237f4b86a6.","error":404,"errorCode":"CLUSTER_NOT_FOUND","parameters":["test","664619d870c247237f4b86a6"],"reason":"Not Found"}');
    assert.equal(res.headers['content-length'], '190');
    assertMatchesSpec(res);
  });

  test('success bodies are compact with keys in alphabetical order, second-precision dates, and rate-limit headers', async (t) => {
    const app = await build(t);
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, GENERATED_JOB), headers: accept });
    assert.equal(res.statusCode, 200);
    assert.ok(!res.body.includes('\n') && !res.body.includes(': '), 'compact');
    const job = assertMatchesSpec(res);
    assertKeysSortedDeep(job);
    for (const field of ['timestamp', 'finishedAt', 'expiresAt'] as const) {
      if (job[field] !== undefined) assert.match(job[field], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
    assert.equal(res.headers['ratelimit-limit'], '1200');
    assert.equal(res.headers['ratelimit-remaining'], '1199');
    const again = await app.inject({ url: jobUrl(GROUP, CLUSTER, GENERATED_JOB), headers: accept });
    assertMatchesSpec(again);
    assert.equal(again.headers['ratelimit-remaining'], '1198', 'counts down per caller');
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubdomains;');
  });

  test('links point at the mock itself, honouring the Host header', async (t) => {
    const app = await build(t);
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers: { ...accept, host: 'mock.example:9999' } });
    const job = assertMatchesSpec(res);
    const base = `http://mock.example:9999/api/atlas/v2/groups/${GROUP}`;
    assert.deepEqual(job.links, [
      { href: `${base}/clusters/${CLUSTER}/backup/restoreJobs/${FIXTURE_JOB}`, rel: 'self' },
      { href: `${base}/clusters/${CLUSTER}/backup/snapshots/${job.snapshotId}`, rel: 'https://cloud.mongodb.com/snapshot' },
      { href: `${base}/clusters/${CLUSTER}`, rel: 'https://cloud.mongodb.com/cluster' },
      { href: base, rel: 'https://cloud.mongodb.com/group' },
    ]);
  });

  test('one fixture asked for on two hosts in turn: each reply carries its own host', async (t) => {
    // A fixture's body is kept with the base URL it was rendered on (job-catalog.ts); a new host must not get it.
    const app = await build(t);
    for (const host of ['one.example:1', 'two.example:2', 'one.example:1', 'two.example:2']) {
      const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers: { ...accept, host } });
      const job = assertMatchesSpec(res);
      assert.ok(job.links.every((link: { href: string }) => link.href.startsWith(`http://${host}/`)), `${host}: ${JSON.stringify(job.links)}`);
    }
  });

  test('a cached generated job vouches for its own address only: the same job id elsewhere is checked and built anew', async (t) => {
    // Cached ids skip the path patterns (job-catalog.ts checkedBefore); the cache is keyed by job id alone.
    const app = await build(t);
    const jobId = '6a8d000000000000000000aa';
    const otherGroup = '6a8d000000000000000000bb';
    for (let i = 0; i < 3; i++) assertMatchesSpec(await app.inject({ url: jobUrl(GROUP, CLUSTER, jobId), headers: accept }));
    const elsewhere = await app.inject({ url: jobUrl(otherGroup, 'Other-1', jobId), headers: accept });
    const job = assertMatchesSpec(elsewhere);
    assert.ok(job.links.every((link: { href: string }) => link.href.includes(`/groups/${otherGroup}`)), JSON.stringify(job.links));
    for (const [url, errorCode] of [
      [jobUrl('NOT-A-GROUP', CLUSTER, jobId), 'INVALID_GROUP_ID'],
      [jobUrl(GROUP, '-bad', jobId), 'INVALID_CLUSTER_NAME'],
    ] as const) {
      const res = await app.inject({ url, headers: accept });
      assert.equal(res.statusCode, 400, url);
      assert.equal(assertMatchesSpec(res).errorCode, errorCode);
    }
  });
});

describe('pretty', () => {
  test('pretty=true prints in Jackson layout with no trailing newline', async (t) => {
    const app = await build(t);
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB, '?pretty=TRUE'), headers: accept });
    const job = assertMatchesSpec(res);
    assert.ok(res.body.startsWith('{\n  "cancelled" : false,\n  "deliveryType" : "automated",\n  "deliveryUrl" : [ ],\n'), res.body.slice(0, 120));
    assert.ok(res.body.includes('"links" : [ {\n    "href" : '), 'object arrays open inline');
    assert.ok(res.body.includes('\n  }, {\n    "href"'), 'and continue inline');
    assert.ok(res.body.endsWith('\n}'));
    const compact = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers: accept });
    assert.deepEqual(job, JSON.parse(compact.body), 'same content as compact');
  });

  test('pretty=false is compact; pretty applies to errors too', async (t) => {
    const app = await build(t);
    const plain = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB, '?pretty=false'), headers: accept });
    assertMatchesSpec(plain);
    assert.ok(!plain.body.includes('\n'));
    const error = await app.inject({ url: jobUrl('xyz', CLUSTER, FIXTURE_JOB, '?pretty=true'), headers: accept });
    assertMatchesSpec(error);
    assert.ok(error.body.startsWith('{\n  "badRequestDetail" : {\n    "fields" : [ {\n'), error.body);
  });
});

describe('envelope', () => {
  test('a job is wrapped as {content, status} with 200', async (t) => {
    const app = await build(t);
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB, '?envelope=true'), headers: accept });
    assert.equal(res.statusCode, 200);
    const plain = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers: accept });
    assertMatchesSpec(plain);
    assert.equal(res.body, `{"content":${plain.body},"status":200}`);
    assertMatchesSpec(res);
  });

  test('an error travels as 200 with its real status inside, pretty too', async (t) => {
    const app = await build(t, { generate: false });
    const res = await app.inject({ url: jobUrl(GROUP, 'NoSuchCluster', FIXTURE_JOB, '?envelope=true&pretty=true'), headers: accept });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-error-code'], 'CLUSTER_NOT_FOUND');
    const error = assertMatchesSpec(res);
    assert.equal(error.errorCode, 'CLUSTER_NOT_FOUND');
    assert.ok(res.body.endsWith('\n  },\n  "status" : 404\n}'), res.body);
  });

  test('a 500 scenario is enveloped', async (t) => {
    const app = await build(t, { scenario: '500' });
    const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB, '?envelope=true'), headers: accept });
    assert.equal(res.body, '{"content":{"detail":"Unexpected error.","error":500,"errorCode":"UNEXPECTED_ERROR","parameters":[],"reason":"Internal Server Error"},"status":500}');
    assertMatchesSpec(res);
  });

  for (const query of ['?envelope=maybe', '?pretty=1', '?envelope=', '?pretty=yes&envelope=true']) {
    test(`${query} is refused with 400 INVALID_QUERY_PARAMETER`, async (t) => {
      const app = await build(t);
      const res = await app.inject({ url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB, query), headers: accept });
      const error = assertAtlasError(res, { status: 400 });
      assert.equal(error.errorCode, 'INVALID_QUERY_PARAMETER');
      assert.equal(error.badRequestDetail.fields[0].field, query.slice(1).split('=')[0]);
    });
  }
});

describe('malformed path parameters', () => {
  const cases = [
    ['groupId', jobUrl('32B6E34B3D91647ABB20E7B8', CLUSTER, FIXTURE_JOB), 'INVALID_GROUP_ID', '32B6E34B3D91647ABB20E7B8', 'An invalid group ID 32B6E34B3D91647ABB20E7B8 was specified.'],
    ['clusterName', jobUrl(GROUP, '-bad', FIXTURE_JOB), 'INVALID_CLUSTER_NAME', '-bad', 'An invalid cluster name -bad was specified.'],
    ['restoreJobId', jobUrl(GROUP, CLUSTER, '123'), 'INVALID_JOB_ID', '123', 'An invalid restore job ID 123 was specified.'],
  ] as const;
  for (const [field, url, code, value, detail] of cases) {
    test(`a malformed ${field} gets 400 ${code} naming it`, async (t) => {
      const app = await build(t);
      const res = await app.inject({ url, headers: accept });
      const error = assertAtlasError(res, { status: 400 });
      assert.equal(error.errorCode, code);
      assert.equal(error.detail, detail);
      assert.deepEqual(error.parameters, [value]);
      assert.equal(error.badRequestDetail.fields[0].field, field);
    });
  }

  test('the version check comes before parameter validation', async (t) => {
    const app = await build(t);
    const res = await app.inject({ url: jobUrl('nothex', CLUSTER, FIXTURE_JOB) });
    assert.equal(res.statusCode, 406);
    assertMatchesSpec(res);
  });
});

describe('not found and unknown routes', () => {
  test('with generation off: group, then cluster, then job', async (t) => {
    const app = await build(t, { generate: false });
    const group = await app.inject({ url: jobUrl('aaaaaaaaaaaaaaaaaaaaaaaa', 'x', FIXTURE_JOB), headers: accept });
    assert.equal(assertMatchesSpec(group).errorCode, 'GROUP_NOT_FOUND');
    const cluster = await app.inject({ url: jobUrl(GROUP, 'x', FIXTURE_JOB), headers: accept });
    assert.deepEqual(assertMatchesSpec(cluster).parameters, ['x', GROUP]);
    const job = await app.inject({ url: jobUrl(GROUP, CLUSTER, 'bbbbbbbbbbbbbbbbbbbbbbbb'), headers: accept });
    const error = assertMatchesSpec(job);
    assert.equal(error.detail, 'No restore job with ID bbbbbbbbbbbbbbbbbbbbbbbb exists for cluster Cluster0.');
    assert.deepEqual(error.parameters, ['bbbbbbbbbbbbbbbbbbbbbbbb', CLUSTER]);
  });

  for (const url of ['/api/atlas/v2/groups', '/api/atlas/v2/groups/x/clusters/y/backup/snapshots', '/nope?pretty=true', `${jobUrl(GROUP, CLUSTER, FIXTURE_JOB)}/`]) {
    test(`unknown route ${url} answers RESOURCE_NOT_FOUND`, async (t) => {
      const app = await build(t);
      const res = await app.inject({ url, headers: accept });
      const error = assertAtlasError(res, { status: 404 });
      assert.equal(error.errorCode, 'RESOURCE_NOT_FOUND');
      assert.equal(error.detail, `Cannot find resource ${url.split('?')[0]}.`);
    });
  }
});

describe('flex route', () => {
  const flexUrl = (g: string, c: string) => `/api/atlas/v2/groups/${g}/flexClusters/${c}/backup/restoreJobs/${FIXTURE_JOB}`;

  test('a dedicated cluster asked through the flex API gets the 400 the Atlas CLI falls back on', async (t) => {
    const app = await build(t, { scenario: '500' });
    const res = await app.inject({ url: flexUrl(GROUP, CLUSTER), headers: accept });
    assert.equal(res.statusCode, 400);
    assert.equal(res.body, '{"detail":"Cannot use non-flex cluster Cluster0 in the flex API.","error":400,"errorCode":"CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API","parameters":["Cluster0"],"reason":"Bad Request"}');
    assertMatchesSpec(res);
  });

  test('an unknown cluster on the flex route is CLUSTER_NOT_FOUND with generation off', async (t) => {
    const app = await build(t, { generate: false });
    const res = await app.inject({ url: flexUrl(GROUP, 'Nope'), headers: accept });
    assert.equal(assertMatchesSpec(res).errorCode, 'CLUSTER_NOT_FOUND');
  });
});

describe('health and the OpenAPI document', () => {
  test('GET /health answers 200 without any Accept header', async (t) => {
    const app = await build(t);
    const res = await app.inject({ url: '/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(JSON.parse(res.body), { status: 'ok' });
  });

  test('GET /openapi.json serves the generated spec extract plus the mock routes', async (t) => {
    const app = await build(t);
    const res = await app.inject({ url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = JSON.parse(res.body);
    assert.equal(doc.openapi, '3.0.1');
    const op = doc.paths['/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs/{restoreJobId}'].get;
    assert.equal(op.operationId, 'getGroupClusterBackupRestoreJob');
    assert.ok(op.responses['200'].content['application/vnd.atlas.2023-01-01+json']);
    assert.ok(doc.paths['/health'] && doc.paths['/api/atlas/v2/groups/{groupId}/flexClusters/{clusterName}/backup/restoreJobs/{restoreJobId}']);
    assert.equal(doc.components.schemas.DiskBackupSnapshotRestoreJob.properties.id.pattern, '^([a-f0-9]{24})$');
    for (const path of ['/__mock/fixtures', '/__mock/fixtures/{groupId}/{clusterName}/{restoreJobId}', '/__mock/scenarios', '/__mock/requests', '/__mock/clock', '/__mock/reset']) {
      assert.ok(doc.paths[path], `the control API documents ${path}`);
    }
  });
});
