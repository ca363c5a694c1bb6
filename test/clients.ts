/**
 * The third-party clients the tests drive the mock with, typed once. Both packages are CommonJS without
 * typings that fit NodeNext; their shapes are asserted by use.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const DigestClient = (require('digest-fetch') as { default: new (user: string, password: string, options?: object) => { fetch: typeof fetch } }).default;

export const getMongodbAtlasApiClient = require('mongodb-atlas-api-client') as (options: { baseUrl: string; projectId: string; publicKey: string; privateKey: string }) => {
  cloudBackup: {
    createSnapshotRestoreJob: (cluster: string, body: object, options?: object) => Promise<unknown>;
    getSnapshotRestoreJob: (cluster: string, id: string, options?: object) => Promise<unknown>;
  };
};
