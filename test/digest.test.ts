import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  DIGEST_REALM,
  NonceService,
  authenticateDigest,
  buildChallenge,
  computeDigestResponse,
  parseDigestAuthorization,
  verifyDigestResponse,
} from '../server/auth/digest.js';
import type { DigestAlgorithm, DigestCredentials } from '../server/auth/digest.js';
import { referenceParseDigestAuthorization } from './digest-parser-reference.js';

const FC = { seed: 42, numRuns: 2000 } as const;
const NONCE_RE = /^[A-Za-z0-9+/]{32}$/;

// RFC 7616 section 3.9.1
const RFC = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  nc: '00000001',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  qop: 'auth',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  md5: '8ca523f5e9506fed4657c9700eebdbec',
  sha256: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
} as const;

/** The RFC's Authorization examples, line folding replaced by a space as HTTP/1.1 requires. */
function rfcHeader(algorithm: string, response: string): string {
  return [
    'Digest username="Mufasa",',
    '       realm="http-auth@example.org",',
    '       uri="/dir/index.html",',
    `       algorithm=${algorithm},`,
    '       nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",',
    '       nc=00000001,',
    '       cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",',
    '       qop=auth,',
    `       response="${response}",`,
    '       opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  ].join(' ');
}

function makeClock(start = 1_780_000_000_000): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}

describe('computeDigestResponse (RFC 7616 section 3.9.1)', () => {
  it('remembers only the last HA1 and HA2 exactly: any change of key, realm, method, URI or algorithm hashes anew', () => {
    // HA1 and HA2 are memoised for a client signing request after request; each call here
    // differs from the one before in one input, and each must match a fresh computation.
    const base = { algorithm: 'MD5' as DigestAlgorithm, username: 'u', realm: 'r', password: 'p', method: 'GET', uri: '/a', nonce: 'n', nc: '00000001', cnonce: 'c', qop: 'auth' as const };
    const h = (algorithm: DigestAlgorithm, text: string) => createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(text).digest('hex');
    const expected = (i: typeof base) => h(i.algorithm, `${h(i.algorithm, `${i.username}:${i.realm}:${i.password}`)}:${i.nonce}:${i.nc}:${i.cnonce}:auth:${h(i.algorithm, `${i.method}:${i.uri}`)}`);
    const steps = [base, { ...base, password: 'q' }, { ...base, username: 'v', password: 'q' }, { ...base, realm: 's' }, { ...base, method: 'HEAD' }, { ...base, uri: '/b' }, { ...base, algorithm: 'SHA-256' as DigestAlgorithm }, base, base];
    for (const step of steps) assert.equal(computeDigestResponse(step), expected(step), JSON.stringify(step));
  });

  for (const [algorithm, expected] of [
    ['MD5', RFC.md5],
    ['SHA-256', RFC.sha256],
  ] as const) {
    it(`reproduces the ${algorithm} example`, () => {
      const response = computeDigestResponse({
        algorithm,
        username: RFC.username,
        realm: RFC.realm,
        password: RFC.password,
        method: RFC.method,
        uri: RFC.uri,
        nonce: RFC.nonce,
        nc: RFC.nc,
        cnonce: RFC.cnonce,
        qop: 'auth',
      });
      assert.equal(response, expected);
    });

    it(`parses and verifies the RFC's own ${algorithm} header`, () => {
      const creds = parseDigestAuthorization(rfcHeader(algorithm, expected));
      assert.deepEqual(creds, {
        username: RFC.username,
        realm: RFC.realm,
        nonce: RFC.nonce,
        uri: RFC.uri,
        response: expected,
        algorithm,
        qop: 'auth',
        nc: RFC.nc,
        cnonce: RFC.cnonce,
        opaque: RFC.opaque,
      });
      assert.ok(creds);
      assert.equal(verifyDigestResponse(creds, 'GET', RFC.password, { realm: RFC.realm, requestUri: RFC.uri }), true);
      assert.equal(verifyDigestResponse(creds, 'GET', 'Circle of life', { realm: RFC.realm }), false);
      assert.equal(verifyDigestResponse(creds, 'POST', RFC.password, { realm: RFC.realm }), false);
      assert.equal(verifyDigestResponse(creds, 'GET', RFC.password, { realm: RFC.realm, requestUri: '/dir/other' }), false);
      // Default realm is Atlas's, so the RFC's realm is refused unless asked for.
      assert.equal(verifyDigestResponse(creds, 'GET', RFC.password), false);
    });
  }

  it('uses H(HA1:nonce:HA2) without qop (RFC 2069 compatibility)', () => {
    const ha1 = '939e7578ed9e3c518a452acee763bce9'; // MD5("Mufasa:testrealm@host.com:Circle Of Life"), RFC 2617 section 3.5
    assert.equal(md5('Mufasa:testrealm@host.com:Circle Of Life'), ha1);
    assert.equal(
      computeDigestResponse({
        algorithm: 'MD5',
        username: 'Mufasa',
        realm: 'testrealm@host.com',
        password: 'Circle Of Life',
        method: 'GET',
        uri: '/dir/index.html',
        nonce: 'n',
      }),
      // recomputed independently from the definition
      md5(`${ha1}:n:${md5('GET:/dir/index.html')}`),
    );
  });

  it('rejects qop=auth without nc/cnonce', () => {
    assert.throws(
      () =>
        computeDigestResponse({ algorithm: 'MD5', username: 'u', realm: 'r', password: 'p', method: 'GET', uri: '/', nonce: 'n', qop: 'auth' }),
      TypeError,
    );
  });

  it('compares hex case-insensitively and refuses other lengths without throwing', () => {
    const creds = parseDigestAuthorization(rfcHeader('MD5', RFC.md5.toUpperCase()));
    assert.ok(creds);
    assert.equal(verifyDigestResponse(creds, 'GET', RFC.password, { realm: RFC.realm }), true);
    for (const response of [RFC.md5.slice(0, 31), `${RFC.md5}0`, RFC.sha256]) {
      const c = parseDigestAuthorization(rfcHeader('MD5', response));
      assert.ok(c);
      assert.equal(verifyDigestResponse(c, 'GET', RFC.password, { realm: RFC.realm }), false);
    }
  });
});

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

describe('buildChallenge', () => {
  it('is byte-for-byte the Atlas challenge', () => {
    assert.equal(DIGEST_REALM, 'MMS Public API');
    assert.equal(
      buildChallenge('+4YICU5YLx6mQEzmVhx1G5ySQVrufjv6', false),
      'Digest realm="MMS Public API", domain="", nonce="+4YICU5YLx6mQEzmVhx1G5ySQVrufjv6", algorithm=MD5, qop="auth", stale=false',
    );
    assert.equal(
      buildChallenge('abc', true),
      'Digest realm="MMS Public API", domain="", nonce="abc", algorithm=MD5, qop="auth", stale=true',
    );
  });

  it('satisfies the Go client parser (split on ", ", only known keys)', () => {
    const challenge = buildChallenge(new NonceService({ ttlMs: 60_000, maxTracked: 10 }).issue(), false);
    assert.ok(challenge.startsWith('Digest '));
    const allowed = new Set(['realm', 'domain', 'nonce', 'opaque', 'stale', 'algorithm', 'qop']);
    const keys = challenge
      .slice('Digest '.length)
      .split(', ')
      .map((kv) => kv.slice(0, kv.indexOf('=')));
    assert.deepEqual(keys, ['realm', 'domain', 'nonce', 'algorithm', 'qop', 'stale']);
    for (const k of keys) assert.ok(allowed.has(k), k);
  });
});

describe('NonceService.issue', () => {
  it('issues distinct 32-char base64 nonces', () => {
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 10 });
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const n = svc.issue();
      assert.match(n, NONCE_RE);
      seen.add(n);
    }
    assert.equal(seen.size, 500);
  });
});

describe('parseDigestAuthorization', () => {
  const nonce = '+4YICU5YLx6mQEzmVhx1G5ySQVrufjv6';
  const uri = '/api/atlas/v2/groups/x?pretty=true';
  const r = '0123456789abcdef0123456789abcdef';

  it('parses the Go client shape (algorithm quoted, qop/nc unquoted, opaque)', () => {
    const h = `Digest username="abcdefgh", realm="MMS Public API", nonce="${nonce}", uri="${uri}", response="${r}", algorithm="MD5", opaque="op", qop=auth, nc=00000001, cnonce="0123456789abcdef"`;
    assert.deepEqual(parseDigestAuthorization(h), {
      username: 'abcdefgh',
      realm: 'MMS Public API',
      nonce,
      uri,
      response: r,
      algorithm: 'MD5',
      opaque: 'op',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0123456789abcdef',
    });
  });

  it('parses the curl shape (algorithm unquoted and last)', () => {
    const h = `Digest username="abcdefgh", realm="MMS Public API", nonce="${nonce}", uri="${uri}", cnonce="ZmQ3YTc1", nc=00000002, qop=auth, response="${r}", algorithm=MD5`;
    const c = parseDigestAuthorization(h);
    assert.equal(c?.algorithm, 'MD5');
    assert.equal(c?.nc, '00000002');
    assert.equal(c?.cnonce, 'ZmQ3YTc1');
    assert.equal(c?.uri, uri);
    assert.equal(c?.opaque, undefined);
  });

  it('accepts quoted qop/nc, odd whitespace, case-insensitive names, escapes, SHA-256, no algorithm', () => {
    const h = `dIgEsT   NC = "00000001" ,QOP="auth",  Response=${r} ,cnonce="c\\"n",URI="${uri}",nonce="${nonce}"\t,realm="MMS Public API",algorithm="sha-256",Username="a\\\\b"`;
    const c = parseDigestAuthorization(h);
    assert.deepEqual(c, {
      username: 'a\\b',
      realm: 'MMS Public API',
      nonce,
      uri,
      response: r,
      algorithm: 'SHA-256',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'c"n',
    });
    const noAlg = parseDigestAuthorization(`Digest username="u", realm="r", nonce="n", uri="/", response="${r}"`);
    assert.equal(noAlg?.algorithm, 'MD5');
    assert.equal(noAlg?.qop, undefined);
    assert.equal(noAlg?.nc, undefined);
  });

  it('reads quoted-pairs anywhere in a value, including quotes, commas and backslashes', () => {
    const cases: [string, string][] = [
      ['"a\\",b"', 'a",b'],
      ['"\\a"', 'a'],
      ['"a\\\\"', 'a\\'],
      ['"\\"\\""', '""'],
      ['""', ''],
      ['"tab\there é 😀"', 'tab\there é 😀'],
    ];
    for (const [quoted, value] of cases) {
      assert.equal(parseDigestAuthorization(`Digest username="u", realm="r", nonce="n", uri="/", response="${r}", opaque=${quoted}`)?.opaque, value, quoted);
    }
  });

  it('ignores unknown directives (RFC 7616 section 3.4) and empty list elements', () => {
    const c = parseDigestAuthorization(`Digest ,username="u", , realm="r", nonce="n", uri="/", response="${r}", foo=bar, userhash=false,`);
    assert.equal(c?.username, 'u');
  });

  const valid = `username="u", realm="r", nonce="n", uri="/", response="${r}", qop=auth, nc=00000001, cnonce="c"`;
  const malformed: Record<string, string> = {
    'empty': '',
    'basic scheme': 'Basic dTpw',
    'scheme without space': `Digestusername="u"`,
    'scheme only': 'Digest',
    'other scheme prefix': `DigestX ${valid}`,
    'duplicate param': `Digest ${valid}, nonce="n"`,
    'duplicate param differing case': `Digest ${valid}, Username="u"`,
    'missing username': `Digest realm="r", nonce="n", uri="/", response="${r}"`,
    'missing realm': `Digest username="u", nonce="n", uri="/", response="${r}"`,
    'missing nonce': `Digest username="u", realm="r", uri="/", response="${r}"`,
    'missing uri': `Digest username="u", realm="r", nonce="n", response="${r}"`,
    'missing response': `Digest username="u", realm="r", nonce="n", uri="/"`,
    'non-hex response': `Digest username="u", realm="r", nonce="n", uri="/", response="xyz"`,
    'unterminated quote': `Digest ${valid}, opaque="abc`,
    'dangling escape': `Digest ${valid}, opaque="abc\\`,
    'missing comma': `Digest username="u" realm="r", nonce="n", uri="/", response="${r}"`,
    'missing value': `Digest ${valid}, opaque=`,
    'missing equals': `Digest ${valid}, opaque`,
    'control char in quoted': `Digest ${valid}, opaque="a\nb"`,
    'DEL in quoted': `Digest ${valid}, opaque="a\u007fb"`,
    'control char after an escape': `Digest ${valid}, opaque="a\\"b\u0001"`,
    'escaped control char': `Digest ${valid}, opaque="a\\\u0001"`,
    'escaped closing quote, then unterminated': `Digest ${valid}, opaque="abc\\"`,
    'escaped DEL': `Digest ${valid}, opaque="a\\\x7f"`,
    'unquoted value with a non-tchar': `Digest ${valid}, opaque=a@b`,
    'non-ASCII in a name': `Digest ${valid}, opaqué="o"`,
    'text after a quoted value': `Digest ${valid}, opaque="o"x`,
    'unsupported algorithm': `Digest ${valid}, algorithm=SHA-512-256`,
    'sess algorithm': `Digest ${valid}, algorithm=MD5-sess`,
    'qop auth-int': `Digest username="u", realm="r", nonce="n", uri="/", response="${r}", qop=auth-int, nc=00000001, cnonce="c"`,
    'qop uppercase': `Digest username="u", realm="r", nonce="n", uri="/", response="${r}", qop=AUTH, nc=00000001, cnonce="c"`,
    'qop without nc': `Digest username="u", realm="r", nonce="n", uri="/", response="${r}", qop=auth, cnonce="c"`,
    'qop without cnonce': `Digest username="u", realm="r", nonce="n", uri="/", response="${r}", qop=auth, nc=00000001`,
    'short nc': `Digest username="u", realm="r", nonce="n", uri="/", response="${r}", qop=auth, nc=0001, cnonce="c"`,
    'non-hex nc': `Digest username="u", realm="r", nonce="n", uri="/", response="${r}", qop=auth, nc=0000000g, cnonce="c"`,
    'nc without qop': `Digest username="u", realm="r", nonce="n", uri="/", response="${r}", nc=00000001`,
    'userhash': `Digest ${valid}, userhash=true`,
    'too long': `Digest ${valid}, opaque="${'a'.repeat(9000)}"`,
  };
  for (const [name, header] of Object.entries(malformed)) {
    it(`returns undefined for: ${name}`, () => {
      assert.equal(parseDigestAuthorization(header), undefined);
    });
  }

  it('the valid base of the malformed cases does parse', () => {
    assert.equal(parseDigestAuthorization(`Digest ${valid}`)?.username, 'u');
  });

  // The edges of quoted-string (RFC 9110 section 5.6.4): escapes anywhere, tab, obs-text and beyond, empty.
  const quoted: Record<string, [string, string]> = {
    'escaped backslash right before the closing quote': ['"a\\\\"', 'a\\'],
    'escaped quote first and last': ['"\\"a\\""', '"a"'],
    'escaped ordinary characters': ['"\\a\\b"', 'ab'],
    'escaped non-ASCII': ['"\\é\\\u{1F600}"', 'é\u{1F600}'],
    'tab, comma, equals and unicode': ['"a\tb, c=d é \u{1F600}"', 'a\tb, c=d é \u{1F600}'],
    'empty': ['""', ''],
  };
  for (const [name, [raw, expected]] of Object.entries(quoted)) {
    it(`reads a quoted-string: ${name}`, () => {
      assert.equal(parseDigestAuthorization(`Digest ${valid}, opaque=${raw}`)?.opaque, expected);
      assert.equal(parseDigestAuthorization(`Digest opaque=${raw},${valid}`)?.opaque, expected, 'not last');
    });
  }

  it('returns no keys for directives the client left out', () => {
    assert.deepEqual(parseDigestAuthorization(`Digest username="u", realm="r", nonce="n", uri="/", response="${r}"`), {
      username: 'u',
      realm: 'r',
      nonce: 'n',
      uri: '/',
      response: r,
      algorithm: 'MD5',
    });
  });
});

describe('NonceService.check', () => {
  it('ok → replay on same nc → ok on higher nc → stale after ttl', () => {
    const clock = makeClock();
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 100, now: clock.now });
    const n = svc.issue();
    assert.equal(svc.check(n, '00000001'), 'ok');
    assert.equal(svc.check(n, '00000001'), 'replay');
    assert.equal(svc.check(n, '00000002'), 'ok');
    clock.advance(30_000);
    assert.equal(svc.check(n, '00000003'), 'ok');
    clock.advance(31_000);
    assert.equal(svc.check(n, '00000004'), 'stale');
    assert.equal(svc.inspect(n), 'stale');
    assert.equal(svc.inspect(svc.issue()), 'ok');
  });

  it('accepts unseen nc values out of order, same count in either hex case is a replay', () => {
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 100 });
    const n = svc.issue();
    for (const nc of ['00000003', '00000001', '0000000a', '00000002']) assert.equal(svc.check(n, nc), 'ok', nc);
    assert.equal(svc.check(n, '0000000A'), 'replay');
    assert.equal(svc.check(n, '00000002'), 'replay');
  });

  it('accepts a request without qop once per nonce, independently of nc use', () => {
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 100 });
    const n = svc.issue();
    assert.equal(svc.check(n, undefined), 'ok');
    assert.equal(svc.check(n, undefined), 'replay');
    assert.equal(svc.check(n, '00000001'), 'ok');
  });

  it('supports the Go pattern: fresh nonce, nc=00000001, every request', () => {
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 100 });
    for (let i = 0; i < 50; i++) assert.equal(svc.check(svc.issue(), '00000001'), 'ok');
  });

  it('rejects tampered, foreign and malformed nonces as invalid', () => {
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 100 });
    const n = svc.issue();
    const flipped = (n[10] === 'A' ? 'B' : 'A');
    assert.equal(svc.check(n.slice(0, 10) + flipped + n.slice(11), '00000001'), 'invalid');
    const lastFlip = n[31] === 'A' ? 'B' : 'A';
    assert.equal(svc.check(n.slice(0, 31) + lastFlip, '00000001'), 'invalid');
    assert.equal(svc.check(new NonceService({ ttlMs: 60_000, maxTracked: 1 }).issue(), '00000001'), 'invalid');
    for (const bad of ['', n.slice(1), `${n}A`, `${n.slice(0, 31)}=`, `${n.slice(0, 31)}-`, '+4YICU5YLx6mQEzmVhx1G5ySQVrufjv6']) {
      assert.equal(svc.check(bad, '00000001'), 'invalid', bad);
    }
    assert.equal(svc.check(n, 'zzzzzzzz'), 'invalid');
    assert.equal(svc.check(n, '1'), 'invalid');
    assert.equal(svc.trackedCount, 0, 'invalid checks record nothing');
    assert.equal(svc.check(n, '00000001'), 'ok');
  });

  it('validates without memory: a shared secret survives a restart', () => {
    const secret = Buffer.from('0123456789abcdef0123456789abcdef');
    const a = new NonceService({ secret, ttlMs: 60_000, maxTracked: 10 });
    const b = new NonceService({ secret, ttlMs: 60_000, maxTracked: 10 });
    const n = a.issue();
    assert.equal(b.check(n, '00000001'), 'ok');
    assert.equal(new NonceService({ secret: Buffer.from('other'), ttlMs: 60_000, maxTracked: 10 }).check(n, '00000001'), 'invalid');
  });

  it('stale checks record nothing', () => {
    const clock = makeClock();
    const svc = new NonceService({ ttlMs: 1_000, maxTracked: 10, now: clock.now });
    const start = clock.now();
    const n = svc.issue();
    clock.advance(5_000);
    assert.equal(svc.check(n, '00000001'), 'stale');
    assert.equal(svc.trackedCount, 0);
    clock.set(start);
    assert.equal(svc.check(n, '00000001'), 'ok', 'the stale check did not consume nc 1');
  });

  it('treats nonces from the future (clock stepped back) as stale', () => {
    const clock = makeClock();
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 10, now: clock.now });
    const n = svc.issue();
    clock.advance(-3_000);
    assert.equal(svc.inspect(n), 'ok', 'small skew tolerated');
    clock.advance(-10_000);
    assert.equal(svc.check(n, '00000001'), 'stale');
  });

  it('bounds tracking to maxTracked and never reopens a replay after eviction', () => {
    const clock = makeClock();
    const svc = new NonceService({ ttlMs: 600_000, maxTracked: 3, now: clock.now });
    const used: string[] = [];
    for (let i = 0; i < 200; i++) {
      clock.advance(1_000);
      const n = svc.issue();
      assert.equal(svc.check(n, '00000001'), 'ok');
      used.push(n);
      assert.ok(svc.trackedCount <= 3, `tracked ${svc.trackedCount}`);
    }
    assert.equal(svc.trackedCount, 3);
    // Forgotten nonces are refused (stale → fresh nonce), not accepted again.
    assert.equal(svc.check(used[0] ?? '', '00000001'), 'stale');
    assert.equal(svc.check(used[196] ?? '', '00000001'), 'stale');
    // Still-tracked ones behave normally.
    assert.equal(svc.check(used[199] ?? '', '00000001'), 'replay');
    assert.equal(svc.check(used[199] ?? '', '00000002'), 'ok');
    // New nonces are unaffected.
    clock.advance(1_000);
    assert.equal(svc.check(svc.issue(), '00000001'), 'ok');
  });

  it('remembers a fixed window of nc values per nonce: constant memory, stale when too far behind', () => {
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 10 });
    const n = svc.issue();
    for (let i = 1; i <= 2048; i++) assert.equal(svc.check(n, i.toString(16).padStart(8, '0')), 'ok');
    assert.equal(svc.check(n, '00000800'), 'replay', 'the newest count');
    assert.equal(svc.check(n, (2048 - 63).toString(16).padStart(8, '0')), 'replay', 'the oldest count in the window');
    assert.equal(svc.check(n, '00000001'), 'stale', 'far behind the window: ask for a fresh nonce');
    assert.equal(svc.check(n, '00001000'), 'ok', 'a jump ahead');
    assert.equal(svc.check(n, '00000fff'), 'ok', 'just behind the jump, unseen');
    assert.equal(svc.check(n, '00000fff'), 'replay');
  });

  it('a tracked nonce (read back without its MAC) still ages: stale after ttl, stale from the future', () => {
    const clock = makeClock();
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 10, now: clock.now });
    const start = clock.now();
    const n = svc.issue();
    assert.equal(svc.check(n, '00000001'), 'ok');
    assert.equal(svc.trackedCount, 1);
    clock.advance(60_001);
    assert.equal(svc.inspect(n), 'stale');
    assert.equal(svc.check(n, '00000002'), 'stale');
    clock.set(start - 10_000);
    assert.equal(svc.inspect(n), 'stale');
    assert.equal(svc.check(n, '00000002'), 'stale');
    clock.set(start);
    assert.equal(svc.check(n, '00000002'), 'ok', 'the stale checks consumed nothing');
  });

  it('fully verifies anything that is not exactly a tracked or just-verified nonce', () => {
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 10 });
    const n = svc.issue();
    const tampered = (i: number) => n.slice(0, i) + (n[i] === 'A' ? 'B' : 'A') + n.slice(i + 1);
    assert.equal(svc.inspect(n), 'ok');
    assert.equal(svc.inspect(tampered(31)), 'invalid', 'right after the genuine one was verified');
    assert.equal(svc.check(n, '00000001'), 'ok');
    for (const i of [0, 5, 10, 31]) {
      assert.equal(svc.inspect(tampered(i)), 'invalid', `tracked, tampered at ${i}`);
      assert.equal(svc.check(tampered(i), '00000002'), 'invalid', `tracked, tampered at ${i}`);
    }
    assert.equal(svc.check(n.toLowerCase(), '00000002'), 'invalid');
    assert.equal(svc.trackedCount, 1);
  });

  it('a nonce forgotten by the replay store is verified again, not trusted', () => {
    const clock = makeClock();
    const secret = Buffer.from('a secret');
    const svc = new NonceService({ secret, ttlMs: 600_000, maxTracked: 1, now: clock.now });
    const first = svc.issue();
    assert.equal(svc.check(first, '00000001'), 'ok');
    clock.advance(1_000);
    assert.equal(svc.check(svc.issue(), '00000001'), 'ok');
    assert.equal(svc.check(first, '00000002'), 'stale', 'evicted: the watermark refuses it');
    assert.equal(svc.inspect(first), 'ok', 'its MAC is still right');
    const foreign = new NonceService({ secret: Buffer.from('another secret'), ttlMs: 600_000, maxTracked: 1, now: clock.now }).issue();
    assert.equal(svc.inspect(foreign), 'invalid');
  });

  it('rejects bad options', () => {
    assert.throws(() => new NonceService({ ttlMs: 0, maxTracked: 1 }), RangeError);
    assert.throws(() => new NonceService({ ttlMs: 1, maxTracked: 0 }), RangeError);
    assert.throws(() => new NonceService({ ttlMs: 1, maxTracked: 1.5 }), RangeError);
    assert.throws(() => new NonceService({ secret: Buffer.alloc(0), ttlMs: 1, maxTracked: 1 }), RangeError);
  });
});

/** What a client would send, for the end-to-end tests. */
function clientHeader(o: {
  user: string;
  password: string;
  nonce: string;
  uri: string;
  method?: string;
  nc?: string;
  algorithm?: DigestAlgorithm;
  realm?: string;
  style?: 'go' | 'curl';
}): string {
  const algorithm = o.algorithm ?? 'MD5';
  const nc = o.nc ?? '00000001';
  const cnonce = '0123456789abcdef';
  const realm = o.realm ?? DIGEST_REALM;
  const response = computeDigestResponse({
    algorithm,
    username: o.user,
    realm,
    password: o.password,
    method: o.method ?? 'GET',
    uri: o.uri,
    nonce: o.nonce,
    nc,
    cnonce,
    qop: 'auth',
  });
  return o.style === 'curl'
    ? `Digest username="${o.user}", realm="${realm}", nonce="${o.nonce}", uri="${o.uri}", cnonce="${cnonce}", nc=${nc}, qop=auth, response="${response}", algorithm=${algorithm}`
    : `Digest username="${o.user}", realm="${realm}", nonce="${o.nonce}", uri="${o.uri}", response="${response}", algorithm="${algorithm}", qop=auth, nc=${nc}, cnonce="${cnonce}"`;
}

describe('authenticateDigest', () => {
  const keys = new Map([['abcdefgh', '11111111-2222-3333-4444-555555555555']]);
  const lookup = (u: string): string | undefined => keys.get(u);
  const uri = '/api/atlas/v2/groups/x/clusters/c/backup/restoreJobs/j?pretty=true';
  const password = '11111111-2222-3333-4444-555555555555';

  it('accepts the Go flow (fresh nonce each time) and the curl flow (rising nc), MD5 and SHA-256', () => {
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 100 });
    for (const algorithm of ['MD5', 'SHA-256'] as const) {
      for (let i = 0; i < 3; i++) {
        const authorization = clientHeader({ user: 'abcdefgh', password, nonce: svc.issue(), uri, algorithm, style: 'go' });
        const res = authenticateDigest({ authorization, method: 'GET', url: uri }, lookup, svc);
        assert.equal(res.ok, true);
        assert.equal(res.ok && res.credentials.username, 'abcdefgh');
      }
      const nonce = svc.issue();
      for (const nc of ['00000001', '00000002', '00000003']) {
        const authorization = clientHeader({ user: 'abcdefgh', password, nonce, uri, nc, algorithm, style: 'curl' });
        assert.deepEqual(authenticateDigest({ authorization, method: 'GET', url: uri }, lookup, svc).ok, true);
      }
    }
  });

  it('classifies failures with the right stale flag', () => {
    const clock = makeClock();
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 100, now: clock.now });
    const call = (authorization: string | undefined, url = uri) =>
      authenticateDigest({ authorization, method: 'GET', url }, lookup, svc);

    assert.deepEqual(call(undefined), { ok: false, stale: false, reason: 'missing' });
    assert.deepEqual(call('Bearer abc'), { ok: false, stale: false, reason: 'missing' });
    assert.deepEqual(call('Digest username='), { ok: false, stale: false, reason: 'malformed' });

    const nonce = svc.issue();
    const good = clientHeader({ user: 'abcdefgh', password, nonce, uri });
    assert.deepEqual(call(clientHeader({ user: 'abcdefgh', password: 'wrong', nonce, uri })), {
      ok: false,
      stale: false,
      reason: 'bad-response',
    });
    assert.deepEqual(call(clientHeader({ user: 'nobody', password, nonce, uri })), { ok: false, stale: false, reason: 'bad-response' });
    // The placeholder hashed for unknown users must never work as a password.
    assert.deepEqual(call(clientHeader({ user: 'nobody', password: '\u0000unknown', nonce, uri })), {
      ok: false,
      stale: false,
      reason: 'bad-response',
    });
    assert.deepEqual(call(clientHeader({ user: 'abcdefgh', password, nonce, uri, realm: 'x' })), {
      ok: false,
      stale: false,
      reason: 'wrong-realm',
    });
    assert.deepEqual(call(good, '/api/atlas/v2/groups/x'), { ok: false, stale: false, reason: 'uri-mismatch' });
    // A right digest over a nonce from another process (the recorded Atlas one here) asks for a fresh nonce…
    assert.deepEqual(call(clientHeader({ user: 'abcdefgh', password, nonce: '+4YICU5YLx6mQEzmVhx1G5ySQVrufjv6', uri })), {
      ok: false,
      stale: true,
      reason: 'invalid-nonce',
    });
    // …but a wrong digest over it is just wrong.
    assert.deepEqual(call(clientHeader({ user: 'abcdefgh', password: 'wrong', nonce: '+4YICU5YLx6mQEzmVhx1G5ySQVrufjv6', uri })), {
      ok: false,
      stale: false,
      reason: 'bad-response',
    });
    // None of the failures above consumed nc 1.
    assert.equal(call(good).ok, true);
    assert.deepEqual(call(good), { ok: false, stale: true, reason: 'replay' });

    const later = svc.issue();
    clock.advance(61_000);
    assert.deepEqual(call(clientHeader({ user: 'abcdefgh', password, nonce: later, uri })), {
      ok: false,
      stale: true,
      reason: 'stale-nonce',
    });
    // A stale nonce with a wrong password must not invite a silent retry (RFC 7616 section 3.3).
    assert.deepEqual(call(clientHeader({ user: 'abcdefgh', password: 'wrong', nonce: later, uri })), {
      ok: false,
      stale: false,
      reason: 'bad-response',
    });
  });
});

/** Deterministic in-place Fisher-Yates driven by a generated seed (keeps fast-check shrinking). */
function shuffle<T>(items: T[], seed: number): void {
  let x = seed >>> 0;
  for (let i = items.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (i + 1);
    const a = items[i];
    const b = items[j];
    if (a !== undefined && b !== undefined) [items[i], items[j]] = [b, a];
  }
}

describe('properties', () => {
  const REQUIRED = ['username', 'realm', 'nonce', 'uri', 'response'] as const;

  function assertWellFormed(c: DigestCredentials): void {
    for (const k of REQUIRED) assert.equal(typeof c[k], 'string', k);
    assert.ok(c.algorithm === 'MD5' || c.algorithm === 'SHA-256');
    assert.match(c.response, /^[0-9A-Fa-f]+$/);
    if (c.qop !== undefined) {
      assert.equal(c.qop, 'auth');
      assert.match(c.nc ?? '', /^[0-9A-Fa-f]{8}$/);
      assert.equal(typeof c.cnonce, 'string');
    } else {
      assert.equal(c.nc, undefined);
      assert.equal(c.cnonce, undefined);
    }
  }

  // Fragments that reach deep into the parser, mixed with arbitrary text.
  const fragment = fc.oneof(
    fc.constantFrom(
      'Digest ', 'digest', ' ', '\t', ',', '=', '"', '\\', '\\"', 'username', 'realm', 'nonce', 'uri', 'response',
      'algorithm', 'qop', 'auth', 'nc', '00000001', 'cnonce', 'opaque', 'MD5', '"SHA-256"', 'userhash', 'true',
      '0123456789abcdef0123456789abcdef', '\u0000', '\n', 'é', '\u{1F600}', '__proto__', 'constructor',
    ),
    fc.string({ maxLength: 8 }),
  );
  const headerLike = fc.array(fragment, { maxLength: 60 }).map((parts) => parts.join(''));
  // Headers close to valid ones: required directives present, mostly plausible values, rarely
  // garbage, optional directives in any combination, any order. A good share of them parse, so
  // the "well-formed result" assertions below are actually exercised.
  const value = (plausible: string[], wrong: string[] = []) =>
    fc.oneof(
      { weight: 40, arbitrary: fc.constantFrom(...plausible) },
      { weight: wrong.length > 0 ? 4 : 0, arbitrary: fc.constantFrom('', ...wrong) },
      { weight: 1, arbitrary: fragment.map((f) => `"${f}`) },
      { weight: 1, arbitrary: fragment.map((f) => `"${f}"`) },
      { weight: 1, arbitrary: fragment },
    );
  const nearValid = fc
    .tuple(
      fc.constantFrom('Digest ', 'digest  ', 'DIGEST\t'),
      fc.record({
        username: value(['"u"', 'u', '"a\\"b"', '"é"'], ['""']),
        realm: value(['"MMS Public API"', '"r"', 'r']),
        nonce: value(['"n"', 'n', '"+4YICU5YLx6mQEzmVhx1G5ySQVrufjv6"']),
        uri: value(['"/a?b=c"', '"/"']),
        response: value(['"0123abcd"', 'abcdef'], ['"xyz"']),
      }),
      fc.record(
        {
          algorithm: value(['MD5', '"SHA-256"', 'sha-256'], ['SHA-512', 'MD5-sess']),
          opaque: value(['"o"']),
          userhash: value(['false'], ['true']),
        },
        { requiredKeys: [] },
      ),
      // qop, nc and cnonce mostly travel together (RFC 7616 section 3.4), sometimes one is missing.
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.record({
            qop: value(['auth', '"auth"'], ['auth-int']),
            nc: value(['00000001', '"0000000f"'], ['1']),
            cnonce: value(['"c"', 'c']),
          }),
        },
        { weight: 1, arbitrary: fc.record({ qop: value(['auth']), nc: value(['00000001']), cnonce: value(['"c"']) }, { requiredKeys: [] }) },
      ),
      fc.oneof({ weight: 9, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constant({ Username: '"dup"' }) }),
      fc.constantFrom(', ', ',', ' , ', '\t,'),
      fc.integer(),
    )
    .map(([scheme, required, optional, qop, duplicate, sep, seed]) => {
      const params = [...Object.entries(required), ...Object.entries(optional), ...Object.entries(qop), ...Object.entries(duplicate)];
      shuffle(params, seed);
      return scheme + params.map(([k, v]) => `${k}=${v}`).join(sep);
    });
  const anyString = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    headerLike,
    headerLike.map((h) => `Digest ${h}`),
    fc.string({ minLength: 8000, maxLength: 8300, unit: fc.constantFrom('a', '"', ',', '=', ' ') }).map((s) => `Digest ${s}`),
    nearValid,
    nearValid,
  );

  it('parseDigestAuthorization never throws and only returns well-formed credentials', () => {
    let parsed = 0;
    fc.assert(
      fc.property(anyString, (s) => {
        const c = parseDigestAuthorization(s);
        if (c !== undefined) {
          parsed++;
          assertWellFormed(c);
          assert.equal(typeof verifyDigestResponse(c, 'GET', 'pw'), 'boolean');
          assert.equal(typeof verifyDigestResponse(c, 'GET', 'pw', { realm: c.realm, requestUri: c.uri }), 'boolean');
        }
      }),
      FC,
    );
    assert.ok(parsed > 100, `only ${parsed} generated headers parsed`);
  });

  it('parseDigestAuthorization gives the Map-and-regex parser’s result for every generated header', () => {
    // The char-code parser must accept, refuse and read exactly what the earlier one did.
    let parsed = 0;
    const cased = fc.tuple(anyString, fc.integer()).map(([s, seed]) => (seed % 3 === 0 ? s.replace(/[a-z]/g, (c) => (((seed >>>= 1) & 1) === 1 ? c.toUpperCase() : c)) : s));
    fc.assert(
      fc.property(fc.oneof(anyString, cased), (s) => {
        const expected = referenceParseDigestAuthorization(s);
        assert.deepEqual(parseDigestAuthorization(s), expected);
        if (expected !== undefined) parsed++;
      }),
      { ...FC, numRuns: 20_000 },
    );
    assert.ok(parsed > 1000, `only ${parsed} generated headers parsed`);
    for (const edge of ['Digest', 'Digest ', ' digest\tusername="u"', 'DiGeSt username=u, realm=r, nonce=n, uri="/", response=ab', 'Digestx a=b', 'Digest a="\\"', 'Digest a="b\\', 'Digest a="b\u0001"']) {
      assert.deepEqual(parseDigestAuthorization(edge), referenceParseDigestAuthorization(edge), JSON.stringify(edge));
    }
  });

  // Quoted-string content a client might send (incl. quotes, backslashes, commas, unicode).
  const quotedText = fc.string({ minLength: 1, maxLength: 30, unit: fc.oneof(fc.constantFrom('"', '\\', ',', '=', ' ', 'é', '\u{1F600}'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })) }).filter(
    (s) => [...s].every((ch) => ch === '\t' || (ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f)),
  );
  const quote = (s: string): string => `"${s.replace(/[\\"]/g, (m) => `\\${m}`)}"`;

  it('round-trips any well-formed header (any order, quoting, whitespace) and verifies it', () => {
    fc.assert(
      fc.property(
        fc.record({
          username: quotedText,
          password: fc.string({ maxLength: 30 }),
          uri: quotedText,
          cnonce: quotedText,
          algorithm: fc.constantFrom<DigestAlgorithm>('MD5', 'SHA-256'),
          nc: fc.integer({ min: 1, max: 0xffffffff }).map((n) => n.toString(16).padStart(8, '0')),
          quoteTokens: fc.boolean(),
          sep: fc.constantFrom(', ', ',', ' , ', '\t,\t'),
          eq: fc.constantFrom('=', ' = ', '\t='),
          seed: fc.integer(),
        }),
        (g) => {
          const svc = new NonceService({ ttlMs: 60_000, maxTracked: 4 });
          const nonce = svc.issue();
          const response = computeDigestResponse({
            algorithm: g.algorithm,
            username: g.username,
            realm: DIGEST_REALM,
            password: g.password,
            method: 'GET',
            uri: g.uri,
            nonce,
            nc: g.nc,
            cnonce: g.cnonce,
            qop: 'auth',
          });
          const tok = (v: string): string => (g.quoteTokens ? `"${v}"` : v);
          const params: [string, string][] = [
            ['username', quote(g.username)],
            ['realm', quote(DIGEST_REALM)],
            ['nonce', quote(nonce)],
            ['uri', quote(g.uri)],
            ['response', quote(response)],
            ['algorithm', tok(g.algorithm)],
            ['qop', tok('auth')],
            ['nc', tok(g.nc)],
            ['cnonce', quote(g.cnonce)],
          ];
          shuffle(params, g.seed);
          const header = `Digest ${params.map(([k, v]) => `${k}${g.eq}${v}`).join(g.sep)}`;
          const c = parseDigestAuthorization(header);
          if (header.length > 8192) return c === undefined;
          assert.deepEqual(c, {
            username: g.username,
            realm: DIGEST_REALM,
            nonce,
            uri: g.uri,
            response,
            algorithm: g.algorithm,
            qop: 'auth',
            nc: g.nc,
            cnonce: g.cnonce,
          });
          assert.ok(c);
          assert.equal(verifyDigestResponse(c, 'GET', g.password, { requestUri: g.uri }), true);
          assert.equal(verifyDigestResponse(c, 'GET', `${g.password}x`), false);
          assert.equal(svc.check(c.nonce, c.nc), 'ok');
          assert.equal(svc.check(c.nonce, c.nc), 'replay');
          return true;
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });

  it('NonceService.check never throws and only records on ok', () => {
    const svc = new NonceService({ ttlMs: 60_000, maxTracked: 8 });
    const real = Array.from({ length: 4 }, () => svc.issue());
    const nonceArb = fc.oneof(
      fc.string({ maxLength: 40, unit: 'binary' }),
      fc.string({ minLength: 32, maxLength: 32, unit: fc.constantFrom(...'ABCabc019+/=-_'.split('')) }),
      fc.constantFrom(...real),
      fc.tuple(fc.constantFrom(...real), fc.nat(31), fc.constantFrom('A', 'z', '+', '/', '=')).map(
        ([n, i, ch]) => n.slice(0, i) + ch + n.slice(i + 1),
      ),
    );
    const ncArb = fc.option(fc.oneof(fc.string({ maxLength: 10 }), fc.string({ minLength: 8, maxLength: 8, unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')) })), { nil: undefined });
    fc.assert(
      fc.property(nonceArb, ncArb, (nonce, nc) => {
        const before = svc.trackedCount;
        const r = svc.check(nonce, nc);
        assert.ok(['ok', 'stale', 'invalid', 'replay'].includes(r));
        if (r === 'ok') assert.ok(real.includes(nonce));
        else assert.equal(svc.trackedCount, before, 'a refused check records nothing');
        assert.ok(svc.trackedCount <= 8);
      }),
      FC,
    );
  });
});
