/**
 * JSON in the layout of Jackson's DefaultPrettyPrinter, which Atlas (a Java service) uses for
 * `pretty=true` and for its Digest challenge body, as recorded replies show:
 * objects indent by two spaces per level with `"key" : value`; arrays stay on the line
 * (`[ "a", "b" ]`, `[ {` … `}, {` … `} ]`) and do not add a level; empty ones are `[ ]` and `{ }`;
 * no trailing newline. Key order is the object's own.
 */
type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export function jacksonPretty(value: unknown): string {
  return write(value as JsonValue, 0);
}

function write(value: JsonValue, nesting: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    // Jackson's array indenter is inline, so elements keep the enclosing object's nesting.
    return `[ ${value.map((v: JsonValue) => write(v, nesting)).join(', ')} ]`;
  }
  const entries = Object.entries(value as Record<string, JsonValue>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{ }';
  const inner = `\n${'  '.repeat(nesting + 1)}`;
  const fields = entries.map(([k, v]) => `${JSON.stringify(k)} : ${write(v, nesting + 1)}`);
  return `{${inner}${fields.join(`,${inner}`)}\n${'  '.repeat(nesting)}}`;
}
