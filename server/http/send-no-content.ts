/**
 * Replies of the restore workflow that are not a restore job: the cancel's 204 and the cluster the
 * Atlas CLI reads before a create. Written through Fastify's own reply API, with the headers Atlas
 * sends on its API replies; restore jobs and errors go through render-reply.ts.
 */
import type { FastifyReply } from 'fastify';
import { SUCCESS_CONTENT_TYPE } from './api-version.js';
import { jacksonPretty } from './jackson-pretty.js';
import { objectIdAt } from '../jobs/object-id.js';
import type { RateLimitState } from './render-reply.js';
import type { ReplyFormat } from './reply-format.js';
import { streamFromText } from '../jobs/seeded-random.js';

/** The headers of every Atlas API reply but the 401 challenge. */
const SECURITY_HEADERS = Object.freeze({
  'referrer-policy': 'strict-origin-when-cross-origin',
  'strict-transport-security': 'max-age=31536000; includeSubdomains;',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
});

function headersOf(contentType: string, rate: RateLimitState | undefined): Record<string, string> {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, 'content-type': contentType };
  if (rate) {
    headers['ratelimit-limit'] = String(rate.limit);
    headers['ratelimit-remaining'] = String(rate.remaining);
  }
  return headers;
}

/** An entity's reply with `envelope` and `pretty` applied; envelopes travel as 200 with the status inside. */
function sendEntity(reply: FastifyReply, status: number, entity: Record<string, unknown> | undefined, contentType: string, format: ReplyFormat, rate: RateLimitState | undefined): FastifyReply {
  reply.headers(headersOf(contentType, rate));
  if (format.envelope) {
    // Atlas's envelope: {content, status}; a reply without a body has no content.
    const payload = entity === undefined ? { status } : { content: entity, status };
    return reply.code(200).send(format.pretty ? jacksonPretty(payload) : JSON.stringify(payload));
  }
  if (entity === undefined) return reply.code(status).send();
  return reply.code(status).send(format.pretty ? jacksonPretty(entity) : JSON.stringify(entity));
}

/** The cancel's reply: 204, no body, the restore-job media type and the rate-limit headers, as Atlas sends. */
export function sendNoContent(reply: FastifyReply, format: ReplyFormat, rate: RateLimitState | undefined): FastifyReply {
  return sendEntity(reply, 204, undefined, SUCCESS_CONTENT_TYPE, format, rate);
}

/** Resource versions of Atlas's cluster API, newest first. */
const CLUSTER_VERSIONS = ['2024-08-05', '2023-02-01', '2023-01-01'] as const;
const REQUESTED_DATES = /application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json/gi;

/** The newest cluster version on or before the newest date the Accept header names (it passed negotiation). */
export function clusterVersion(accept: string | undefined): string {
  const dates = [...(accept ?? '').matchAll(REQUESTED_DATES)].map((m) => m[1] as string).sort();
  const newest = dates[dates.length - 1] ?? CLUSTER_VERSIONS[2];
  return CLUSTER_VERSIONS.find((version) => version <= newest) ?? CLUSTER_VERSIONS[2];
}

export interface ClusterFacts {
  groupId: string;
  clusterName: string;
  sharded: boolean;
  seed: number;
}

/**
 * The cluster as the CLI needs it before a create: who it is and that it is a dedicated, idle cluster.
 * Only those fields: the mock knows nothing else about clusters. Keys in Atlas's alphabetical order.
 */
export function clusterBody(facts: ClusterFacts, baseUrl: string): Record<string, unknown> {
  const random = streamFromText(`cluster:${facts.seed}:${facts.groupId}:${facts.clusterName}`);
  const self = `${baseUrl}/api/atlas/v2/groups/${facts.groupId}/clusters/${facts.clusterName}`;
  return {
    clusterType: facts.sharded ? 'SHARDED' : 'REPLICASET',
    groupId: facts.groupId,
    id: objectIdAt(Date.UTC(2024, 0, 1) / 1000 + random.int(0, 365 * 86_400), random),
    links: [{ href: self, rel: 'self' }],
    name: facts.clusterName,
    paused: false,
    stateName: 'IDLE',
  };
}

export function sendCluster(reply: FastifyReply, facts: ClusterFacts, accept: string | undefined, baseUrl: string, format: ReplyFormat, rate: RateLimitState | undefined): FastifyReply {
  const contentType = `application/vnd.atlas.${clusterVersion(accept)}+json;charset=utf-8`;
  return sendEntity(reply, 200, clusterBody(facts, baseUrl), contentType, format, rate);
}
