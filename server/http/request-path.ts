import type { FastifyRequest } from 'fastify';
import { rememberLast } from '../caches/remember-last.js';

/** The path of a request-target, without its query: what Atlas's error texts and the journal show. */
export function pathOf(url: string): string {
  // indexOf and slice, not split: this runs on every request.
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

// Clients keep to one host, so a repeat gets the very string made for the last one, which the
// catalog's cache then compares by identity.
const httpBaseUrl = rememberLast((host) => `http://${host}`);

/** The scheme and host a client reached the mock at: the start of every link in a reply. */
export function baseUrlOf(request: FastifyRequest): string {
  const { protocol } = request;
  return protocol === 'http' ? httpBaseUrl(request.host) : `${protocol}://${request.host}`;
}
