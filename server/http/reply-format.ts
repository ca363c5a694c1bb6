/**
 * The `envelope` and `pretty` query parameters, which every Atlas API operation takes: `envelope`
 * wraps the reply in `{content, status}`, `pretty` writes it in Jackson's indented layout.
 */
export interface ReplyFormat {
  envelope: boolean;
  pretty: boolean;
}

export const PLAIN_FORMAT: ReplyFormat = Object.freeze({ envelope: false, pretty: false });

export interface FormatProblem {
  queryParameter: string;
  queryValue: string;
}

type Query = Record<string, string | string[] | undefined>;

function parseBoolean(raw: string): boolean | undefined {
  const v = raw.toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

/**
 * Reads both flags; a repeated key counts by its first value, as JAX-RS's @QueryParam does.
 * Returns the problem (for a 400) instead of throwing.
 */
export function readReplyFormat(query: Query): ReplyFormat | FormatProblem {
  if (query.envelope === undefined && query.pretty === undefined) return PLAIN_FORMAT;
  const format = { envelope: false, pretty: false };
  for (const name of ['envelope', 'pretty'] as const) {
    const raw = query[name];
    if (raw === undefined) continue;
    const first = Array.isArray(raw) ? (raw[0] ?? '') : raw;
    const value = parseBoolean(first);
    if (value === undefined) return { queryParameter: name, queryValue: first };
    format[name] = value;
  }
  return format;
}

export function isFormatProblem(value: ReplyFormat | FormatProblem): value is FormatProblem {
  return 'queryParameter' in value;
}
