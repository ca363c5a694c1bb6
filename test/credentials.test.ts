import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  CredentialsError,
  MAX_CREDENTIALS_BYTES,
  credentialStore,
  ipAllowed,
  loadCredentials,
  mayReadRestoreJobs,
  parseCredentials,
  type Credential,
} from '../server/auth/credentials.js';
import { PACKAGE_ROOT } from '../server/package-root.js';

const EXAMPLE = join(PACKAGE_ROOT, 'examples', 'credentials.example.yaml');
const GROUP = '32b6e34b3d91647abb20e7b8';
const OTHER_GROUP = '67c6d56bc41e7a0b934b81d2';
const THIRD_GROUP = '5f0a1b2c3d4e5f6a7b8c9d0e';
const FORMAT_HINT = 'Fix the file; the format is in examples/credentials.example.yaml.';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atlas-mock-credentials-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The parts of a credential that can be compared (the access list is a matcher). */
function plain(c: Credential): object {
  return { kind: c.kind, id: c.id, secret: c.secret, description: c.description, roles: c.roles, accessList: c.accessList?.entries };
}

/** Asserts a refusal: a CredentialsError naming the source, every fragment, and the pointer to the example. */
function refuses(text: string, format: 'json' | 'yaml', ...fragments: string[]): string {
  let message = '';
  assert.throws(
    () => parseCredentials('./creds.test', text, format),
    (error: unknown) => {
      assert.ok(error instanceof CredentialsError, `expected CredentialsError, got ${String(error)}`);
      message = error.message;
      return true;
    },
  );
  assert.ok(message.startsWith('Credentials file ./creds.test is invalid:\n  - '), message);
  assert.ok(message.endsWith(`\n${FORMAT_HINT}`), message);
  for (const fragment of fragments) assert.ok(message.includes(fragment), `message lacks ${JSON.stringify(fragment)}:\n${message}`);
  return message;
}

/** A one-key YAML file whose key entry gets `extra` lines (indented 4). */
function oneKey(extra: string, roles = `    roles:\n      - role: GROUP_OWNER\n        groupIds: ["*"]\n`): string {
  return `apiKeys:\n  - publicKey: abcdefgh\n    privateKey: 5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f\n${roles}${extra}`;
}

function withRoles(...grants: Array<{ role: string; groupIds?: string[] }>): Credential {
  const [credential] = parseCredentials('roles', JSON.stringify({ apiKeys: [{ publicKey: 'abcdefgh', privateKey: 'p', roles: grants }] }), 'json');
  assert.ok(credential);
  return credential;
}

function withAccessList(...entries: string[]): Credential {
  const [credential] = parseCredentials(
    'ips',
    JSON.stringify({ apiKeys: [{ publicKey: 'abcdefgh', privateKey: 'p', roles: [{ role: 'ORG_OWNER' }], accessList: entries }] }),
    'json',
  );
  assert.ok(credential);
  return credential;
}

describe('the shipped example file', () => {
  test('loads, with every entry doing what its comment says', async () => {
    const store = await loadCredentials({ file: EXAMPLE });
    assert.equal(store.apiKeyCount, 4);
    assert.equal(store.serviceAccountCount, 2);
    assert.equal(store.count, 6);
    const get = (id: string) => {
      const c = store.apiKey(id) ?? store.serviceAccount(id);
      assert.ok(c, id);
      return c;
    };

    const backup = get('abcdefgh');
    assert.equal(backup.kind, 'apiKey');
    assert.equal(backup.secret, '5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f');
    assert.equal(mayReadRestoreJobs(backup, GROUP), true);
    assert.equal(mayReadRestoreJobs(backup, OTHER_GROUP), false);
    assert.equal(ipAllowed(backup, '198.51.100.7'), true, 'no access list');

    const readOnly = get('ijklmnop');
    assert.equal(mayReadRestoreJobs(readOnly, GROUP), false);
    assert.equal(mayReadRestoreJobs(readOnly, OTHER_GROUP), false);

    const orgOwner = get('qrstuvwx');
    assert.deepEqual(orgOwner.roles, [{ role: 'ORG_OWNER' }]);
    assert.equal(mayReadRestoreJobs(orgOwner, THIRD_GROUP), true);
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) assert.equal(ipAllowed(orgOwner, ip), true, ip);
    for (const ip of ['127.0.0.2', '203.0.113.9', '::2']) assert.equal(ipAllowed(orgOwner, ip), false, ip);

    const office = get('yzabcdef');
    assert.deepEqual(office.roles, [{ role: 'GROUP_OWNER', groupIds: ['*'] }], 'display name normalised');
    assert.equal(mayReadRestoreJobs(office, THIRD_GROUP), true);
    assert.equal(ipAllowed(office, '127.0.0.1'), false);
    assert.equal(ipAllowed(office, '::1'), false);
    assert.equal(ipAllowed(office, '203.0.113.77'), true);

    const automation = get('mdb_sa_id_6650f0a2c8e4b21d3f9a7c01');
    assert.equal(automation.kind, 'serviceAccount');
    assert.equal(automation.secret, 'mdb_sa_sk_Qm9ndXNTZWNyZXRGb3JUZXN0c09ubHkx');
    assert.equal(mayReadRestoreJobs(automation, GROUP), true);
    assert.equal(mayReadRestoreJobs(automation, THIRD_GROUP), true);

    const orders = get('mdb_sa_id_67c6d56bc41e7a0b934b81d3');
    assert.equal(orders.roles[0]?.role, 'GROUP_BACKUP_MANAGER');
    assert.equal(mayReadRestoreJobs(orders, OTHER_GROUP), true);
    assert.equal(mayReadRestoreJobs(orders, GROUP), false, 'only GROUP_READ_ONLY there');

    assert.equal(store.apiKey('mdb_sa_id_6650f0a2c8e4b21d3f9a7c01'), undefined, 'separate namespaces');
    assert.equal(store.serviceAccount('abcdefgh'), undefined);
  });

  test('reads the same as JSON (.json) and as .yml', async () => {
    const yamlText = await readFile(EXAMPLE, 'utf8');
    const jsonFile = join(dir, 'example.json');
    const ymlFile = join(dir, 'example.yml');
    await writeFile(jsonFile, JSON.stringify(parseYaml(yamlText), null, 2));
    await writeFile(ymlFile, yamlText);
    const fromYaml = parseCredentials(EXAMPLE, yamlText, 'yaml').map(plain);
    assert.equal(fromYaml.length, 6);
    assert.deepEqual(parseCredentials('json', await readFile(jsonFile, 'utf8'), 'json').map(plain), fromYaml);
    for (const file of [jsonFile, ymlFile]) {
      const store = await loadCredentials({ file });
      assert.equal(store.count, 6);
      assert.deepEqual(plain(store.apiKey('qrstuvwx') as Credential), fromYaml[2]);
    }
  });

  test('credentials are frozen and lookups never reach Object.prototype', async () => {
    const store = await loadCredentials({ file: EXAMPLE });
    const key = store.apiKey('abcdefgh') as Credential;
    assert.ok(Object.isFrozen(key) && Object.isFrozen(key.roles) && Object.isFrozen(key.roles[0]));
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assert.equal(store.apiKey(name), undefined, name);
      assert.equal(store.serviceAccount(name), undefined, name);
    }
  });
});

describe('refusals name the field, the value and the fix', () => {
  test('the message of the issue, exactly', () => {
    const text = oneKey('    accessList: ["127.0.0.1", "10.0.0.0/33"]\n');
    assert.throws(() => parseCredentials('./creds.yaml', text, 'yaml'), {
      name: 'CredentialsError',
      message:
        'Credentials file ./creds.yaml is invalid:\n' +
        '  - field "apiKeys[0].accessList[1]": "10.0.0.0/33" is not an IP address or CIDR; write e.g. 203.0.113.0/24\n' +
        'Fix the file; the format is in examples/credentials.example.yaml.',
    });
  });

  test('every bad access-list entry is reported', () => {
    const bad = ['300.1.1.1', '10.0.0.0/', '10.0.0.0/08', '10.0.0.0/-1', '::1/129', 'fe80::1%eth0', 'localhost', '01.2.3.4', ' 10.0.0.1'];
    const message = refuses(oneKey(`    accessList: ${JSON.stringify(['127.0.0.1', ...bad])}\n`), 'yaml');
    bad.forEach((entry, i) => assert.ok(message.includes(`field "apiKeys[0].accessList[${i + 1}]": ${JSON.stringify(entry)} is not an IP address or CIDR`), entry));
    assert.ok(!message.includes('accessList[0]'));
  });

  test('an empty access list (it would lock the key out)', () => {
    refuses(oneKey('    accessList: []\n'), 'yaml', 'field "apiKeys[0].accessList": the list is empty', 'remove the field to allow any IP');
  });

  test('unknown fields, with a suggestion where one is likely', () => {
    refuses(oneKey('    publickey: x\n'), 'yaml', 'field "apiKeys[0].publickey": unknown field; did you mean publicKey?', 'the fields here are publicKey, privateKey, description, roles, accessList');
    refuses(oneKey('', '    roles:\n      - roleName: GROUP_OWNER\n        groupIds: ["*"]\n'), 'yaml', 'field "apiKeys[0].roles[0].roleName": unknown field; did you mean role?', 'field "apiKeys[0].roles[0].role": is missing; add it, e.g. role: GROUP_BACKUP_MANAGER');
    refuses(oneKey('', '    roles:\n      - role: GROUP_OWNER\n        groupId: abc\n'), 'yaml', 'field "apiKeys[0].roles[0].groupId": unknown field; did you mean groupIds?');
    refuses('apiKey:\n  - publicKey: abcdefgh\n', 'yaml', 'field "apiKey": unknown field; did you mean apiKeys? the fields here are apiKeys, serviceAccounts');
    refuses(JSON.stringify({ serviceAccounts: [{ clientId: 'mdb_sa_id_x', secret: 's', roles: [{ role: 'ORG_OWNER' }] }] }), 'json', 'field "serviceAccounts[0].secret": unknown field; did you mean clientSecret?', 'field "serviceAccounts[0].clientSecret": is missing');
    refuses('<<: {apiKeys: []}\napiKeys: []\n', 'yaml', 'field "<<": unknown field; the fields here are apiKeys, serviceAccounts');
    refuses('{"apiKeys": [], "we\\"ird\\nkey": 1}', 'json', 'field "we\\"ird\\nkey": unknown field');
  });

  test('__proto__ and constructor keys are unknown fields and pollute nothing', () => {
    const json = `{"__proto__": {"polluted": "root"}, "apiKeys": [{"publicKey": "abcdefgh", "privateKey": "p", "roles": [{"role": "ORG_OWNER", "__proto__": {"polluted": "grant"}}], "constructor": {"prototype": {"polluted": "ctor"}}}]}`;
    refuses(json, 'json', 'field "__proto__": unknown field', 'field "apiKeys[0].roles[0].__proto__": unknown field', 'field "apiKeys[0].constructor": unknown field');
    const yaml = `__proto__:\n  polluted: yes\nconstructor:\n  prototype:\n    polluted: yes\napiKeys:\n  - publicKey: abcdefgh\n    privateKey: p\n    roles: [{role: ORG_OWNER}]\n    __proto__: {polluted: yes}\n`;
    refuses(yaml, 'yaml', 'field "__proto__": unknown field', 'field "constructor": unknown field', 'field "apiKeys[0].__proto__": unknown field');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  test('ids: pattern, type, missing, duplicates', () => {
    refuses(oneKey('').replace('abcdefgh', 'has space'), 'yaml', `field "apiKeys[0].publicKey": "has space" is not a public key; use 1 to 128 letters, digits, '.', '_' or '-', e.g. abcdefgh`);
    refuses(oneKey('').replace('abcdefgh', 'a'.repeat(129)), 'yaml', 'field "apiKeys[0].publicKey": "aaaa', 'is not a public key');
    refuses(oneKey('').replace('abcdefgh', '""'), 'yaml', 'field "apiKeys[0].publicKey": "" is not a public key');
    refuses(oneKey('').replace('abcdefgh', '12345678'), 'yaml', 'field "apiKeys[0].publicKey": 12345678 (a number) is not a public key (text expected); quote it;');
    refuses('apiKeys:\n  - privateKey: p\n    roles: [{role: ORG_OWNER}]\n', 'yaml', 'field "apiKeys[0].publicKey": is missing; add it, e.g. publicKey: abcdefgh');
    refuses(
      JSON.stringify({ serviceAccounts: [{ clientId: 'bad:id', clientSecret: 's', roles: [{ role: 'ORG_OWNER' }] }] }),
      'json',
      'field "serviceAccounts[0].clientId": "bad:id" is not a client id; use 1 to 128 letters',
    );
    const key = { publicKey: 'abcdefgh', privateKey: 'p', roles: [{ role: 'ORG_OWNER' }] };
    const sa = { clientId: 'mdb_sa_id_1', clientSecret: 's', roles: [{ role: 'ORG_OWNER' }] };
    refuses(
      JSON.stringify({ apiKeys: [key, { ...key, publicKey: 'other' }, key], serviceAccounts: [sa, sa] }),
      'json',
      'field "apiKeys[2].publicKey": "abcdefgh" repeats apiKeys[0].publicKey; each public key must be unique',
      'field "serviceAccounts[1].clientId": "mdb_sa_id_1" repeats serviceAccounts[0].clientId; each client id must be unique',
    );
    // API keys and service accounts are separate namespaces, as in Atlas.
    assert.equal(parseCredentials('x', JSON.stringify({ apiKeys: [key], serviceAccounts: [{ ...sa, clientId: 'abcdefgh' }] }), 'json').length, 2);
  });

  test('secrets are never echoed', () => {
    const long = 's3cr3t'.repeat(50);
    const message = refuses(oneKey('').replace('5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f', long), 'yaml', 'field "apiKeys[0].privateKey": the value (not shown, 300 characters) is too long for a private key', 'at most 256 characters');
    assert.ok(!message.includes('s3cr3t'));
    refuses(oneKey('').replace('5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f', '""'), 'yaml', 'field "apiKeys[0].privateKey": the value (not shown, 0 characters) is not a private key');
    refuses(oneKey('').replace('5d1e7b5c-2e3a-4c8b-9f1d-0a6b7c8d9e0f', '!!binary aGVsbG8='), 'yaml', 'field "apiKeys[0].privateKey": the value (not shown, binary data) is not a private key (text expected)');
  });

  test('roles: unknown names, project roles without projects, organization roles with projects, bad ids', () => {
    refuses(oneKey('', '    roles: [{role: backup manager, groupIds: ["*"]}]\n'), 'yaml', 'field "apiKeys[0].roles[0].role": "backup manager" is not a role; use a role id such as GROUP_BACKUP_MANAGER');
    refuses(oneKey('', '    roles: [{role: group_owner, groupIds: ["*"]}]\n'), 'yaml', '"group_owner" is not a role; did you mean GROUP_OWNER?');
    refuses(oneKey('', '    roles: [{role: GROUP_BACKUP_MANAGER}]\n'), 'yaml', 'field "apiKeys[0].roles[0].groupIds": is missing; GROUP_BACKUP_MANAGER is a project role', 'or ["*"] for every project');
    refuses(oneKey('', '    roles: [{role: Project Owner}]\n'), 'yaml', 'field "apiKeys[0].roles[0].groupIds": is missing; GROUP_OWNER is a project role');
    refuses(oneKey('', `    roles: [{role: ORG_OWNER, groupIds: ["${GROUP}"]}]\n`), 'yaml', 'field "apiKeys[0].roles[0].groupIds": ORG_OWNER is an organization role and covers every project; remove groupIds');
    refuses(oneKey('', '    roles: [{role: GROUP_OWNER, groupIds: []}]\n'), 'yaml', 'field "apiKeys[0].roles[0].groupIds": the list is empty; write e.g. groupIds: ["32b6e34b3d91647abb20e7b8"]');
    refuses(
      oneKey('', `    roles:\n      - role: GROUP_OWNER\n        groupIds: ["${GROUP}", "${GROUP.toUpperCase()}", "all"]\n`),
      'yaml',
      `field "apiKeys[0].roles[0].groupIds[1]": "${GROUP.toUpperCase()}" is not a project id; write 24 lowercase hex characters`,
      'field "apiKeys[0].roles[0].groupIds[2]": "all" is not a project id',
    );
    refuses(oneKey('', '    roles: []\n'), 'yaml', 'field "apiKeys[0].roles": the list is empty; give at least one');
    refuses('apiKeys:\n  - publicKey: abcdefgh\n    privateKey: p\n', 'yaml', 'field "apiKeys[0].roles": is missing; add it, e.g. roles: [{role: GROUP_BACKUP_MANAGER');
    refuses(oneKey('', '    roles: GROUP_OWNER\n'), 'yaml', 'field "apiKeys[0].roles": "GROUP_OWNER" is not a list of roles (a list expected)');
  });

  test('a bare * in YAML gets a hint', () => {
    refuses(oneKey('', '    roles: [{role: GROUP_OWNER, groupIds: [*]}]\n'), 'yaml', 'not valid YAML', 'quote it, e.g. groupIds: ["*"]');
  });

  test('descriptions are limited like in Atlas', () => {
    refuses(oneKey(`    description: ${'d'.repeat(251)}\n`), 'yaml', 'field "apiKeys[0].description": "ddd', 'is too long for a description; use text of at most 250 characters');
  });

  test('empty, comment-only and credential-less files', () => {
    refuses('', 'yaml', 'the file is empty');
    refuses(' \n\t\n', 'json', 'the file is empty');
    refuses('\uFEFF', 'json', 'the file is empty');
    refuses('# nothing yet\n', 'yaml', 'holds no data (only comments?)');
    refuses('null', 'json', 'holds no data');
    refuses('{}', 'json', 'the file defines no credential');
    refuses('apiKeys: []\nserviceAccounts: []\n', 'yaml', 'the file defines no credential');
    refuses('[]', 'json', 'the file holds a list, not a mapping with apiKeys and/or serviceAccounts');
    refuses('just text', 'yaml', 'the file holds "just text", not a mapping');
  });

  test('syntax errors, YAML tags, duplicate keys, several documents', () => {
    refuses('{"apiKeys": [', 'json', 'not valid JSON');
    refuses('apiKeys: [', 'yaml', 'not valid YAML');
    refuses('apiKeys: []\napiKeys: []\n', 'yaml', 'not valid YAML', 'Map keys must be unique');
    refuses('apiKeys: []\n---\nserviceAccounts: []\n', 'yaml', 'not valid YAML', 'multiple documents');
    refuses('apiKeys: !!js/function "function () {}"\n', 'yaml', 'not valid YAML', 'remove the tag');
  });

  test('alias bombs and circular aliases are refused, not expanded', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const started = Date.now();
    refuses(lines.join('\n'), 'yaml', 'not valid YAML');
    assert.ok(Date.now() - started < 2000);
    refuses('apiKeys: &loop [*loop]\n', 'yaml', 'field "apiKeys[0]": a list is not an API key');
  });

  test('JSON with a BOM is fine; text over 1 MiB is not', () => {
    assert.equal(parseCredentials('bom', `\uFEFF${JSON.stringify({ apiKeys: [{ publicKey: 'abcdefgh', privateKey: 'p', roles: [{ role: 'ORG_OWNER' }] }] })}`, 'json').length, 1);
    refuses(' '.repeat(MAX_CREDENTIALS_BYTES + 1), 'json', `it is ${MAX_CREDENTIALS_BYTES + 1} bytes; a credentials file is at most 1048576 bytes (1 MiB)`);
  });

  test('schema and semantic problems are listed together', () => {
    const text = 'apiKeys:\n  - publicKey: 12345678\n    privatekey: x\n    roles: [{role: backup manager}, {role: GROUP_OWNER}, {role: ORG_OWNER, groupIds: ["*"]}]\n    accessList: [10.0.0.0/33]\n';
    const message = refuses(
      text,
      'yaml',
      'field "apiKeys[0].privateKey": is missing',
      'field "apiKeys[0].privatekey": unknown field; did you mean privateKey?',
      'field "apiKeys[0].publicKey": 12345678 (a number)',
      'field "apiKeys[0].roles[0].role": "backup manager" is not a role',
      'field "apiKeys[0].roles[1].groupIds": is missing',
      'field "apiKeys[0].roles[2].groupIds": ORG_OWNER is an organization role',
      'field "apiKeys[0].accessList[0]": "10.0.0.0/33" is not an IP address or CIDR',
    );
    assert.equal(message.split('\n  - ').length - 1, 7);
  });

  test('every problem is listed at once, up to 20', () => {
    const key = (i: number) => ({ publicKey: `key${i}`, privateKey: 'p', roles: [{ role: 'ORG_OWNER' }], accessList: ['nope'] });
    const two = refuses(JSON.stringify({ apiKeys: [key(0), key(1)] }), 'json', 'apiKeys[0].accessList[0]', 'apiKeys[1].accessList[0]');
    assert.equal(two.split('\n  - ').length - 1, 2);
    const many = refuses(JSON.stringify({ apiKeys: Array.from({ length: 25 }, (_, i) => key(i)) }), 'json', 'apiKeys[19].accessList[0]', '  - ... and 5 more');
    assert.ok(!many.includes('apiKeys[20]'));
  });
});

describe('loading files', () => {
  const write = async (name: string, text: string | Buffer) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };
  const VALID = JSON.stringify({ apiKeys: [{ publicKey: 'abcdefgh', privateKey: 'p', roles: [{ role: 'ORG_OWNER' }] }] });

  test('the extension decides the format; others are refused', async () => {
    await assert.rejects(loadCredentials({ file: await write('creds.txt', VALID) }), {
      name: 'CredentialsError',
      message: /creds\.txt has the extension "\.txt"; the mock reads \.json, \.yaml or \.yml\. Fix: rename/,
    });
    await assert.rejects(loadCredentials({ file: await write('creds', VALID) }), /has no extension/);
    // YAML is a superset of JSON, so JSON text in a .yaml file is fine; YAML in a .json file is not.
    assert.equal((await loadCredentials({ file: await write('json-in.yaml', VALID) })).count, 1);
    await assert.rejects(loadCredentials({ file: await write('yaml-in.JSON', 'apiKeys: []') }), /yaml-in\.JSON is invalid:\n {2}- not valid JSON/);
  });

  test('missing, a folder, too large, not UTF-8', async () => {
    const missing = join(dir, 'missing.yaml');
    await assert.rejects(loadCredentials({ file: missing }), { name: 'CredentialsError', message: `Credentials file ${missing} (--credentials / ATLAS_MOCK_CREDENTIALS) does not exist. Fix: check the path and its permissions.` });
    const folder = join(dir, 'folder.yaml');
    await mkdir(folder);
    await assert.rejects(loadCredentials({ file: folder }), /folder\.yaml is a folder\. Fix: point --credentials at the file \(docker -v creates an empty folder/);
    const big = await write('big.json', Buffer.alloc(MAX_CREDENTIALS_BYTES + 1, 0x20));
    await assert.rejects(loadCredentials({ file: big }), /big\.json is 1048577 bytes; a credentials file is at most 1048576 bytes/);
    const latin1 = await write('latin1.yaml', Buffer.from('apiKeys:\n  - publicKey: caf\xe9\n', 'latin1'));
    await assert.rejects(loadCredentials({ file: latin1 }), /latin1\.yaml is not UTF-8 text\. Fix: save it as UTF-8\./);
  });

  test('an unreadable file', async () => {
    if (process.getuid?.() !== 0) {
      const file = await write('secret.yaml', VALID);
      await chmod(file, 0o000);
      try {
        await assert.rejects(loadCredentials({ file }), /secret\.yaml \(--credentials \/ ATLAS_MOCK_CREDENTIALS\) cannot be read \(EACCES\)\. Fix: check the path and its permissions\./);
      } finally {
        await chmod(file, 0o600);
      }
    }
    // Root reads every file, so (on Linux) also take a regular file whose read fails: /proc/self/mem at offset 0.
    if (process.platform === 'linux') {
      const link = join(dir, 'unreadable.yaml');
      await symlink('/proc/self/mem', link);
      await assert.rejects(loadCredentials({ file: link }), /unreadable\.yaml \(--credentials \/ ATLAS_MOCK_CREDENTIALS\) cannot be read \(EIO\)\. Fix:/);
    }
  });

  test('symlinks are followed', async () => {
    const link = join(dir, 'link.yaml');
    await symlink(EXAMPLE, link);
    assert.equal((await loadCredentials({ file: link })).count, 6);
  });

  test('file errors name the path given', async () => {
    const file = await write('bad.yaml', oneKey('    accessList: [nope]\n'));
    await assert.rejects(loadCredentials({ file }), { message: `Credentials file ${file} is invalid:\n  - field "apiKeys[0].accessList[0]": "nope" is not an IP address or CIDR; write e.g. 203.0.113.0/24\n${FORMAT_HINT}` });
  });
});

describe('credentials from --api-key / --service-account (env)', () => {
  test('one of each, split on the first colon, Project Owner everywhere, any IP', async () => {
    const store = await loadCredentials({ apiKey: 'abcdefgh:priv:with:colons', serviceAccount: 'mdb_sa_id_x:mdb_sa_sk_y' });
    assert.equal(store.count, 2);
    const key = store.apiKey('abcdefgh') as Credential;
    assert.deepEqual(plain(key), { kind: 'apiKey', id: 'abcdefgh', secret: 'priv:with:colons', description: undefined, roles: [{ role: 'GROUP_OWNER', groupIds: ['*'] }], accessList: undefined });
    const sa = store.serviceAccount('mdb_sa_id_x') as Credential;
    assert.equal(sa.kind, 'serviceAccount');
    assert.equal(sa.secret, 'mdb_sa_sk_y');
    for (const c of [key, sa]) {
      assert.equal(mayReadRestoreJobs(c, THIRD_GROUP), true);
      assert.equal(ipAllowed(c, '198.51.100.1'), true);
    }
  });

  test('empty strings (the options default) and nothing at all give an empty store', async () => {
    for (const input of [{}, { file: '', apiKey: '', serviceAccount: '' }]) {
      const store = await loadCredentials(input);
      assert.deepEqual([store.count, store.apiKeyCount, store.serviceAccountCount], [0, 0, 0]);
      assert.equal(store.apiKey('abcdefgh'), undefined);
    }
  });

  test('malformed values name the option and the fix, never the secret', async () => {
    const cases: Array<[{ apiKey?: string; serviceAccount?: string }, RegExp]> = [
      [{ apiKey: 'abcdefghTOPSECRET' }, /^--api-key \/ ATLAS_MOCK_API_KEY is invalid: it has no colon\. Fix: write it as <publicKey>:<privateKey>, e\.g\. ATLAS_MOCK_API_KEY=abcdefgh:/],
      [{ apiKey: ':TOPSECRET' }, /the public key before the first colon is empty/],
      [{ apiKey: 'abcdefgh:' }, /the secret after the first colon is empty/],
      [{ apiKey: 'a b:TOPSECRET' }, /the public key "a b" is not valid/],
      [{ apiKey: `abcdefgh:${'TOPSECRET'.repeat(30)}` }, /the secret is 270 characters; at most 256/],
      [{ serviceAccount: 'mdb_sa_id_x' }, /^--service-account \/ ATLAS_MOCK_SERVICE_ACCOUNT is invalid: it has no colon\. Fix: write it as <clientId>:<secret>, e\.g\. ATLAS_MOCK_SERVICE_ACCOUNT=mdb_sa_id_demo:mdb_sa_sk_demo$/],
      [{ serviceAccount: ':TOPSECRET' }, /the client id before the first colon is empty/],
    ];
    for (const [input, expected] of cases) {
      await assert.rejects(loadCredentials(input), (error: unknown) => {
        assert.ok(error instanceof CredentialsError);
        assert.match(error.message, expected);
        assert.ok(!error.message.includes('TOPSECRET'), error.message);
        return true;
      });
    }
  });

  test('they add to the file, and may not repeat its ids', async () => {
    const merged = await loadCredentials({ file: EXAMPLE, apiKey: 'zzzzzzzz:p', serviceAccount: 'mdb_sa_id_new:s' });
    assert.deepEqual([merged.count, merged.apiKeyCount, merged.serviceAccountCount], [8, 5, 3]);
    await assert.rejects(loadCredentials({ file: EXAMPLE, apiKey: 'abcdefgh:other' }), {
      name: 'CredentialsError',
      message: new RegExp(`^The API key "abcdefgh" is configured twice: in the credentials file ${EXAMPLE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} and in --api-key / ATLAS_MOCK_API_KEY\\. Fix: remove one`),
    });
    await assert.rejects(loadCredentials({ file: EXAMPLE, serviceAccount: 'mdb_sa_id_6650f0a2c8e4b21d3f9a7c01:s' }), /The service account "mdb_sa_id_6650f0a2c8e4b21d3f9a7c01" is configured twice/);
  });

  test('credentialStore refuses duplicates of hand-made lists too', () => {
    const c = withRoles({ role: 'ORG_OWNER' });
    assert.throws(() => credentialStore([c, c]), /The API key "abcdefgh" is configured twice: in the list and in the list/);
  });
});

describe('roles', () => {
  const cases: Array<[string, Array<{ role: string; groupIds?: string[] }>, Record<string, boolean>]> = [
    ['Project Backup Manager, scoped', [{ role: 'GROUP_BACKUP_MANAGER', groupIds: [GROUP] }], { [GROUP]: true, [OTHER_GROUP]: false }],
    ['Project Backup Manager, every project', [{ role: 'GROUP_BACKUP_MANAGER', groupIds: ['*'] }], { [GROUP]: true, [OTHER_GROUP]: true }],
    ['Project Owner, scoped to two', [{ role: 'GROUP_OWNER', groupIds: [GROUP, OTHER_GROUP] }], { [GROUP]: true, [OTHER_GROUP]: true, [THIRD_GROUP]: false }],
    ['Organization Owner', [{ role: 'ORG_OWNER' }], { [GROUP]: true, [THIRD_GROUP]: true }],
    ['Project Read Only', [{ role: 'GROUP_READ_ONLY', groupIds: ['*'] }], { [GROUP]: false }],
    ['Project Data Access Admin', [{ role: 'GROUP_DATA_ACCESS_ADMIN', groupIds: [GROUP] }], { [GROUP]: false }],
    ['Project Cluster Manager', [{ role: 'GROUP_CLUSTER_MANAGER', groupIds: ['*'] }], { [GROUP]: false }],
    ['Organization Member / Read Only', [{ role: 'ORG_MEMBER' }, { role: 'ORG_READ_ONLY' }], { [GROUP]: false }],
    ['a role of neither kind', [{ role: 'SOMETHING_ELSE' }], { [GROUP]: false }],
    ['read only here, backup manager there', [{ role: 'GROUP_READ_ONLY', groupIds: [GROUP] }, { role: 'GROUP_BACKUP_MANAGER', groupIds: [OTHER_GROUP] }], { [GROUP]: false, [OTHER_GROUP]: true }],
    ['display names', [{ role: 'Project Backup Manager', groupIds: [GROUP] }, { role: '  project   OWNER ', groupIds: [OTHER_GROUP] }], { [GROUP]: true, [OTHER_GROUP]: true, [THIRD_GROUP]: false }],
    ['display name Organization Owner', [{ role: 'Organization Owner' }], { [THIRD_GROUP]: true }],
  ];
  for (const [name, grants, expected] of cases) {
    test(name, () => {
      const credential = withRoles(...grants);
      for (const [groupId, allowed] of Object.entries(expected)) assert.equal(mayReadRestoreJobs(credential, groupId), allowed, `${name} on ${groupId}`);
    });
  }

  test('display names are stored as role ids', () => {
    assert.deepEqual(withRoles({ role: 'Project Backup Manager', groupIds: ['*'] }, { role: 'organization owner' }).roles, [
      { role: 'GROUP_BACKUP_MANAGER', groupIds: ['*'] },
      { role: 'ORG_OWNER' },
    ]);
  });

  test('hand-made credentials with display names or odd grants', () => {
    const base = { kind: 'apiKey' as const, id: 'x', secret: 'y' };
    assert.equal(mayReadRestoreJobs({ ...base, roles: [{ role: 'Project Owner', groupIds: [GROUP] }] }, GROUP), true);
    assert.equal(mayReadRestoreJobs({ ...base, roles: [{ role: 'GROUP_OWNER' }] }, GROUP), false, 'project role without projects');
    assert.equal(mayReadRestoreJobs({ ...base, roles: [] }, GROUP), false);
    assert.equal(mayReadRestoreJobs({ ...base, roles: [{ role: 'not a role', groupIds: ['*'] }] }, GROUP), false);
  });
});

describe('ipAllowed', () => {
  test('no access list allows every caller', () => {
    const credential = withRoles({ role: 'ORG_OWNER' });
    for (const ip of ['127.0.0.1', '::1', '203.0.113.1', '::ffff:10.0.0.1', '']) assert.equal(ipAllowed(credential, ip), true, ip);
  });

  test('IPv4 CIDR, also for IPv4-mapped IPv6 callers', () => {
    const c = withAccessList('203.0.113.0/24');
    for (const ip of ['203.0.113.0', '203.0.113.255', '::ffff:203.0.113.9', '::FFFF:203.0.113.9']) assert.equal(ipAllowed(c, ip), true, ip);
    for (const ip of ['203.0.114.0', '203.0.112.255', '::ffff:203.0.114.1', '::1', '127.0.0.1']) assert.equal(ipAllowed(c, ip), false, ip);
  });

  test('single IPv4 and IPv6 addresses, with and without a prefix', () => {
    const c = withAccessList('127.0.0.1', '::1/128', '198.51.100.7/32', '2001:db8::5');
    for (const ip of ['127.0.0.1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::1', '0:0:0:0:0:0:0:1', '198.51.100.7', '2001:DB8::5']) assert.equal(ipAllowed(c, ip), true, ip);
    for (const ip of ['127.0.0.2', '::2', '198.51.100.8', '2001:db8::6']) assert.equal(ipAllowed(c, ip), false, ip);
  });

  test('IPv6 CIDR, zone ids on the caller', () => {
    const c = withAccessList('2001:db8::/32', 'fe80::/10');
    for (const ip of ['2001:db8::1', '2001:db8:ffff:ffff::1', 'fe80::1%lo0', 'FE80::abcd']) assert.equal(ipAllowed(c, ip), true, ip);
    for (const ip of ['2001:db9::1', '2001:db7:ffff::1', '::1', '10.0.0.1']) assert.equal(ipAllowed(c, ip), false, ip);
  });

  test('wide and host-bit CIDRs', () => {
    const everyV4 = withAccessList('0.0.0.0/0');
    assert.equal(ipAllowed(everyV4, '8.8.8.8'), true);
    assert.equal(ipAllowed(everyV4, '::ffff:8.8.8.8'), true);
    assert.equal(ipAllowed(everyV4, '2001:db8::1'), false);
    const hostBits = withAccessList('203.0.113.5/24');
    assert.equal(ipAllowed(hostBits, '203.0.113.200'), true);
  });

  test('a caller that is not an IP is refused when there is a list', () => {
    const c = withAccessList('0.0.0.0/0', '::/0');
    for (const ip of ['', 'localhost', 'not-an-ip', '1.2.3', '::ffff:999.1.1.1']) assert.equal(ipAllowed(c, ip), false, JSON.stringify(ip));
    assert.deepEqual(c.accessList?.entries, ['0.0.0.0/0', '::/0']);
  });
});

describe('property: arbitrary input', () => {
  const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'polluted', 'apiKeys', 'serviceAccounts', 'publicKey', 'privateKey', 'clientId', 'clientSecret', 'roles', 'role', 'groupIds', 'accessList', 'description', '<<', 'toString'];
  const leaf = fc.oneof(
    fc.string(),
    fc.constantFrom('abcdefgh', 'GROUP_OWNER', 'ORG_OWNER', 'Project Owner', '*', GROUP, '127.0.0.1/32', '::1', '10.0.0.0/33', 'polluted'),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
  );
  // Trees of [key, value] pairs so `__proto__` can be a real key of the generated text.
  type Tree = unknown;
  const { tree } = fc.letrec<{ tree: Tree; object: Tree; array: Tree }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array')),
    object: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.string()), tie('tree')), { maxLength: 5 }).map((pairs) => ({ pairs })),
    array: fc.array(tie('tree'), { maxLength: 5 }),
  }));
  const toJson = (node: Tree): string => {
    if (Array.isArray(node)) return `[${node.map(toJson).join(',')}]`;
    if (node !== null && typeof node === 'object') {
      return `{${(node as { pairs: Array<[string, Tree]> }).pairs.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
    }
    return JSON.stringify(node) ?? 'null';
  };
  const toYamlValue = (node: Tree): unknown => {
    if (Array.isArray(node)) return node.map(toYamlValue);
    if (node !== null && typeof node === 'object') return new Map((node as { pairs: Array<[string, Tree]> }).pairs.map(([k, v]) => [k, toYamlValue(v)]));
    return node;
  };
  // Fragments that exercise YAML's dangerous corners: anchors, aliases, merge keys, tags, directives.
  const yamlSoup = fc
    .array(
      fc.constantFrom('apiKeys:', 'serviceAccounts:', '\n', '  ', '- ', 'publicKey: abcdefgh', 'privateKey: p', 'roles:', 'role: GROUP_OWNER', 'groupIds: ', '["*"]', '*', '&a ', '*a', '<<: ', '__proto__: ', 'constructor: ', '{', '}', '[', ']', ',', '!!binary ', '!!set ', '!!js/function ', '"', "'", ':', '#', '---\n', '%YAML 1.1\n', 'polluted: true', '? '),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(''));
  const example = parseYaml(`${''}${'apiKeys:\n  - publicKey: abcdefgh\n    privateKey: p\n    roles:\n      - role: GROUP_OWNER\n        groupIds: ["*"]\n    accessList: ["127.0.0.1"]\nserviceAccounts:\n  - clientId: mdb_sa_id_x\n    clientSecret: s\n    roles: [{role: ORG_OWNER}]\n'}`) as Record<string, unknown>;
  // A valid document with one value replaced: passes the syntax, probes the schema and semantic checks.
  const mutated = fc
    .tuple(fc.constantFrom(['apiKeys', 0, 'publicKey'], ['apiKeys', 0, 'roles', 0, 'role'], ['apiKeys', 0, 'roles', 0, 'groupIds'], ['apiKeys', 0, 'roles', 0], ['apiKeys', 0, 'accessList', 0], ['apiKeys', 0, 'accessList'], ['serviceAccounts', 0], ['serviceAccounts'], ['apiKeys', 0, 'roles']), tree)
    .map(([path, value]) => {
      const copy = structuredClone(example) as Record<string | number, unknown>;
      let node: Record<string | number, unknown> = copy;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      node[path[path.length - 1] as string | number] = toYamlValue(value);
      return copy;
    });

  const input = fc.oneof(
    fc.tuple(fc.string({ unit: 'binary' }), fc.constantFrom('json' as const, 'yaml' as const)),
    fc.tuple(fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), fc.constantFrom('json' as const, 'yaml' as const)),
    tree.map((t) => [toJson(t), 'json'] as const),
    tree.map((t) => [stringifyYaml(toYamlValue(t)), 'yaml'] as const),
    tree.map((t) => [`{"apiKeys":[${toJson(t)}]}`, 'json'] as const),
    yamlSoup.map((t) => [t, 'yaml'] as const),
    mutated.map((doc) => [stringifyYaml(doc), 'yaml'] as const),
    mutated.map((doc) => [JSON.stringify(doc, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)), 'json'] as const),
  );

  test('parseCredentials returns credentials or throws CredentialsError, and pollutes nothing', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(input, ([text, format]) => {
        try {
          const credentials = parseCredentials('fuzz', text, format);
          accepted++;
          for (const c of credentials) {
            assert.ok(c.kind === 'apiKey' || c.kind === 'serviceAccount');
            assert.equal(typeof c.id, 'string');
            assert.equal(typeof c.secret, 'string');
            assert.ok(c.roles.length > 0);
            mayReadRestoreJobs(c, GROUP);
            ipAllowed(c, '127.0.0.1');
          }
        } catch (error) {
          if (!(error instanceof CredentialsError)) throw error;
          assert.match(error.message, /^Credentials file fuzz is invalid:\n {2}- /);
          refused++;
        }
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
        assert.equal(typeof ({} as { constructor: unknown }).constructor, 'function');
      }),
      { seed: 20260821, numRuns: 3000 },
    );
    assert.ok(accepted > 0 && refused > 0, `accepted ${accepted}, refused ${refused}: the generators reach both outcomes`);
  });
});
