/**
 * Error scenarios: which Atlas error a request answers with instead of its job, and at which point of
 * the request's path it fires: where Atlas would produce an error of its status.
 * Selectors, most specific first: the `Prefer: code=…` header, a well-known id, a rule set at runtime
 * (control API, startMock), the fixture's `x-mock.error`, the global `--scenario`.
 */
import { DEFAULT_ERROR_FOR_STATUS, findAtlasError, getAtlasError, type AtlasErrorDefinition } from '../http/atlas-errors.js';
import { FAULTS, parseDelay, type DelayRange, type Fault } from './scenario-book.js';

/** Points in the order of checks at which a selected error can fire. */
export type Stage = 'auth' | 'version' | 'validation' | 'lookup' | 'handler';

/** Access and gateway errors come before the request is read; a 406 at content negotiation, and so on. */
export function stageOf(definition: AtlasErrorDefinition): Stage {
  switch (definition.status) {
    case 401:
    case 403:
    case 429:
    case 503:
      return 'auth';
    case 406:
      return 'version';
    case 400:
      return 'validation';
    case 404:
      return 'lookup';
    default:
      return 'handler';
  }
}

export interface PreferResult {
  definition?: AtlasErrorDefinition;
  delay?: DelayRange;
  fault?: Fault;
  /** the preference that could not be honoured, as written (`code=418`), for the 400 */
  invalid?: string;
}

/** What a request without Prefer asks for: shared, as most requests have none. */
const NO_PREFERENCES: PreferResult = Object.freeze({});

/**
 * Reads `Prefer: code=404, delay=300, fault=reset` (Prism's `code` convention, RFC 7240 syntax).
 * Unknown preferences are ignored, as section 2 of RFC 7240 asks; a known one with a value the mock cannot
 * honour is reported so the caller can answer 400.
 */
export function parsePrefer(header: string | string[] | undefined): PreferResult {
  if (header === undefined) return NO_PREFERENCES;
  const text = Array.isArray(header) ? header.join(',') : header;
  const result: PreferResult = {};
  for (const part of text.split(/[,;]/)) {
    const match = /^\s*(code|delay|fault)\s*=\s*"?([^"]*?)"?\s*$/i.exec(part);
    if (!match) continue;
    const name = (match[1] as string).toLowerCase();
    const value = match[2] as string;
    if (name === 'code' && result.definition === undefined) {
      const definition = findAtlasError(value);
      if (definition) result.definition = definition;
      else result.invalid ??= `code=${value}`;
    } else if (name === 'delay' && result.delay === undefined) {
      const delay = parseDelay(value);
      if (delay) result.delay = delay;
      else result.invalid ??= `delay=${value}`;
    } else if (name === 'fault' && result.fault === undefined) {
      if ((FAULTS as readonly string[]).includes(value)) result.fault = value as Fault;
      else result.invalid ??= `fault=${value}`;
    }
  }
  return result;
}

const WELL_KNOWN = /^0{21}(\d{3})$/;

/**
 * Ids that demo an error with no header and no file: a restoreJobId (or groupId) of 21 zeros and a
 * status, e.g. 000000000000000000000404. A 404 on the groupId names the group.
 */
export function wellKnownError(groupId: string, restoreJobId: string): AtlasErrorDefinition | undefined {
  // Nearly every id starts with another digit; two regex runs per request showed in profiles.
  if (!restoreJobId.startsWith('0') && !groupId.startsWith('0')) return undefined;
  const byJob = WELL_KNOWN.exec(restoreJobId);
  const byGroup = WELL_KNOWN.exec(groupId);
  const status = Number((byGroup ?? byJob)?.[1]);
  const name = DEFAULT_ERROR_FOR_STATUS.get(status);
  if (name === undefined) return undefined;
  if (byGroup && status === 404) return getAtlasError('GROUP_NOT_FOUND');
  return getAtlasError(name);
}
