/**
 * The restore-job list (GET …/backup/restoreJobs) in Atlas's paginated shape: `links`, `results`,
 * `totalCount`, keys in alphabetical order, newest job first. Pure: the route gathers the jobs, this
 * module reads the query, orders, pages and writes the body.
 */
import schemaDocument from '../../schemas/restore-job.schema.json' with { type: 'json' };
import { objectIdAt } from './object-id.js';
import { streamFromText } from './seeded-random.js';

export interface ListQuery {
  includeCount: boolean;
  itemsPerPage: number;
  pageNum: number;
}

/** A query value out of the spec's bounds, for the 400 that names it. */
export interface ListQueryProblem {
  queryParameter: string;
  queryValue: string;
  description: string;
}

type Bounds = { default: number; minimum: number; maximum?: number };
const bounds = schemaDocument.$defs.ListQueryParameters.properties as unknown as {
  includeCount: { default: boolean };
  itemsPerPage: Bounds;
  pageNum: Bounds;
};
/** Atlas's integers are 32-bit. */
const INT32_MAX = 2 ** 31 - 1;

type Query = Record<string, string | string[] | undefined>;
/** A repeated key counts by its first value, as for envelope and pretty. */
const first = (raw: string | string[] | undefined): string | undefined => (Array.isArray(raw) ? raw[0] : raw);

function readInteger(query: Query, name: 'itemsPerPage' | 'pageNum'): number | ListQueryProblem {
  const { default: fallback, minimum, maximum = INT32_MAX } = bounds[name];
  const raw = first(query[name]);
  if (raw === undefined) return fallback;
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (value >= minimum && value <= maximum) return value;
  return { queryParameter: name, queryValue: raw, description: `must be an integer from ${minimum} to ${maximum}` };
}

export function isListQueryProblem(value: unknown): value is ListQueryProblem {
  return typeof value === 'object' && value !== null && 'queryParameter' in value;
}

/** includeCount, itemsPerPage and pageNum with the spec's defaults, or the first one out of bounds. */
export function readListQuery(query: Query): ListQuery | ListQueryProblem {
  const rawCount = first(query.includeCount);
  const includeCount = rawCount === undefined ? bounds.includeCount.default : { true: true, false: false }[rawCount.toLowerCase()];
  if (includeCount === undefined) return { queryParameter: 'includeCount', queryValue: rawCount as string, description: 'must be true or false' };
  const itemsPerPage = readInteger(query, 'itemsPerPage');
  if (isListQueryProblem(itemsPerPage)) return itemsPerPage;
  const pageNum = readInteger(query, 'pageNum');
  if (isListQueryProblem(pageNum)) return pageNum;
  return { includeCount, itemsPerPage, pageNum };
}

/** One job of a list: when it was created, and its compact JSON, written only if its page is sent. */
export interface ListedJob {
  id: string;
  /** its creation time: the ObjectId time of its id */
  createdSeconds: number;
  json(): string;
}

/** Newest first; jobs created in the same second by id, the later id first. */
export function newestFirst(a: ListedJob, b: ListedJob): number {
  return b.createdSeconds - a.createdSeconds || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

const link = (href: string, rel: string) => `{"href":${JSON.stringify(href)},"rel":"${rel}"}`;

/**
 * The page's body. `self` echoes the query in Atlas's own order (includeCount, pageNum, itemsPerPage);
 * `next` appears only when counting and more jobs follow, `previous` after the first page. With
 * `envelope`, the list is its own envelope, as Atlas documents: it gains `status` and nothing else.
 *
 * @param listUrl the list's absolute URL without a query
 * @param jobs every job of the cluster, in any order
 */
export function listBody(listUrl: string, jobs: readonly ListedJob[], query: ListQuery, envelope: boolean): string {
  const { includeCount, itemsPerPage, pageNum } = query;
  const total = jobs.length;
  const start = (pageNum - 1) * itemsPerPage;
  const page = start >= total ? [] : [...jobs].sort(newestFirst).slice(start, start + itemsPerPage);
  const links = [link(`${listUrl}?includeCount=${includeCount}&pageNum=${pageNum}&itemsPerPage=${itemsPerPage}`, 'self')];
  if (pageNum > 1) links.push(link(`${listUrl}?includeCount=${includeCount}&itemsPerPage=${itemsPerPage}&pageNum=${pageNum - 1}`, 'previous'));
  if (includeCount && pageNum * itemsPerPage < total) links.push(link(`${listUrl}?includeCount=true&itemsPerPage=${itemsPerPage}&pageNum=${pageNum + 1}`, 'next'));
  const status = envelope ? '"status":200,' : '';
  return `{"links":[${links.join(',')}],"results":[${page.map((job) => job.json()).join(',')}],${status}"totalCount":${includeCount ? total : 0}}`;
}

const GENERATED_FROM = Date.UTC(2024, 0, 1) / 1000;
const GENERATED_SPAN = 365 * 86_400;

/**
 * With generation on, each cluster has a past of 2 to 6 restore jobs, the same on every run with the
 * same seed: their ids, created during 2024. The single GET generates the same job for each id, so a
 * client that lists and then reads one sees the same bytes.
 */
export function generatedJobIds(seed: number, groupId: string, clusterName: string): string[] {
  const random = streamFromText(`list:${seed}:${groupId}:${clusterName}`);
  const count = random.int(2, 6);
  return Array.from({ length: count }, () => objectIdAt(GENERATED_FROM + random.int(0, GENERATED_SPAN), random));
}
