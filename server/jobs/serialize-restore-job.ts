/**
 * Restore-job bodies to compact JSON with the fast-json-stringify serializer generated ahead of time into
 * schemas/restore-job-serializer.ts (npm run validators; schema and options in server/jobs/serializer-schema.ts):
 * about a third cheaper than JSON.stringify(sortKeysDeep(body)), and with nothing compiled at start-up.
 *
 * It writes the official schema's fields in alphabetical order, as Atlas does, and nothing else: a field outside the
 * schema is dropped, and a value of the wrong type is coerced (null to "", 1.5 to 1), not refused. So it
 * serves only bodies made of schema fields with their schema types, which is what fixtures (checked at load
 * against the closed fixture schema) and generated jobs are; test/restore-job-serializer.test.ts proves it
 * writes the same bytes as the reference, shapeRestoreJob. Wire-fidelity bodies add fields outside the
 * schema and are not for it (restoreJobJson in shape-restore-job.ts chooses).
 */
import { serializeRestoreJob as generated } from '../../schemas/restore-job-serializer.js';
import type { DiskBackupSnapshotRestoreJob } from '../../schemas/types.js';

/** The generated code is plain JavaScript, untyped; this names what it serializes. */
export const serializeRestoreJob: (body: DiskBackupSnapshotRestoreJob) => string = generated;
