/**
 * Versioned media types, which Atlas requires in Accept. The restore-job resource has one version,
 * 2023-01-01; any later real calendar date resolves to it, as Atlas resolves a date to the newest
 * resource version on or before it.
 */
export const RESOURCE_VERSION = '2023-01-01';
export const SUCCESS_CONTENT_TYPE = `application/vnd.atlas.${RESOURCE_VERSION}+json;charset=utf-8`;

const VERSIONED = /^application\/vnd\.atlas\.(\d{4})-(\d{2})-(\d{2})\+json$/i;

function isRealDateOnOrAfterFirstVersion(year: string, month: string, day: string): boolean {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  const date = new Date(Date.UTC(y, m - 1, d));
  // setUTCFullYear, because Date.UTC maps years 0-99 to 1900-1999.
  date.setUTCFullYear(y);
  const real = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  // Compare the digits as sent: zero-padded, so string order is date order.
  return real && `${year}-${month}-${day}` >= RESOURCE_VERSION;
}

/**
 * The resource version an Accept header asks for, or undefined (→ 406). Missing Accept, `*\/*` and
 * `application/json` are refused like Atlas does; a media range with `q=0` counts as refused.
 */
export function negotiateVersion(accept: string | undefined): string | undefined {
  if (accept === undefined) return undefined;
  // Clients send the same one or two Accept values on every request; parsing them each time showed
  // in profiles. The memo is bounded: once full, further values are parsed every time.
  const known = memo.get(accept);
  if (known !== undefined) return known || undefined;
  const version = parseAccept(accept);
  if (memo.size < MEMO_SIZE) memo.set(accept, version ?? '');
  return version;
}

const MEMO_SIZE = 256;
/** Accept value → version, '' for refused. */
const memo = new Map<string, string>();

function parseAccept(accept: string): string | undefined {
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';');
    const match = VERSIONED.exec(type.trim());
    if (!match) continue;
    if (params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/i.test(p))) continue;
    if (isRealDateOnOrAfterFirstVersion(match[1] as string, match[2] as string, match[3] as string)) return RESOURCE_VERSION;
  }
  return undefined;
}
