/**
 * What fast-json-stringify compiles, ahead of time, into schemas/restore-job-serializer.ts: the serializer
 * of default-mode restore-job bodies. schemas/generate-validators.ts writes that module. The
 * server never imports this one: it runs the generated code, so nothing is compiled at start-up.
 *
 * The schema is the official DiskBackupSnapshotRestoreJob (schemas/restore-job.schema.json) with two
 * changes, so that the serializer writes byte for byte what JSON.stringify(shapeRestoreJob(...)) writes:
 * - every `properties` in alphabetical order (the order of Array.prototype.sort, as sortKeysDeep's):
 *   fast-json-stringify writes properties in schema order, and Atlas's order is alphabetical;
 * - no `required`: fast-json-stringify writes required properties first, whatever their place, and throws
 *   when one is missing; sortKeysDeep does neither.
 * Types, refs and everything else stay, so the serializer still writes only the schema's fields, with
 * their types: test/restore-job-serializer.test.ts holds it to shapeRestoreJob.
 */
import schemaDocument from '../../schemas/restore-job.schema.json' with { type: 'json' };

type SchemaNode = { [key: string]: unknown };

/** A deep copy of a schema with every `properties` sorted by name and every `required` dropped. */
function sortedOptional<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map((s: unknown) => sortedOptional(s)) as T;
  if (schema === null || typeof schema !== 'object') return schema;
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(schema as SchemaNode)) {
    if (key === 'required') continue;
    if (key === 'properties') {
      const properties = value as SchemaNode;
      out[key] = Object.fromEntries(Object.keys(properties).sort().map((name) => [name, sortedOptional(properties[name])]));
    } else {
      out[key] = sortedOptional(value);
    }
  }
  return out as T;
}

/**
 * The job schema at the root, its `$defs` beside it: fast-json-stringify 7 resolves `#/$defs/...` refs like
 * any JSON pointer into the root, so the refs stay as the spec writes them. The `$id` keeps the
 * generated code's comments independent of how many schemas were built before in the same process.
 */
export function restoreJobSerializerSchema(): SchemaNode {
  const defs = sortedOptional(structuredClone(schemaDocument.$defs)) as unknown as Record<string, SchemaNode>;
  return { $id: 'atlas-restore-job-serializer', ...defs.DiskBackupSnapshotRestoreJob, $defs: defs };
}

/**
 * fast-json-stringify's default array mechanism copies arrays of plain strings (and numbers) into
 * JSON.stringify above a length cut-off that depends on the Node version that generated the code (its
 * README, "Primitive arrays"), so the generated file would differ between Node 20 and 22. 'json-stringify'
 * with a size no array can reach (the maximum array length is 2^32 - 1) turns every such path off: the
 * file is the same on any Node, and every array element goes through the schema. The arrays of a job
 * hold a handful of items, where the per-item loop is the faster one anyway.
 */
export const SERIALIZER_OPTIONS = {
  mode: 'standalone',
  largeArrayMechanism: 'json-stringify',
  largeArraySize: 2 ** 32,
} as const;
