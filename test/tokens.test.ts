/**
 * server/auth/tokens.ts: the service-account tokens. A verified token is remembered so its signature is
 * checked once; revocation, expiry and tampering must still be seen on every check.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenService, bearerToken } from '../server/auth/tokens.js';

function service(maxVerified?: number) {
  let now = Date.UTC(2026, 10, 28, 12, 0, 0);
  const tokens = new TokenService({ ttlSeconds: 3600, now: () => now, ...(maxVerified !== undefined ? { maxVerified } : {}) });
  return { tokens, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('TokenService.check', () => {
  it('a token stays valid when checked again, and is refused once revoked, though it was remembered', () => {
    const { tokens } = service();
    const { access_token: token } = tokens.issue('mdb_sa_id_a');
    assert.deepEqual(tokens.check(token), { state: 'valid', clientId: 'mdb_sa_id_a' });
    assert.deepEqual(tokens.check(token), { state: 'valid', clientId: 'mdb_sa_id_a' });
    tokens.revoke(token);
    assert.deepEqual(tokens.check(token), { state: 'revoked' });
  });

  it('two clients\' tokens in turn each get their own claims, and a revoked last token is refused at once', () => {
    // check() remembers the last token's claims; alternating must never hand one client's to the other.
    const { tokens } = service();
    const { access_token: a } = tokens.issue('mdb_sa_id_a');
    const { access_token: b } = tokens.issue('mdb_sa_id_b');
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(tokens.check(a), { state: 'valid', clientId: 'mdb_sa_id_a' });
      assert.deepEqual(tokens.check(a), { state: 'valid', clientId: 'mdb_sa_id_a' });
      assert.deepEqual(tokens.check(b), { state: 'valid', clientId: 'mdb_sa_id_b' });
    }
    assert.equal(tokens.check(`${b}x`).state, 'foreign', 'a token one character longer than the last one');
    tokens.revoke(b);
    assert.deepEqual(tokens.check(b), { state: 'revoked' });
    assert.deepEqual(tokens.check(a), { state: 'valid', clientId: 'mdb_sa_id_a' });
  });

  it('a remembered token expires on time', () => {
    const { tokens, advance } = service();
    const { access_token: token } = tokens.issue('mdb_sa_id_a');
    assert.equal(tokens.check(token).state, 'valid');
    advance(3599);
    assert.equal(tokens.check(token).state, 'valid');
    advance(1);
    assert.equal(tokens.check(token).state, 'expired');
  });

  it('a tampered copy of a remembered token is foreign, and another service\'s token is too', () => {
    const { tokens } = service();
    const { access_token: token } = tokens.issue('mdb_sa_id_a');
    assert.equal(tokens.check(token).state, 'valid');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const otherClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'mdb_sa_id_b' })).toString('base64url');
    assert.equal(tokens.check(`${header}.${otherClaims}.${signature}`).state, 'foreign', 'claims changed, signature kept');
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    assert.equal(tokens.check(`${header}.${payload}.${flipped}`).state, 'foreign', 'signature changed');
    assert.equal(service().tokens.check(token).state, 'foreign', 'another process (another secret)');
    assert.equal(tokens.check('a.b').state, 'foreign');
    assert.equal(tokens.check('x'.repeat(5000)).state, 'malformed');
  });

  it('with room for only two remembered tokens, every token is still checked correctly', () => {
    const { tokens } = service(2);
    const issued = Array.from({ length: 10 }, (_, i) => tokens.issue(`mdb_sa_id_${i}`).access_token);
    for (let round = 0; round < 3; round++) {
      issued.forEach((token, i) => assert.deepEqual(tokens.check(token), { state: 'valid', clientId: `mdb_sa_id_${i}` }));
    }
    tokens.revoke(issued[3] as string);
    assert.equal(tokens.check(issued[3] as string).state, 'revoked');
    assert.equal(tokens.check(issued[4] as string).state, 'valid');
  });
});

describe('bearerToken', () => {
  it('reads the token68 of a Bearer header, any case and surrounding blanks, nothing else', () => {
    assert.equal(bearerToken('Bearer abc.def-_~+/='), 'abc.def-_~+/=');
    assert.equal(bearerToken(' \tbEaReR   abc\t'), 'abc');
    assert.equal(bearerToken('Bearer a b'), undefined);
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });

  it('answers a repeated header as the first time, in any order of headers', () => {
    // bearerToken remembers its last header and answer: repeats and alternations must agree.
    const headers = ['Bearer one.two.three', 'Bearer one.two.three', 'Digest username="u"', 'Bearer four', 'Bearer four ', 'Bearer one.two.three', 'bearer one.two.three', 'Bearer', 'Bearer four'];
    const expected = ['one.two.three', 'one.two.three', undefined, 'four', 'four', 'one.two.three', 'one.two.three', undefined, 'four'];
    assert.deepEqual(headers.map((h) => bearerToken(h)), expected);
    assert.equal(bearerToken(undefined), undefined, 'no header after a remembered one');
  });
});
