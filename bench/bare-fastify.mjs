#!/usr/bin/env node
/**
 * The bare-Fastify reference route of the benchmark: the ceiling of the mock's own stack.
 * One GET route that answers a fixed ~1.5 KB JSON body, nothing else: no logger, no hooks, no plugins.
 *
 *   node bench/bare-fastify.mjs [--port 0] [--host 127.0.0.1] [--mode string|object] [--headers plain|atlas]
 *
 * --mode string (default) sends the body serialized once at start-up, as the mock sends a cached job;
 * --mode object returns the object and lets Fastify serialize it on every request.
 * --headers atlas adds the headers every mock reply carries, as Atlas sends them (security headers,
 * Atlas's media type, the rate-limit counts), set through Fastify's reply.headers: what those header
 * lines alone cost the server and the load generator, with none of the mock's work.
 * On start-up it prints one JSON line with the URL, shaped like the mock's own start-up line, so the
 * benchmark finds both the same way. It stops on SIGINT/SIGTERM.
 */
import Fastify from 'fastify';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    mode: { type: 'string', default: 'string' },
    headers: { type: 'string', default: 'plain' },
  },
});
if (values.mode !== 'string' && values.mode !== 'object') {
  console.error(`bare-fastify: --mode must be string or object, got ${values.mode}`);
  process.exit(2);
}
if (values.headers !== 'plain' && values.headers !== 'atlas') {
  console.error(`bare-fastify: --headers must be plain or atlas, got ${values.headers}`);
  process.exit(2);
}

const BASE = 'http://127.0.0.1:8080/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0';
/** A restore-job-like body of about 1.5 KB (1,480 bytes compact). */
export const BODY = {
  cancelled: false,
  components: [0, 1, 2].map((i) => ({
    downloadUrl: `https://restore-6a880ef37c2e91d04b380240.q4zk9w.mongodb.net:27017/BksLbdNDlUd1cdLjRbPsgFYj/restore-6a8760702c88fa3e5d37e93a-atlas-q4zk9w-shard-${i}.tar.gz`,
    replicaSetName: `atlas-q4zk9w-shard-${i}`,
  })),
  deliveryType: 'download',
  deliveryUrl: [],
  expired: false,
  expiresAt: '2026-08-21T09:44:36Z',
  failed: false,
  id: '6a880ef37c2e91d04b380240',
  links: [
    { href: `${BASE}/backup/restoreJobs/6a880ef37c2e91d04b380240`, rel: 'self' },
    { href: `${BASE}/backup/snapshots/6a8760702c88fa3e5d37e93a`, rel: 'https://cloud.mongodb.com/snapshot' },
    { href: BASE, rel: 'https://cloud.mongodb.com/cluster' },
    { href: 'http://127.0.0.1:8080/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8', rel: 'https://cloud.mongodb.com/group' },
  ],
  snapshotId: '6a8760702c88fa3e5d37e93a',
  timestamp: '2026-08-20T20:17:09Z',
};
const SERIALIZED = JSON.stringify(BODY);
/** The headers of a mock's restore-job reply besides Content-Length (server/http/render-reply.ts). */
const ATLAS_HEADERS = {
  'referrer-policy': 'strict-origin-when-cross-origin',
  'strict-transport-security': 'max-age=31536000; includeSubdomains;',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'content-type': 'application/vnd.atlas.2023-01-01+json;charset=utf-8',
  'ratelimit-limit': '1200',
};
let remaining = 1200;

const app = Fastify({ logger: false });
// `/` is the reference route; `/*` answers any other path the same way, so the benchmark can send
// the mock's own request shapes (fresh ids, Digest headers) here to measure what they cost the client.
const setHeaders =
  values.headers === 'atlas'
    ? (reply) => {
        remaining = remaining === 0 ? 1199 : remaining - 1;
        reply.headers(ATLAS_HEADERS).header('ratelimit-remaining', String(remaining));
      }
    : (reply) => {
        reply.header('content-type', 'application/json; charset=utf-8');
      };
const handler =
  values.mode === 'string'
    ? (_request, reply) => {
        setHeaders(reply);
        reply.send(SERIALIZED);
      }
    : async (_request, reply) => {
        setHeaders(reply);
        return BODY;
      };
app.get('/', handler);
app.get('/*', handler);

const address = await app.listen({ port: Number(values.port), host: values.host });
console.log(JSON.stringify({ msg: `bare-fastify listening on ${address}`, url: address, mode: values.mode, bytes: Buffer.byteLength(SERIALIZED) }));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0), () => process.exit(1));
  });
}
