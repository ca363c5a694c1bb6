#!/usr/bin/env node
/**
 * The `atlas-restore-mock` command: options from flags and ATLAS_MOCK_* env, one start-up line,
 * graceful stop on SIGINT/SIGTERM. A bad option or fixture stops start-up with exit code 2 and a
 * message that names the fix. `-c "<command>"` runs a command against the mock (ATLAS_MOCK_URL set),
 * stops the mock and exits with the command's code, for test suites that are not written in Node.
 */
import { spawn } from 'node:child_process';
import { buildApp } from './app.js';
import { CredentialsError } from './auth/credentials.js';
import { FixtureError } from './jobs/load-fixtures.js';
import { OptionError, helpText, resolveOptions } from './options.js';

/** Takes `-c <command>` / `--command <command>` out of argv; the rest are mock options. */
function splitCommand(argv: string[]): { command: string | undefined; rest: string[] } {
  const at = argv.findIndex((a) => a === '-c' || a === '--command');
  if (at < 0) return { command: undefined, rest: argv };
  const command = argv[at + 1];
  if (command === undefined || command.trim() === '') {
    throw new OptionError('Option -c needs a command. Fix: for example -c "go test ./..." (quote it as one argument).');
  }
  return { command, rest: [...argv.slice(0, at), ...argv.slice(at + 2)] };
}

async function main(): Promise<void> {
  const { command, rest } = splitCommand(process.argv.slice(2));
  // With -c, a free port unless one was asked for: the command learns it from ATLAS_MOCK_URL.
  const portGiven = rest.some((a) => a === '--port' || a.startsWith('--port=')) || Boolean(process.env.ATLAS_MOCK_PORT);
  const { options, help } = resolveOptions(command && !portGiven ? ['--port', '0', ...rest] : rest, process.env);
  if (help) {
    console.log(helpText());
    return;
  }
  // Outside a test process only the control API reads the journal, so without it the CLI keeps none: a
  // ring of the last requests' URLs outlived V8's young-generation collections and made it grow to its
  // largest size under load (about 70 MiB more RSS on Node 24 after a million requests).
  const { app, fixtures, credentials } = await buildApp(options.control ? options : { ...options, journalSize: 0 });
  const address = await app.listen({ port: options.port, host: options.host });
  const shownUrl = address.replace('://0.0.0.0:', '://127.0.0.1:');
  app.log.info(
    {
      url: shownUrl, fixtures: fixtures.count, fixturesFolder: fixtures.folder, generate: options.generate, seed: options.seed,
      scenario: options.scenario, auth: options.auth, credentials: credentials.count,
    },
    `atlas-restore-mock listening on ${address}: ${fixtures.count} fixtures, auth ${options.auth}` +
      `${options.auth === 'strict' ? ` (${credentials.count} credentials)` : ''}, seed ${options.seed}, generate ${options.generate ? 'on' : 'off'}, scenario ${options.scenario}`,
  );

  if (command !== undefined) {
    const child = spawn(command, { shell: true, stdio: 'inherit', env: { ...process.env, ATLAS_MOCK_URL: shownUrl } });
    child.once('exit', (code, signal) => {
      app.server.closeAllConnections();
      app.close().finally(() => process.exit(code ?? (signal ? 1 : 0)));
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal));
    return;
  }

  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'stopping: finishing in-flight requests');
    // Node closes the connections that are idle when the server closes, not those that go idle later
    // as their last reply is sent: a keep-alive client (fetch, the Go SDK) would hold the process until
    // the keep-alive timeout, past `docker stop`'s grace period. Close those as they go idle.
    const idle = setInterval(() => app.server.closeIdleConnections(), 50);
    idle.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof OptionError || error instanceof FixtureError || error instanceof CredentialsError) {
    console.error(`atlas-restore-mock: ${error.message}`);
    process.exit(2);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    console.error(`atlas-restore-mock: cannot listen: ${(error as Error).message}. Fix: choose another --port / --host (ATLAS_MOCK_PORT / ATLAS_MOCK_HOST).`);
    process.exit(2);
  }
  console.error('atlas-restore-mock: failed to start:', error);
  process.exit(1);
});
