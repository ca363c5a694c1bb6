/**
 * The cluster as `atlas backups restores start` reads it before a create: who it is, and that it is a
 * dedicated, idle cluster. Only those fields: the mock knows nothing else about clusters.
 */
import { objectIdAt } from '../jobs/object-id.js';
import { streamFromText } from '../jobs/seeded-random.js';

/** Resource versions of Atlas's cluster API, newest first. */
const CLUSTER_VERSIONS = ['2024-08-05', '2023-02-01', '2023-01-01'] as const;
const REQUESTED_DATES = /application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json/gi;

/** The newest cluster version on or before the newest date the Accept header names (it passed negotiation). */
export function clusterVersion(accept: string | undefined): string {
  const dates = [...(accept ?? '').matchAll(REQUESTED_DATES)].map((m) => m[1] as string).sort();
  const newest = dates[dates.length - 1] ?? CLUSTER_VERSIONS[2];
  return CLUSTER_VERSIONS.find((version) => version <= newest) ?? CLUSTER_VERSIONS[2];
}

/** The media type of the cluster reply, in the version the Accept header leads to. */
export function clusterContentType(accept: string | undefined): string {
  return `application/vnd.atlas.${clusterVersion(accept)}+json;charset=utf-8`;
}

export interface ClusterFacts {
  groupId: string;
  clusterName: string;
  sharded: boolean;
  seed: number;
}

/** The cluster's body, the same for the same seed and ids; keys in Atlas's alphabetical order. */
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
