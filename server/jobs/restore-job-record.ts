import type { DiskBackupSnapshotRestoreJob } from '../../schemas/types.js';

/**
 * A restore job as the mock stores it (from a fixture or the generator): Atlas's fields minus `links`,
 * which depend on the base URL a request came in on and are added by shapeRestoreJob.
 */
export type RestoreJobRecord = Omit<DiskBackupSnapshotRestoreJob, 'links'> & { id: string };
