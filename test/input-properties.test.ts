/**
 * Property tests of everything a client controls on the job route: the three path segments, the query
 * string, the Accept and Prefer headers, and the method. Every reply is held to the official schema
 * (assertMatchesSpec) and to the Atlas error shape; the expected status is computed from how
 * each input was generated, not from the server's own parsing, wherever that is possible.
 *
 * All runs are seeded; a failure prints its seed and counterexample, and re-running reproduces it.
 */
import assert from 'node:assert/strict';
import { METHODS } from 'node:http';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { ATLAS_ERRORS, DEFAULT_ERROR_FOR_STATUS } from '../server/http/atlas-errors.js';
import { CLUSTER, GROUP, SUCCESS_TYPE, VERSIONED, assertAtlasError, assertMatchesSpec, build, jobUrl } from './helper.js';

const SEED = 0x5eed_2026;
const HEX24 = /^([a-f0-9]{24})$/;
const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/;
const FIXTURE_JOB = '6a7ddc837c2e91d04b368d39'; // Cluster0, automated, finished
const OTHER_GROUP = '67c6d56bc41e7a0b934b81d2';
/** the longest segment the general generators make; longer ones have their own test */
const MAX_PARAM_LENGTH = 2048;

type Param = 'groupId' | 'clusterName' | 'restoreJobId';
const PARAMS: readonly Param[] = ['groupId', 'clusterName', 'restoreJobId'];
const INVALID_CODE: Record<Param, string> = { groupId: 'INVALID_GROUP_ID', clusterName: 'INVALID_CLUSTER_NAME', restoreJobId: 'INVALID_JOB_ID' };
const PATTERN: Record<Param, RegExp> = { groupId: HEX24, clusterName: CLUSTER_NAME, restoreJobId: HEX24 };

// ---------------------------------------------------------------------------------------------------
// Checking replies

function describeRequest(options: InjectOptions): string {
  const text = JSON.stringify({ method: options.method ?? 'GET', url: options.url, headers: options.headers });
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

function isEnvelope(parsed: unknown): parsed is { content: unknown; status: number } {
  return parsed !== null && typeof parsed === 'object' && 'content' in parsed && 'status' in parsed;
}

/** The status a reply reports: the HTTP status, or the `status` inside an envelope. */
function statusOf(res: LightMyRequestResponse): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return res.statusCode;
  }
  return isEnvelope(parsed) ? parsed.status : res.statusCode;
}

/**
 * A reply of the job route: a 200 job (returned) or an Atlas error whose status is one of `statuses`
 * (returned too, after the shared error contract, assertAtlasError), enveloped or not.
 */
// The entity's shape depends on the status; callers narrow it with assertions.
function assertAtlasReply(res: LightMyRequestResponse, statuses: readonly number[], what: string): any {
  const status = statusOf(res);
  if (status === 200) {
    assert.equal(res.headers['content-type'], SUCCESS_TYPE, what);
    return assertMatchesSpec(res);
  }
  assert.ok(statuses.includes(status), `${what}: status ${status} is not one of ${statuses.join('/')}: ${res.body.slice(0, 300)}`);
  return assertAtlasError(res, { status }, what);
}

/** The 400 for one malformed path parameter. */
function assertInvalidParameter(error: any, name: Param, value: string, what: string): void {
  assert.equal(error.errorCode, INVALID_CODE[name], what);
  assert.equal(error.error, 400, what);
  assert.deepEqual(error.parameters, [value], what);
  assert.equal(error.badRequestDetail?.fields?.[0]?.field, name, what);
}

// ---------------------------------------------------------------------------------------------------
// Path segments: a value the server should see, and the raw text sent for it

interface Segment {
  /** what the route should receive after percent-decoding */
  value: string;
  /** what goes on the wire */
  raw: string;
}

/** Characters left as they are in a path segment (RFC 3986 unreserved and sub-delims, ':' and '@'). */
const SAFE_IN_SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;

function percentEncode(value: string, everything: boolean, upperHex: boolean): string {
  let out = '';
  for (const ch of value) {
    if (!everything && SAFE_IN_SEGMENT.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) {
      const hex = byte.toString(16).padStart(2, '0');
      out += `%${upperHex ? hex.toUpperCase() : hex}`;
    }
  }
  return out;
}

const hexChar = fc.constantFrom(...'0123456789abcdef');
// size 'max': without it fast-check draws lengths up to about 10 whatever maxLength says, and the
// lengths that matter here (23, 24, 25) would never come up. The test "generators reach their edges" checks.
const hexString = (min: number, max: number) => fc.string({ unit: hexChar, minLength: min, maxLength: max, size: 'max' });

/** Ids like 000000000000000000000404 select an error on purpose (scenarios.ts); keep them out of "valid". */
const WELL_KNOWN_ID = /^0{21}\d{3}$/;
const hex24 = hexString(24, 24).filter((s) => !WELL_KNOWN_ID.test(s));
const validName = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,70}$/, { size: 'max' });

/** Values aimed at the edges of the patterns and of percent-decoding; never "." or ".." (see dot segments). */
const segmentValue = fc
  .oneof(
    { weight: 4, arbitrary: hex24 },
    { weight: 1, arbitrary: fc.constantFrom(GROUP, OTHER_GROUP, FIXTURE_JOB, CLUSTER, 'ShardedCluster0', 'orders-prod') },
    { weight: 3, arbitrary: validName },
    { weight: 2, arbitrary: fc.mixedCase(hex24) }, // upper/lower case hex
    { weight: 1, arbitrary: hexString(0, 30) }, // wrong length
    { weight: 1, arbitrary: hexString(23, 23).chain((h) => fc.constantFrom('g', 'G', '-', ' ', '/', '%', '\u0000', 'é').map((c) => h + c)) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30, size: 'max' }) }, // any code point: controls, astral, NUL
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12, size: 'max' }) }, // any printable unicode
    { weight: 1, arbitrary: fc.constantFrom('', '-', '-abc', 'a_b', 'a.b', 'a b', 'a/b', '/', '%', '%2F', '?', '#', '+', '...', 'null', 'undefined', '__proto__') },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 100, max: MAX_PARAM_LENGTH }), fc.constantFrom('a', 'A1-', 'f', '0')).map(([n, unit]) => unit.repeat(n).slice(0, n)) },
  )
  .filter((v) => v !== '.' && v !== '..');

/** A value and one of its encodings: as-is where allowed, every byte encoded, upper or lower hex. */
const segment: fc.Arbitrary<Segment> = fc
  .tuple(segmentValue, fc.boolean(), fc.boolean())
  .map(([value, everything, upperHex]) => ({ value, raw: percentEncode(value, everything, upperHex) }))
  .filter((s) => s.raw.length <= MAX_PARAM_LENGTH);

const segments = fc.record({ groupId: segment, clusterName: segment, restoreJobId: segment });

function rawUrl(s: Record<Param, Segment>, suffix = ''): string {
  return jobUrl(s.groupId.raw, s.clusterName.raw, s.restoreJobId.raw, suffix);
}

function firstInvalid(values: Record<Param, string>): Param | undefined {
  return PARAMS.find((name) => !PATTERN[name].test(values[name]));
}

const valuesOf = (s: Record<Param, Segment>): Record<Param, string> => ({
  groupId: s.groupId.value,
  clusterName: s.clusterName.value,
  restoreJobId: s.restoreJobId.value,
});

describe('path segments', () => {
  test('any well-encoded segments: a 200 job for the ids asked, or the 400 naming the first bad parameter', async (t) => {
    const app = await build(t);
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(segments, async (s) => {
        const options: InjectOptions = { url: rawUrl(s), headers: { accept: VERSIONED } };
        const what = describeRequest(options);
        const res = await app.inject(options);
        const entity = assertAtlasReply(res, [400], what);
        const values = valuesOf(s);
        const bad = firstInvalid(values);
        if (bad === undefined) {
          assert.equal(res.statusCode, 200, `${what}: all three ids match the spec's patterns`);
          assert.equal(entity.id, values.restoreJobId, what);
          assert.equal(entity.links[0].rel, 'self');
        } else {
          assert.equal(res.statusCode, 400, what);
          assertInvalidParameter(entity, bad, values[bad], what);
        }
        const outcome = bad === undefined ? '200' : INVALID_CODE[bad];
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }),
      { seed: SEED, numRuns: 1500, includeErrorInReport: true },
    );
    for (const outcome of ['200', ...Object.values(INVALID_CODE)]) {
      assert.ok((outcomes.get(outcome) ?? 0) >= 20, `outcome ${outcome} was exercised: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    }
  });

  test('dot segments and trailing slashes: always an Atlas reply; a 200 only for ids that were asked and are valid', async (t) => {
    const app = await build(t);
    const dot = fc.constantFrom('.', '..', '%2e', '%2E', '%2e%2E', '.%2e', '%2E.');
    const maybeDot = fc.oneof(
      { weight: 3, arbitrary: segment.map((s) => ({ ...s, dot: false })) },
      { weight: 1, arbitrary: dot.map((raw) => ({ raw, value: raw, dot: true })) },
    );
    const suffix = fc.constantFrom('', '/', '//', '/.', '/..', '/x/..', '/%2e%2e', '/./', '/../..');
    await fc.assert(
      fc.asyncProperty(maybeDot, maybeDot, maybeDot, suffix, async (g, c, j, tail) => {
        const url = jobUrl(g.raw, c.raw, j.raw) + tail;
        const options: InjectOptions = { url, headers: { accept: VERSIONED } };
        const what = describeRequest(options);
        const res = await app.inject(options);
        const entity = assertAtlasReply(res, [400, 404, 406], what);
        if (res.statusCode === 200) {
          // Whatever the normalisation did, the job answered must be one of the ids sent, and valid.
          assert.match(entity.id, HEX24, what);
          assert.ok([g, c, j].some((s) => s.value === entity.id), `${what}: answered job ${entity.id}, which was not asked for`);
        }
        const plain = !g.dot && !c.dot && !j.dot;
        if (plain && (tail === '/' || tail === '//')) {
          // A trailing slash names no route.
          assert.equal(res.statusCode, 404, what);
          assert.equal(entity.errorCode, 'RESOURCE_NOT_FOUND', what);
        }
        if (plain && tail === '') {
          const bad = firstInvalid({ groupId: g.value, clusterName: c.value, restoreJobId: j.value });
          assert.equal(res.statusCode, bad === undefined ? 200 : 400, what);
        }
      }),
      { seed: SEED + 1, numRuns: 800, includeErrorInReport: true },
    );
  });

  test(
    'invalid percent-encoding (%zz, a lone %, bad UTF-8) in any segment answers an Atlas 400, not Fastify\'s body',
    async (t) => {
      const app = await build(t);
      const broken = fc.constantFrom('%zz', '%', '%2', '%G0', '%%', '%C0', '%FF', '%E2%82', '%ED%A0%80', '%C0%AF', '%c3%28');
      const where = fc.constantFrom<Param>('groupId', 'clusterName', 'restoreJobId');
      await fc.assert(
        fc.asyncProperty(segments, where, broken, fc.nat(30), async (s, name, bad, at) => {
          const raw = s[name].raw;
          const cut = Math.min(at, raw.length);
          const broke = { ...s, [name]: { value: '', raw: raw.slice(0, cut) + bad + raw.slice(cut) } };
          const options: InjectOptions = { url: rawUrl(broke), headers: { accept: VERSIONED } };
          const res = await app.inject(options);
          assertAtlasReply(res, [400, 404], describeRequest(options));
        }),
        { seed: SEED + 2, numRuns: 100, endOnFailure: true, includeErrorInReport: true },
      );
    },
  );

  test(
    'segments of several KB reach validation: a 400 naming the parameter, never a 414 default body',
    async (t) => {
      const app = await build(t);
      const long = fc.tuple(fc.integer({ min: MAX_PARAM_LENGTH + 1, max: 6 * 1024 }), fc.constantFrom('a', 'F', '0', 'é'));
      const where = fc.constantFrom<Param>('groupId', 'clusterName', 'restoreJobId');
      await fc.assert(
        fc.asyncProperty(long, where, async ([length, unit], name) => {
          const value = unit.repeat(length);
          const s: Record<Param, Segment> = {
            groupId: { value: GROUP, raw: GROUP },
            clusterName: { value: CLUSTER, raw: CLUSTER },
            restoreJobId: { value: FIXTURE_JOB, raw: FIXTURE_JOB },
            [name]: { value, raw: percentEncode(value, false, true) },
          };
          const options: InjectOptions = { url: rawUrl(s), headers: { accept: VERSIONED } };
          const what = describeRequest(options);
          const res = await app.inject(options);
          // The spec sets no maximum length (it dropped maxLength in 2025), so a long name of valid
          // characters is a valid cluster name.
          if (PATTERN[name].test(value)) {
            assert.equal(res.statusCode, 200, what);
            assertMatchesSpec(res);
          } else {
            assertInvalidParameter(assertAtlasReply(res, [400], what), name, value, what);
          }
        }),
        { seed: SEED + 3, numRuns: 30, endOnFailure: true, includeErrorInReport: true },
      );
    },
  );
});

// ---------------------------------------------------------------------------------------------------
// The edges of every pattern: one below, at and one above each limit, and the bytes that matter,
// every combination once (not left to chance), each with seeded random content.

/** Draws `count` values of an arbitrary, seeded: the same values on every run. */
const draw = <T>(arbitrary: fc.Arbitrary<T>, seed: number, count: number): T[] => fc.sample(arbitrary, { seed, numRuns: count });

const ENCODINGS = ['as-is', 'every byte, lower-case hex', 'every byte, upper-case hex'] as const;
function encodeAs(value: string, encoding: (typeof ENCODINGS)[number]): string {
  return encoding === 'as-is' ? percentEncode(value, false, false) : percentEncode(value, true, encoding.endsWith('upper-case hex'));
}

/** One character put in place of another; the kind of flaw decides whether the value stays valid. */
const ID_FLAWS = {
  none: '',
  'upper-case hex digit': 'A',
  'a letter past f': 'g',
  'non-ASCII letter': 'é',
  'non-ASCII digit': '\u0663', // ARABIC-INDIC DIGIT THREE: a digit to \d in some engines, never to [0-9]
  'full-width digit': '\uff11',
  space: ' ',
} as const;
const ID_LENGTHS = [0, 1, 22, 23, 24, 25, 26, 48] as const;

function flawed(base: string, flaw: string, at: number): string {
  if (flaw === '' || base.length === 0) return base;
  const i = at % base.length;
  return base.slice(0, i) + flaw + base.slice(i + 1);
}

describe('the edges of every pattern', () => {
  test('generators reach their edges: hex strings of 0-30 and names of 1-71 characters draw every length, 23-25 included', () => {
    const lengths = (values: string[]) => new Set(values.map((v) => v.length));
    const hex = lengths(draw(hexString(0, 30), SEED + 60, 3000));
    for (let n = 0; n <= 30; n++) assert.ok(hex.has(n), `hexString(0, 30) drew length ${n}`);
    const names = lengths(draw(validName, SEED + 61, 5000));
    for (const n of [1, 2, 23, 24, 25, 63, 64, 65, 70, 71]) assert.ok(names.has(n), `validName drew length ${n}`);
    const segmentLengths = lengths(draw(segment.map((x) => x.value), SEED + 62, 5000));
    for (const n of [0, 1, 23, 24, 25, 30]) assert.ok(segmentLengths.has(n), `segment drew length ${n}`);
  });

  for (const name of ['groupId', 'restoreJobId'] as const) {
    test(`${name}: only 24 lower-case hex digits pass; 0, 1, 22, 23, 25, 26, 48 digits, upper case, other letters, non-ASCII and spaces are 400 ${INVALID_CODE[name]}, however encoded`, async (t) => {
      const app = await build(t);
      const contents = draw(fc.tuple(hexString(48, 48), fc.nat(47)), SEED + (name === 'groupId' ? 63 : 64), 3);
      let cases = 0;
      for (const length of ID_LENGTHS) {
        for (const [flawName, flaw] of Object.entries(ID_FLAWS)) {
          for (const encoding of ENCODINGS) {
            for (const [digits, at] of contents) {
              const value = flawed(digits.slice(0, length), flaw, at);
              if (WELL_KNOWN_ID.test(value)) continue;
              const valid = length === 24 && flaw === '';
              const ids = { groupId: GROUP, clusterName: 'edge-cluster', restoreJobId: '6a794733c0eb9e7a17740663', [name]: value };
              const url = jobUrl(...(PARAMS.map((p) => encodeAs(ids[p], p === name ? encoding : 'as-is')) as [string, string, string]));
              const options: InjectOptions = { url, headers: { accept: VERSIONED } };
              const what = `${name} of ${length} digits, ${flawName}, ${encoding}: ${describeRequest(options)}`;
              const res = await app.inject(options);
              cases++;
              if (valid) {
                assert.equal(res.statusCode, 200, what);
                const job = assertMatchesSpec(res);
                assert.equal(job.id, ids.restoreJobId, what);
                assert.ok(job.links[0].href.includes(`/groups/${ids.groupId}/`), what);
              } else {
                assertInvalidParameter(assertAtlasError(res, { status: 400, errorCode: INVALID_CODE[name], enveloped: false }, what), name, value, what);
              }
            }
          }
        }
      }
      assert.ok(cases > 400, `${cases} cases`);
    });
  }

  test('clusterName: 1, 2, 63, 64, 65 and 300 characters of letters, digits and dashes (any case, dash last) pass; empty, a leading dash, "_", ".", space and non-ASCII are 400 INVALID_CLUSTER_NAME, however encoded', async (t) => {
    const app = await build(t);
    // The spec sets no length limit for clusterName (it dropped maxLength 64 in 2025), so long names are valid.
    const FLAWS: Record<string, { char: string; at: 'first' | 'last' | 'any'; valid: boolean }> = {
      none: { char: '', at: 'any', valid: true },
      'upper case': { char: 'Q', at: 'any', valid: true },
      'dash last': { char: '-', at: 'last', valid: true },
      'dash first': { char: '-', at: 'first', valid: false },
      underscore: { char: '_', at: 'any', valid: false },
      dot: { char: '.', at: 'any', valid: false },
      space: { char: ' ', at: 'any', valid: false },
      'non-ASCII letter': { char: 'ü', at: 'any', valid: false },
      'full-width letter': { char: '\uff21', at: 'any', valid: false },
      'non-ASCII digit': { char: '\u0663', at: 'any', valid: false },
    };
    const body = fc.stringMatching(/^[a-z0-9][a-z0-9-]{299}$/);
    const contents = draw(fc.tuple(body, fc.nat(299)), SEED + 65, 2);
    let cases = 0;
    for (const length of [0, 1, 2, 63, 64, 65, 300]) {
      for (const [flawName, flaw] of Object.entries(FLAWS)) {
        for (const encoding of ENCODINGS) {
          for (const [text, at] of contents) {
            const base = text.slice(0, length);
            const position = flaw.at === 'first' ? 0 : flaw.at === 'last' ? length - 1 : at;
            const value = length === 0 ? '' : flawed(base, flaw.char, position);
            // A lone "." is a dot segment, which names another path (its own test above).
            if (value === '.') continue;
            // One dash alone is a leading dash.
            const valid = length > 0 && flaw.valid && !(length === 1 && flaw.char === '-');
            assert.equal(CLUSTER_NAME.test(value), valid, `the case ${JSON.stringify(value)} is what it claims`);
            const url = jobUrl(GROUP, encodeAs(value, encoding), '6a794733c0eb9e7a17740663');
            const options: InjectOptions = { url, headers: { accept: VERSIONED } };
            const what = `clusterName of ${length}, ${flawName}, ${encoding}: ${describeRequest(options)}`;
            const res = await app.inject(options);
            cases++;
            if (valid) {
              assert.equal(res.statusCode, 200, what);
              assert.ok(assertMatchesSpec(res).links[0].href.includes(`/clusters/${value}/`), what);
            } else {
              assertInvalidParameter(assertAtlasError(res, { status: 400, errorCode: 'INVALID_CLUSTER_NAME', enveloped: false }, what), 'clusterName', value, what);
            }
          }
        }
      }
    }
    assert.ok(cases > 300, `${cases} cases`);
  });

  test('envelope and pretty: true/false in any case or percent-encoded take effect; empty, near misses, non-ASCII and NUL are 400 INVALID_QUERY_PARAMETER naming the first bad one; replies and errors alike', async (t) => {
    const app = await build(t);
    // [as written in the query, what it decodes to]
    const VALUES: ReadonlyArray<readonly [string, string]> = [
      ['true', 'true'], ['TRUE', 'TRUE'], ['tRuE', 'tRuE'], ['false', 'false'], ['FALSE', 'FALSE'], ['False', 'False'],
      ['%74rue', 'true'], ['%54%52%55%45', 'TRUE'], ['fals%65', 'false'],
      ['', ''], ['tru', 'tru'], ['truee', 'truee'], ['t', 't'], ['1', '1'], ['0', '0'], ['yes', 'yes'],
      ['%20true', ' true'], ['true%20', 'true '], ['true%00', 'true\u0000'], ['tr%C3%BCe', 'trüe'], ['%EF%BD%94rue', '\uff54rue'], ['true,false', 'true,false'],
    ];
    const KEYS: ReadonlyArray<readonly [string, 'envelope' | 'pretty' | undefined]> = [
      ['envelope', 'envelope'], ['%65nvelope', 'envelope'], ['pretty', 'pretty'], ['%70retty', 'pretty'], ['ENVELOPE', undefined], ['Pretty', undefined],
    ];
    const jobs = ['6a794733c0eb9e7a17740663', '000000000000000000000404'];
    let cases = 0;
    for (const [rawKey, key] of KEYS) {
      for (const [rawValue, value] of VALUES) {
        for (const [second, secondRaw] of [[undefined, ''], ['true', 'true'], ['nope', 'nope']] as const) {
          const other = key === 'pretty' ? 'envelope' : 'pretty';
          for (const restoreJobId of jobs) {
            const query = `?${rawKey}=${rawValue}${second === undefined ? '' : `&${other}=${secondRaw}`}`;
            const options: InjectOptions = { url: jobUrl(GROUP, CLUSTER, restoreJobId, query), headers: { accept: VERSIONED } };
            const what = describeRequest(options);
            const res = await app.inject(options);
            cases++;
            const given = new Map<string, string>();
            if (key !== undefined) given.set(key, value);
            if (second !== undefined) given.set(other, second);
            const bad = (['envelope', 'pretty'] as const).find((k) => given.has(k) && !BOOLEAN.test(given.get(k) as string));
            if (bad !== undefined) {
              const error = assertAtlasError(res, { status: 400, errorCode: 'INVALID_QUERY_PARAMETER', enveloped: false }, what);
              assert.deepEqual(error.parameters, [bad], what);
              assert.ok(error.badRequestDetail.fields[0].description.includes(JSON.stringify(given.get(bad))), `${what}: the description quotes the value as decoded`);
              continue;
            }
            const envelope = given.get('envelope')?.toLowerCase() === 'true';
            const pretty = given.get('pretty')?.toLowerCase() === 'true';
            if (restoreJobId.startsWith('0000')) assertAtlasError(res, { status: 404, errorCode: 'RESTORE_JOB_NOT_FOUND', enveloped: envelope }, what);
            else assert.equal(assertMatchesSpec(res).id, restoreJobId, what);
            assert.equal(isEnvelope(JSON.parse(res.body)), envelope, `${what}: enveloped ${envelope}`);
            assert.equal(res.body.includes('\n'), pretty, `${what}: pretty ${pretty}`);
          }
        }
      }
    }
    assert.ok(cases > 700, `${cases} cases`);
  });
});

// ---------------------------------------------------------------------------------------------------
// The order of checks: version before parameters, parameters in order

const badValue: Record<Param, fc.Arbitrary<string>> = {
  groupId: segmentValue.filter((v) => !HEX24.test(v)),
  clusterName: segmentValue.filter((v) => !CLUSTER_NAME.test(v)),
  restoreJobId: segmentValue.filter((v) => !HEX24.test(v)),
};
const goodValue: Record<Param, fc.Arbitrary<string>> = { groupId: hex24, clusterName: validName, restoreJobId: hex24 };

/** Accept values Atlas refuses; `undefined` sends no Accept at all. */
const badAccept = fc.constantFrom(
  undefined,
  '',
  '*/*',
  'application/json',
  'text/html',
  'application/vnd.atlas.2022-12-31+json',
  'application/vnd.atlas.2023-02-29+json',
  'application/vnd.atlas.2023-1-01+json',
  'application/vnd.atlas.2023-01-01+json;q=0',
  'application/vnd.atlas.preview+json',
  'application/vnd.atlas.2023-01-01+gzip',
  'application/vnd.atlas.2023-13-01+json',
);

/** Three values where the params in `badSet` are malformed and the others are well-formed. */
function idsWithBad(badSet: readonly Param[]): fc.Arbitrary<Record<Param, string>> {
  return fc.record({
    groupId: badSet.includes('groupId') ? badValue.groupId : goodValue.groupId,
    clusterName: badSet.includes('clusterName') ? badValue.clusterName : goodValue.clusterName,
    restoreJobId: badSet.includes('restoreJobId') ? badValue.restoreJobId : goodValue.restoreJobId,
  });
}

const someBadParams = fc.subarray([...PARAMS], { minLength: 1 });
const idsWithSomeBad = someBadParams.chain((badSet) => idsWithBad(badSet).map((ids) => ({ badSet, ids })));

const urlFor = (ids: Record<Param, string>, upperHex = false) =>
  jobUrl(percentEncode(ids.groupId, false, upperHex), percentEncode(ids.clusterName, false, upperHex), percentEncode(ids.restoreJobId, false, upperHex));

describe('order of checks', () => {
  test('a bad Accept wins over any bad path parameter: 406 INVALID_VERSION_DATE', async (t) => {
    const app = await build(t);
    await fc.assert(
      fc.asyncProperty(idsWithSomeBad, badAccept, async ({ ids }, accept) => {
        const options: InjectOptions = { url: urlFor(ids), headers: accept === undefined ? {} : { accept } };
        const what = describeRequest(options);
        const res = await app.inject(options);
        assert.equal(res.statusCode, 406, what);
        const error = assertAtlasReply(res, [406], what);
        assert.equal(error.errorCode, 'INVALID_VERSION_DATE', what);
        assert.deepEqual(error.parameters, [], what);
      }),
      { seed: SEED + 10, numRuns: 500, includeErrorInReport: true },
    );
  });

  test('with a good Accept the error names the first bad parameter in the order groupId, clusterName, restoreJobId', async (t) => {
    const app = await build(t);
    const seen = new Set<Param>();
    await fc.assert(
      fc.asyncProperty(idsWithSomeBad, fc.boolean(), async ({ badSet, ids }, upperHex) => {
        const options: InjectOptions = { url: urlFor(ids, upperHex), headers: { accept: VERSIONED } };
        const what = describeRequest(options);
        const res = await app.inject(options);
        const first = PARAMS.find((p) => badSet.includes(p)) as Param;
        seen.add(first);
        assert.equal(res.statusCode, 400, what);
        assertInvalidParameter(assertAtlasReply(res, [400], what), first, ids[first], what);
      }),
      { seed: SEED + 11, numRuns: 800, includeErrorInReport: true },
    );
    assert.deepEqual([...seen].sort(), [...PARAMS].sort(), 'each parameter was the first bad one at least once');
  });
});

// ---------------------------------------------------------------------------------------------------
// Query strings

const BOOLEAN = /^(true|false)$/i;
const flagValue = fc.oneof(
  { weight: 4, arbitrary: fc.mixedCase(fc.constantFrom('true', 'false')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12, size: 'max' }) },
  { weight: 2, arbitrary: fc.constantFrom('', '1', '0', 'yes', 'no', 'on', 't', 'tru', 'truee', ' true', 'true ', 'true\u0000', 'null', '"true"', 'true,false', 'ｔｒｕｅ') },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1_000, max: 16_000 }), fc.constantFrom('t', 'true', 'é')).map(([n, unit]) => unit.repeat(n)) },
);
const unknownKey = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 10, size: 'max' }),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Envelope', 'PRETTY', 'envelope ', ' pretty', 'envelope[]', 'pretty.x', 'itemsPerPage', 'pageNum'),
  )
  .filter((k) => k !== 'envelope' && k !== 'pretty');
const queryEntry = fc.oneof(
  fc.tuple(fc.constant('envelope'), flagValue),
  fc.tuple(fc.constant('pretty'), flagValue),
  fc.tuple(unknownKey, fc.oneof(fc.string({ unit: 'binary', maxLength: 20, size: 'max' }), fc.nat(20_000).map((n) => 'x'.repeat(n)))),
);

describe('query strings', () => {
  test('envelope/pretty: true/false in any case take effect, anything else is 400 INVALID_QUERY_PARAMETER; first of a repeated key counts; unknown keys are ignored', async (t) => {
    const app = await build(t);
    const job = fc.constantFrom(FIXTURE_JOB, '6a794733c0eb9e7a17740663', '5f0000000000000000000abc');
    let enveloped = 0;
    let pretty = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(queryEntry, { maxLength: 6 }), job, async (entries, restoreJobId) => {
        const query = entries.length === 0 ? '' : `?${entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
        const options: InjectOptions = { url: jobUrl(GROUP, CLUSTER, restoreJobId, query), headers: { accept: VERSIONED } };
        const what = describeRequest(options);
        const first = new Map<string, string>();
        for (const [k, v] of entries) if (!first.has(k)) first.set(k, v);
        const bad = (['envelope', 'pretty'] as const).filter((k) => first.has(k) && !BOOLEAN.test(first.get(k) as string));

        const res = await app.inject(options);
        if (bad.length > 0) {
          refused++;
          assert.equal(res.statusCode, 400, what);
          const error = assertAtlasReply(res, [400], what);
          assert.equal(error.errorCode, 'INVALID_QUERY_PARAMETER', what);
          const field = error.badRequestDetail.fields[0].field;
          assert.ok((bad as string[]).includes(field), `${what}: names ${field}, not one of ${bad.join(', ')}`);
          assert.deepEqual(error.parameters, [field], what);
          assert.ok(error.badRequestDetail.fields[0].description.includes(JSON.stringify(first.get(field))), `${what}: the description quotes the value`);
          return;
        }
        const wantEnvelope = first.get('envelope')?.toLowerCase() === 'true';
        const wantPretty = first.get('pretty')?.toLowerCase() === 'true';
        assert.equal(res.statusCode, 200, what);
        assert.equal(res.headers['content-type'], SUCCESS_TYPE, what);
        const entity = assertMatchesSpec(res);
        assert.equal(entity.id, restoreJobId, what);
        const parsed = JSON.parse(res.body);
        assert.equal('content' in parsed && 'status' in parsed, wantEnvelope, `${what}: envelope ${wantEnvelope}`);
        if (wantPretty) {
          pretty++;
          assert.ok(res.body.startsWith('{\n  "') && res.body.includes('" : ') && !res.body.endsWith('\n'), `${what}: Jackson layout`);
        } else {
          assert.ok(!res.body.includes('\n'), `${what}: compact`);
        }
        if (wantEnvelope) enveloped++;
      }),
      { seed: SEED + 20, numRuns: 800, includeErrorInReport: true },
    );
    assert.ok(enveloped > 0 && pretty > 0 && refused > 0, `the runs covered envelope (${enveloped}), pretty (${pretty}) and refusals (${refused})`);
  });
});

// ---------------------------------------------------------------------------------------------------
// Accept

const daysInMonth = (y: number, m: number) => [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;

/** Media-type parameters, and whether each one refuses the range (q=0). */
const MEDIA_PARAMETERS = [
  ['charset=utf-8', false],
  ['q=0.5', false],
  ['q=1', false],
  ['q=0.001', false],
  ['version=2', false],
  ['q=0', true],
  ['q=0.0', true],
  [' q = 0.000 ', true],
  ['Q=0', true],
] as const;

interface AcceptRange {
  text: string;
  acceptable: boolean;
}

const versionedRange: fc.Arbitrary<AcceptRange> = fc
  .record({
    year: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 2020, max: 2030 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 99, 1970, 2099, 9999, 10000) }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    padded: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    prefix: fc.mixedCase(fc.constant('application/vnd.atlas.')),
    plus: fc.mixedCase(fc.constant('+json')),
    before: fc.constantFrom('', ' ', '  '),
    after: fc.constantFrom('', ' '),
    parameters: fc.array(fc.constantFrom(...MEDIA_PARAMETERS), { maxLength: 3 }),
  })
  .map((r) => {
    const pad = (n: number, width: number) => (r.padded ? String(n).padStart(width, '0') : String(n));
    const date = `${pad(r.year, 4)}-${pad(r.month, 2)}-${pad(r.day, 2)}`;
    const wellFormed = /^\d{4}-\d{2}-\d{2}$/.test(date);
    const real = r.month >= 1 && r.month <= 12 && r.day >= 1 && r.day <= daysInMonth(r.year, r.month);
    const refused = r.parameters.some(([, refuses]) => refuses);
    const text = `${r.before}${r.prefix}${date}${r.plus}${r.after}${r.parameters.map(([p]) => `;${p}`).join('')}`;
    return { text, acceptable: wellFormed && real && date >= '2023-01-01' && !refused };
  });

const otherRange: fc.Arbitrary<AcceptRange> = fc
  .constantFrom(
    '*/*',
    'application/*',
    'application/json',
    'text/html',
    'text/plain;q=0.9',
    '',
    'application/vnd.atlas.preview+json',
    'application/vnd.atlas.2025-03-12+gzip',
    'application/vnd.atlas.2025-03-12+csv',
    'application/vnd.atlas.2023-01-01',
    'vnd.atlas.2023-01-01+json',
    'application/vnd.atlas.2023-01-01+json+json',
    'application/vnd.atlas.2023-01-01.upcoming+json',
    'application/vnd.atlas.20230101+json',
    'application/vnd.atlas.2023/01/01+json',
    'application/vnd.atlas.2025-03-12 +json',
  )
  .map((text) => ({ text, acceptable: false }));

const acceptHeader = fc
  .tuple(fc.array(fc.oneof(versionedRange, otherRange), { minLength: 1, maxLength: 4 }), fc.constantFrom(',', ', ', ' , '))
  .map(([ranges, separator]) => ({ header: ranges.map((r) => r.text).join(separator), acceptable: ranges.some((r) => r.acceptable) }));

/** A syntactically valid versioned range with a real date on or after 2023-01-01 appears in the header. */
function offersAValidVersion(header: string): boolean {
  return header.split(',').some((range) => {
    const match = /^\s*application\/vnd\.atlas\.(\d{4})-(\d{2})-(\d{2})\+json\s*(;|$)/i.exec(range);
    if (!match) return false;
    const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
    return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) && `${match[1]}-${match[2]}-${match[3]}` >= '2023-01-01';
  });
}

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });

describe('Accept header', () => {
  test('only application/vnd.atlas.YYYY-MM-DD+json with a real date >= 2023-01-01 (in a list, with parameters, any case) is served; all else is 406', async (t) => {
    const app = await build(t);
    let served = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(acceptHeader, async ({ header, acceptable }) => {
        const options: InjectOptions = { url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers: { accept: header } };
        const what = describeRequest(options);
        const res = await app.inject(options);
        const entity = assertAtlasReply(res, [406], what);
        assert.equal(res.statusCode, acceptable ? 200 : 406, what);
        if (acceptable) {
          served++;
          assert.equal(res.headers['content-type'], SUCCESS_TYPE, `${what}: served as 2023-01-01`);
          assert.equal(entity.id, FIXTURE_JOB);
        } else {
          refused++;
          assert.equal(entity.errorCode, 'INVALID_VERSION_DATE', what);
          assert.equal(entity.detail, 'Invalid accept header or version date.', what);
        }
      }),
      { seed: SEED + 30, numRuns: 1000, includeErrorInReport: true },
    );
    assert.ok(served > 50 && refused > 50, `both outcomes were exercised (${served} served, ${refused} refused)`);
  });

  test(
    'a version date in the years 0100-0999 is before 2023-01-01: 406',
    async (t) => {
      const app = await build(t);
      const date = fc.record({ year: fc.integer({ min: 100, max: 999 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }) });
      await fc.assert(
        fc.asyncProperty(date, async ({ year, month, day }) => {
          const accept = `application/vnd.atlas.${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}+json`;
          const options: InjectOptions = { url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers: { accept } };
          const what = describeRequest(options);
          const res = await app.inject(options);
          assert.equal(res.statusCode, 406, what);
          assert.equal(assertAtlasReply(res, [406], what).errorCode, 'INVALID_VERSION_DATE');
        }),
        { seed: SEED + 32, numRuns: 30, endOnFailure: true, includeErrorInReport: true },
      );
    },
  );

  test('arbitrary Accept text: 406 unless it offers a valid versioned type', async (t) => {
    const app = await build(t);
    const header = fc.oneof(
      printable,
      fc.tuple(printable, fc.constantFrom('application/vnd.atlas.', 'vnd.atlas.', '+json', ';q=', ','), printable).map((parts) => parts.join('')),
      fc.tuple(printable, versionedRange, printable).map(([a, r, b]) => `${a}${r.text}${b}`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (accept) => {
        const options: InjectOptions = { url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers: { accept } };
        const what = describeRequest(options);
        const res = await app.inject(options);
        const entity = assertAtlasReply(res, [406], what);
        if (res.statusCode === 200) assert.ok(offersAValidVersion(accept), `${what}: served without a valid version`);
        else assert.equal(entity.errorCode, 'INVALID_VERSION_DATE', what);
        if (!/vnd\.atlas/i.test(accept)) assert.equal(res.statusCode, 406, what);
      }),
      { seed: SEED + 31, numRuns: 800, includeErrorInReport: true },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Prefer (scenarios)

const KNOWN_STATUSES = [...DEFAULT_ERROR_FOR_STATUS.keys()];
const KNOWN_CODES = new Set([...KNOWN_STATUSES.map(String), ...ATLAS_ERRORS.map((e) => e.name)]);
const byName = (name: string) => ATLAS_ERRORS.find((e) => e.name === name) as (typeof ATLAS_ERRORS)[number];

type Expected = { status: number; errorCode?: string; invalid?: string };

const codeChoice: fc.Arbitrary<{ text: string; expected: Expected } | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...KNOWN_STATUSES).map((status) => ({
      text: String(status),
      expected: { status, errorCode: byName(DEFAULT_ERROR_FOR_STATUS.get(status) as string).errorCode },
    })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...ATLAS_ERRORS).chain((e) => fc.mixedCase(fc.constant(e.name)).map((text) => ({ text, expected: { status: e.status, errorCode: e.errorCode } }))),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.stringMatching(/^[A-Za-z0-9_.-]{0,12}$/), fc.integer({ min: 0, max: 999 }).map(String), fc.constantFrom('0404', '4040', '200', '302', 'NOT_AN_ERROR', 'toString', '__proto__'))
      .filter((x) => !KNOWN_CODES.has(x.toUpperCase()))
      .map((x) => ({ text: x, expected: { status: 400, errorCode: 'INVALID_PREFER_CODE', invalid: `code=${x}` } })),
  },
);

const otherPreference = fc.oneof(
  fc.constantFrom('respond-async', 'wait=10', 'return=minimal', 'return=representation', 'handling=lenient', 'handling=strict', 'example=foo', 'dynamic=true', 'encoding="gzip"'),
  // delay= and fault= are preferences of the mock too; they have their own tests.
  fc.stringMatching(/^[a-z][a-z-]{0,10}(=[a-z0-9]{1,6})?$/).filter((p) => !/^(code|delay|fault)(=|$)/i.test(p)),
);

const preferHeader = fc
  .record({
    others: fc.array(otherPreference, { maxLength: 3 }),
    code: codeChoice,
    position: fc.nat(3),
    form: fc.constantFrom((x: string) => `code=${x}`, (x: string) => `code="${x}"`, (x: string) => ` code = ${x} `, (x: string) => `CODE=${x}`),
    separator: fc.constantFrom(',', ', ', ' ,'),
  })
  .map(({ others, code, position, form, separator }) => {
    const parts = [...others];
    if (code) parts.splice(Math.min(position, parts.length), 0, form(code.text));
    return { header: parts.join(separator), expected: code?.expected ?? { status: 200 } };
  })
  .filter(({ header }) => header.trim() !== '');

describe('Prefer header', () => {
  test('unknown preferences are ignored; code=<known status or name> answers it; code=<anything else> is 400 INVALID_PREFER_CODE', async (t) => {
    const app = await build(t);
    const job = fc.constantFrom(FIXTURE_JOB, '6a794733c0eb9e7a17740663');
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(preferHeader, job, async ({ header, expected }, restoreJobId) => {
        const options: InjectOptions = { url: jobUrl(GROUP, CLUSTER, restoreJobId), headers: { accept: VERSIONED, prefer: header } };
        const what = describeRequest(options);
        const res = await app.inject(options);
        statuses.add(res.statusCode);
        assert.equal(res.statusCode, expected.status, what);
        const entity = assertAtlasReply(res, [expected.status], what);
        if (expected.status === 200) {
          assert.equal(entity.id, restoreJobId, what);
          return;
        }
        assert.equal(entity.errorCode, expected.errorCode, what);
        if (expected.invalid !== undefined) assert.deepEqual(entity.parameters, [expected.invalid], what);
      }),
      { seed: SEED + 40, numRuns: 800, includeErrorInReport: true },
    );
    for (const status of [200, ...KNOWN_STATUSES]) assert.ok(statuses.has(status), `status ${status} was produced`);
  });

  test('arbitrary Prefer text never breaks the reply, and only a code preference changes it', async (t) => {
    const app = await build(t);
    const header = fc.oneof(
      printable,
      fc.tuple(printable, fc.constantFrom('code=', ' code = ', 'CODE=', 'code', 'xcode=404', 'code=404', 'code="'), printable).map((parts) => parts.join('')),
    );
    await fc.assert(
      fc.asyncProperty(header, async (prefer) => {
        const options: InjectOptions = { url: jobUrl(GROUP, CLUSTER, FIXTURE_JOB), headers: { accept: VERSIONED, prefer } };
        const what = describeRequest(options);
        const res = await app.inject(options);
        const entity = assertAtlasReply(res, [400, ...KNOWN_STATUSES], what);
        if (res.statusCode !== 200) assert.match(prefer, /(code|delay|fault)\s*=/i, `${what}: an error without a mock preference`);
        else assert.equal(entity.id, FIXTURE_JOB);
      }),
      { seed: SEED + 41, numRuns: 800, includeErrorInReport: true },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Methods

/** Requests whose path is the job route, however its ids look. */
const anyJobPath = fc.oneof(
  fc.constant(jobUrl(GROUP, CLUSTER, FIXTURE_JOB)),
  segments.map((s) => rawUrl(s)),
  segments.chain((s) => fc.constantFrom('?envelope=true', '?pretty=true', '?envelope=maybe').map((q) => rawUrl(s, q))),
);
const anyAccept = fc.oneof(fc.constant(VERSIONED), badAccept);

describe('methods', () => {
  // QUERY takes a body and is covered, with unparseable bodies, by the todo test below. DELETE cancels
  // a job (test/restore-workflow.test.ts) and is checked for its shape below.
  const OTHER_METHODS = METHODS.filter((m) => m !== 'GET' && m !== 'HEAD' && m !== 'QUERY' && m !== 'DELETE');

  test('DELETE on any job path answers 204 with no body or an Atlas error, with or without a body', async (t) => {
    const app = await build(t);
    await fc.assert(
      fc.asyncProperty(anyJobPath, anyAccept, fc.constantFrom<string | undefined>(undefined, '{}', 'hello'), async (url, accept, payload) => {
        const options = { method: 'DELETE', url, headers: accept === undefined ? {} : { accept }, ...(payload === undefined ? {} : { payload }) } as InjectOptions;
        const what = describeRequest(options);
        const res = await app.inject(options);
        if (res.statusCode === 204) return assert.equal(res.body, '', what);
        const parsed = JSON.parse(res.body) as { status?: number };
        if (parsed.status === 204) return;
        assertAtlasReply(res, [400, 404, 406], what);
      }),
      { seed: SEED + 51, numRuns: 300, includeErrorInReport: true },
    );
  });

  test('every method other than GET/HEAD/DELETE on the job path answers the Atlas 404 RESOURCE_NOT_FOUND, with or without a well-formed body', async (t) => {
    const app = await build(t);
    const body = fc.constantFrom<{ headers?: Record<string, string>; payload?: string }>(
      {},
      { headers: { 'content-type': 'application/json' }, payload: '{"deliveryType":"download","snapshotId":"6a79468a2c88faeba59de489"}' },
      { headers: { 'content-type': 'application/vnd.atlas.2023-01-01+json' }, payload: '{}' },
      { headers: { 'content-type': 'text/plain' }, payload: 'hello' },
      { headers: { 'content-type': 'application/xml' }, payload: '<job/>' },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OTHER_METHODS), anyJobPath, anyAccept, body, async (method, url, accept, extra) => {
        const options = {
          method,
          url,
          headers: { ...(accept === undefined ? {} : { accept }), ...(extra.headers ?? {}) },
          ...(method === 'CONNECT' || extra.payload === undefined ? {} : { payload: extra.payload }),
        } as InjectOptions;
        const what = describeRequest(options);
        const res = await app.inject(options);
        assert.equal(statusOf(res), 404, what);
        const error = assertAtlasReply(res, [404], what);
        assert.equal(error.errorCode, 'RESOURCE_NOT_FOUND', what);
        assert.equal(res.statusCode, url.includes('envelope=true') ? 200 : 404, `${what}: enveloped only when asked`);
        assert.equal(error.parameters.length, 1, what);
        assert.equal(error.detail, `Cannot find resource ${error.parameters[0]}.`, what);
        assert.ok(error.parameters[0].startsWith('/api/atlas/v2/groups/') && !error.parameters[0].includes('?'), `${what}: the path without the query`);
      }),
      { seed: SEED + 50, numRuns: 600, includeErrorInReport: true },
    );
  });

  test(
    'a body Fastify cannot parse (bad or empty JSON, no Content-Type on QUERY) still answers an Atlas 4xx, never 500',
    async (t) => {
      const app = await build(t);
      const broken = fc.constantFrom(
        { method: 'POST', headers: { 'content-type': 'application/json' }, payload: '{bad' },
        { method: 'PUT', headers: { 'content-type': 'application/json' }, payload: '' },
        { method: 'DELETE', headers: { 'content-type': 'application/json' }, payload: '' },
        { method: 'PATCH', headers: { 'content-type': 'application/json' }, payload: '[1,' },
        { method: 'QUERY', headers: {}, payload: undefined },
      );
      await fc.assert(
        fc.asyncProperty(broken, anyJobPath, async (request, url) => {
          const options = { method: request.method, url, headers: { accept: VERSIONED, ...request.headers }, ...(request.payload === undefined ? {} : { payload: request.payload }) } as InjectOptions;
          const res = await app.inject(options);
          assertAtlasReply(res, [400, 404, 405, 413, 415], describeRequest(options));
        }),
        { seed: SEED + 51, numRuns: 30, endOnFailure: true, includeErrorInReport: true },
      );
    },
  );

  test('HEAD answers the status and headers of GET, with no body', async (t) => {
    const app = await build(t);
    let address = 0;
    const nextAddress = () => {
      address++;
      return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
    };
    const query = fc.constantFrom('', '?pretty=true', '?envelope=true', '?envelope=nope');
    const prefer = fc.constantFrom(undefined, 'code=404', 'code=503', 'code=nope', 'respond-async');
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(anyJobPath, query, anyAccept, prefer, async (path, q, accept, preference) => {
        const url = path.includes('?') ? path : path + q;
        const headers: Record<string, string> = {};
        if (accept !== undefined) headers.accept = accept;
        if (preference !== undefined) headers.prefer = preference;
        // Each from a fresh caller, so that RateLimit-Remaining is the same for both.
        const get = await app.inject({ method: 'GET', url, headers, remoteAddress: nextAddress() });
        const head = await app.inject({ method: 'HEAD', url, headers, remoteAddress: nextAddress() });
        const what = describeRequest({ method: 'HEAD', url, headers });
        statuses.add(statusOf(get));
        assertAtlasReply(get, [400, 404, 406, 503], what);
        assert.equal(head.statusCode, get.statusCode, what);
        assert.equal(head.body, '', `${what}: HEAD has no body`);
        const { date: _getDate, ...getHeaders } = get.headers;
        const { date: _headDate, ...headHeaders } = head.headers;
        assert.deepEqual(headHeaders, getHeaders, what);
      }),
      { seed: SEED + 52, numRuns: 600, includeErrorInReport: true },
    );
    for (const status of [200, 400, 404, 406, 503]) assert.ok(statuses.has(status), `status ${status} was compared`);
  });
});
