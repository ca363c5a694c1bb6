/**
 * Test helpers: build the app like a user's test would, and hold every body a test sees to the schema
 * generated from the official Atlas spec (not to our own route schema, which would prove nothing).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { STATUS_CODES } from 'node:http';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import schemaDocument from '../schemas/restore-job.schema.json' with { type: 'json' };
import { buildApp } from '../server/app.js';
import type { MockOptions } from '../server/options.js';
import { createAjv } from '../server/validation/compile-validators.js';
import { validators, type Validator } from '../server/validation/spec-schemas.js';
import { UNAUTHORIZED_BODY } from '../server/http/render-reply.js';
import type { ApiError } from '../schemas/types.js';

export const GROUP = '32b6e34b3d91647abb20e7b8';
export const CLUSTER = 'Cluster0';
export const VERSIONED = 'application/vnd.atlas.2023-01-01+json';
export const SUCCESS_TYPE = 'application/vnd.atlas.2023-01-01+json;charset=utf-8';

export function jobUrl(groupId: string, clusterName: string, restoreJobId: string, query = ''): string {
  return `/api/atlas/v2/groups/${groupId}/clusters/${clusterName}/backup/restoreJobs/${restoreJobId}${query}`;
}

/** A fresh app per test, closed when the test ends. Logs are silent unless a test asks. */
export async function build(t: TestContext, options: Partial<MockOptions> = {}): Promise<FastifyInstance> {
  // Auth is off unless a test is about auth, so the other suites read as plain HTTP.
  const { app } = await buildApp({ logLevel: 'silent', auth: 'off', ...options });
  t.after(() => app.close());
  await app.ready();
  return app;
}

/**
 * In wire-fidelity mode real Atlas breaks its own schema in exactly two ways; this validator
 * tolerates those two and nothing else, so the rest of the body is still held to the spec.
 */
const wireValidator: Validator<unknown> = (() => {
  const document = structuredClone(schemaDocument) as typeof schemaDocument & { $id: string };
  document.$id = 'wire-fidelity.schema.json';
  const timestamp = document.$defs.ApiBSONTimestampView as { properties: Record<string, unknown> };
  timestamp.properties = {
    date: { anyOf: [{ type: 'null' }, timestamp.properties.date as object] },
    increment: { anyOf: [{ type: 'null' }, timestamp.properties.increment as object] },
    time: { type: 'null' },
  };
  const job = document.$defs.DiskBackupSnapshotRestoreJob as { properties: Record<string, unknown> };
  job.properties.targetDeploymentItemName = { type: 'string', pattern: '^atlas-[a-z0-9]{6}$' };
  const ajv = createAjv();
  ajv.addSchema(document);
  return ajv.getSchema('wire-fidelity.schema.json#/$defs/DiskBackupSnapshotRestoreJob') as Validator<unknown>;
})();

interface ResponseLike {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

function validate(validator: Validator<unknown>, value: unknown, what: string): void {
  assert.ok(validator(value), `${what} does not match the official schema: ${JSON.stringify(validator.errors)}\n${JSON.stringify(value)}`);
}

/** An envelope: `{"content": …, "status": n}`, the body of every reply a client asked `envelope=true` for. */
function isEnvelope(parsed: unknown): parsed is { content: unknown; status: number } {
  return typeof parsed === 'object' && parsed !== null && 'content' in parsed && 'status' in parsed;
}

/**
 * Parses an Atlas reply and validates it against the official schema: a job for 200, an ApiError
 * otherwise (through the whole error contract, assertAtlasError); an envelope is unwrapped and its
 * `status` checked. Returns the parsed entity.
 */
// The parsed body's shape depends on the status; callers narrow it with assertions.
export function assertMatchesSpec(response: ResponseLike, options: { wire?: boolean } = {}): any {
  const parsed: unknown = parseJson(response, 'a reply');
  const status = isEnvelope(parsed) ? parsed.status : response.statusCode;
  if (status !== 200) return assertAtlasError(response, { status });
  let entity = parsed;
  if (isEnvelope(parsed)) {
    assert.equal(response.statusCode, 200, 'an enveloped reply travels as 200');
    assert.deepEqual(Object.keys(parsed), ['content', 'status']);
    entity = parsed.content;
  }
  validate(options.wire ? wireValidator : validators.restoreJob, entity, 'job');
  return entity;
}

function parseJson(response: ResponseLike, what: string): unknown {
  try {
    return JSON.parse(response.body);
  } catch {
    return assert.fail(`${what}: HTTP ${response.statusCode} with a body that is not JSON: ${response.body.slice(0, 300)}`);
  }
}

/** Fastify's own error body has these at the top level; an Atlas body never does. */
function assertNotFrameworkBody(value: unknown, body: string, what: string): void {
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `${what}: the body is not a JSON object: ${body.slice(0, 300)}`);
  for (const key of ['statusCode', 'message', 'code']) {
    assert.ok(!(key in value), `${what}: a framework's default body (has "${key}") instead of an Atlas one: ${body.slice(0, 300)}`);
  }
}

export interface ExpectedAtlasError {
  /** the error's status: the HTTP status, or inside an envelope the `status` field (HTTP is then 200) */
  status: number;
  errorCode?: string;
  /** whether the body must (true) or must not (false) be an envelope; either when left out */
  enveloped?: boolean;
}

/**
 * The Atlas error contract, in one place, for every test that sees an error:
 * - HTTP status equal to the error's, or 200 with `{"content": <error>, "status": <error's status>}`
 *   when enveloped, and never a framework's default body (`{"statusCode", "message", …}`);
 * - `Content-Type: application/json` and `X-Error-Code` equal to the body's `errorCode`;
 * - a body valid against the official ApiError schema, with `error` equal to the status, `reason` the
 *   status's reason phrase, `detail` and `parameters` present, and its keys in alphabetical order
 *   (compact or pretty);
 * - except the recorded 401 of a failed login, which Atlas sends byte for byte without X-Error-Code,
 *   `parameters` or sorted keys.
 * Returns the ApiError.
 */
// The ApiError's optional parts (badRequestDetail) are read by callers; any keeps those reads short.
export function assertAtlasError(response: ResponseLike, expected: ExpectedAtlasError, what = ''): any {
  const label = what === '' ? `HTTP ${response.statusCode}` : what;
  const parsed = parseJson(response, label);
  assertNotFrameworkBody(parsed, response.body, label);
  let entity = parsed;
  let status = response.statusCode;
  if (isEnvelope(parsed)) {
    assert.equal(response.statusCode, 200, `${label}: an enveloped error travels as 200`);
    assert.deepEqual(Object.keys(parsed), ['content', 'status'], `${label}: an envelope holds content and status only`);
    ({ content: entity, status } = parsed);
    assertNotFrameworkBody(entity, response.body, label);
  }
  if (expected.enveloped !== undefined) assert.equal(isEnvelope(parsed), expected.enveloped, `${label}: enveloped ${String(expected.enveloped)}`);
  assert.equal(status, expected.status, `${label}: status: ${response.body.slice(0, 300)}`);
  assert.equal(response.headers['content-type'], 'application/json', `${label}: content type`);
  validate(validators.apiError, entity, `${label}: error`);
  const error = entity as ApiError;
  assert.equal(error.error, status, `${label}: the error field equals the status`);
  if (expected.errorCode !== undefined) assert.equal(error.errorCode, expected.errorCode, `${label}: errorCode`);
  assert.equal(error.reason, STATUS_CODES[status], `${label}: reason is the status's reason phrase`);
  assert.equal(typeof error.detail, 'string', `${label}: detail`);
  if (status === 401 && response.body === UNAUTHORIZED_BODY) {
    // Atlas's recorded 401: no X-Error-Code and no parameters, in its own key order.
    assert.equal(response.headers['x-error-code'], undefined, `${label}: the recorded 401 has no X-Error-Code`);
    return error;
  }
  assert.equal(response.headers['x-error-code'], error.errorCode, `${label}: X-Error-Code equals errorCode`);
  assert.ok(Array.isArray(error.parameters), `${label}: parameters is an array`);
  const keys = Object.keys(error);
  assert.deepEqual(keys, [...keys].sort(), `${label}: the error's keys in alphabetical order`);
  return error;
}

/** Keys of a compact JSON object in the order they were written. */
export function keyOrder(json: string): string[] {
  return Object.keys(JSON.parse(json) as object);
}

export function isSorted(values: readonly string[]): boolean {
  return values.every((v, i) => i === 0 || (values[i - 1] as string) < v);
}

/** Every object in a parsed JSON value has its keys in alphabetical order. */
export function assertKeysSortedDeep(value: unknown, path = '$'): void {
  if (Array.isArray(value)) value.forEach((v, i) => assertKeysSortedDeep(v, `${path}[${i}]`));
  else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    assert.ok(isSorted(keys), `keys of ${path} are not alphabetical: ${keys.join(', ')}`);
    for (const k of keys) assertKeysSortedDeep((value as Record<string, unknown>)[k], `${path}.${k}`);
  }
}

/** How long a child may take to print its start-up line before the test gives up on it. */
export const START_TIMEOUT_MS = 20_000;

/** Children started by this test file and still running: killed when the file's process exits. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/**
 * Spawns a child that a test owns: it is SIGKILLed when the test (`t`) ends, however it ends, and
 * when this file's process exits, so no test can leave a mock running and hold the suite open.
 */
export function spawnOwned(t: TestContext | undefined, command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  t?.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Resolves with the child's exit code, or rejects (and kills it) after `ms`: no wait is unbounded. */
export async function exitWithin(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child (pid ${child.pid}) did not exit within ${ms} ms; killed it`));
    }, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/**
 * Starts a mock process (the bin, or any command that runs it) and resolves once its start-up line
 * names the URL, or rejects after START_TIMEOUT_MS. Every stdout line is kept in `lines`, including
 * those logged later. The child is the test's (spawnOwned) when `t` is given.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  t?: TestContext,
): Promise<{ child: ChildProcess; url: string; lines: string[] }> {
  const child = spawnOwned(t, command, args, env);
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the mock printed no start-up line within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        lines.push(line);
        const match = /atlas-restore-mock listening on (http:\/\/[^:]+:\d+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve((match[1] as string).replace('://0.0.0.0:', '://127.0.0.1:'));
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the mock exited with ${code} before listening: ${stderr}`));
    });
  });
  return { child, url, lines };
}
