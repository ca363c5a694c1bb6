/**
 * docs/containers.md stays true to its recipes: each recipe on the page is byte-equal to its file under
 * examples/ (the Node one is run by `npm run test:docker`, the compose one too), and the compose and
 * GitHub Actions files wait for the mock's health check as the page says.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../server/package-root.js';

const RECIPES = [
  'examples/node/testcontainers.test.mjs',
  'examples/containers/go/go.mod',
  'examples/containers/go/restore_job_test.go',
  'examples/containers/java/pom.xml',
  'examples/containers/java/AtlasRestoreMockTest.java',
  'examples/containers/python/test_restore_job.py',
  'examples/containers/github-actions.yml',
  'examples/containers/compose.yaml',
];
const page = await readFile(join(PACKAGE_ROOT, 'docs', 'containers.md'), 'utf8');
const read = (path: string) => readFile(join(PACKAGE_ROOT, path), 'utf8');

test('every recipe on docs/containers.md is its file under examples/, as it stands', async () => {
  const blocks = [...page.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  for (const path of RECIPES) {
    assert.ok(blocks.includes(await read(path)), `docs/containers.md lacks ${path} as it stands. Fix: copy the file into its block.`);
  }
});

test('the compose recipe: app waits for service_healthy, and the mock has a health check on /health', async () => {
  const compose = parse(await read('examples/containers/compose.yaml')) as {
    services: Record<string, { healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }> }>;
  };
  assert.deepEqual(compose.services.app?.depends_on, { 'atlas-mock': { condition: 'service_healthy' } });
  assert.match(compose.services['atlas-mock']?.healthcheck?.test.join(' ') ?? '', /^CMD node -e fetch\('http:\/\/127\.0\.0\.1:8080\/health'\)/);
});

test('the GitHub Actions recipe: the mock is a service with its port and health check timing', async () => {
  const workflow = parse(await read('examples/containers/github-actions.yml')) as {
    jobs: Record<string, { services: Record<string, { image: string; ports: string[]; options: string }>; steps: unknown[] }>;
  };
  const service = workflow.jobs.integration?.services['atlas-mock'];
  assert.ok(service, 'jobs.integration.services.atlas-mock');
  assert.deepEqual(service.ports, ['8080:8080']);
  assert.match(service.options, /--health-interval 5s --health-timeout 3s --health-retries 10/);
});
