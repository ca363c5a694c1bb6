/**
 * Test helpers: build the app like a user's test would, and hold every body a test sees to the schema
 * generated from the official Atlas spec (not to our own route schema, which would prove nothing).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import schemaDocument from '../schemas/restore-job.schema.json' with { type: 'json' };
import { buildApp } from '../server/app.js';
import type { MockOptions } from '../server/options.js';
import { createAjv } from '../server/compile-validators.js';
import { validators, type Validator } from '../server/spec-schemas.js';

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
 * In wire-fidelity mode (D13) real Atlas breaks its own schema in exactly two ways; this validator
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

/**
 * Parses an Atlas reply and validates it against the official schema: a job for 200, an ApiError
 * otherwise; an envelope is unwrapped and its `status` checked. Returns the parsed entity.
 */
// The parsed body's shape depends on the status; callers narrow it with assertions.
export function assertMatchesSpec(response: ResponseLike, options: { wire?: boolean } = {}): any {
  const parsed: unknown = JSON.parse(response.body);
  let status = response.statusCode;
  let entity = parsed;
  const enveloped = typeof parsed === 'object' && parsed !== null && 'content' in parsed && 'status' in parsed;
  if (enveloped) {
    assert.equal(response.statusCode, 200, 'an enveloped reply travels as 200');
    assert.deepEqual(Object.keys(parsed), ['content', 'status']);
    ({ content: entity, status } = parsed as { content: unknown; status: number });
  }
  if (status === 200) {
    validate(options.wire ? wireValidator : validators.restoreJob, entity, 'job');
  } else {
    validate(validators.apiError, entity, 'error');
    assert.equal((entity as { error: number }).error, status, 'error field equals the status');
  }
  return entity;
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

/**
 * Starts a mock process (the bin, or any command that runs it) and resolves once its start-up line
 * names the URL. Every stdout line is kept in `lines`, including those logged later.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; url: string; lines: string[] }> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        lines.push(line);
        const match = /atlas-restore-mock listening on (http:\/\/[^:]+:\d+)/.exec(line);
        if (match) resolve((match[1] as string).replace('://0.0.0.0:', '://127.0.0.1:'));
      }
    });
    child.once('exit', (code) => reject(new Error(`the mock exited with ${code} before listening: ${stderr}`)));
  });
  return { child, url, lines };
}
