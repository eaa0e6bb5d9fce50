/**
 * Reading an S3 object of this Sluice: `<dataDir>/s3/<bucket>/<key segments>`, the layout Firehose
 * delivers into (names through src/storage/data-paths.ts), or the Firehose's memory buckets when
 * there is no data directory. Reference data and schema discovery read objects this way.
 */

import fs from 'node:fs';
import path from 'node:path';
import { MemoryObjectStore } from '../sinks/object-store.js';
import type { FirehoseApi } from '../sinks/firehose/index.js';
import { assertInside, namedPath, objectPath } from '../storage/data-paths.js';

/** KDA's limit on a reference data object. */
export const MAX_OBJECT_BYTES = 1024 * 1024 * 1024;

export type ReadObject = (bucket: string, key: string) => Promise<Buffer | null>;

/** How objects are read here; null means the object does not exist. */
export function objectReader(dataDir: string | null, firehose: FirehoseApi): ReadObject {
  if (dataDir === null) {
    return async (bucket, key) => {
      const store = firehose.bucket(bucket);
      const body = store instanceof MemoryObjectStore ? store.objects.get(key) : undefined;
      return body ? Buffer.from(body) : null;
    };
  }
  const root = path.join(path.resolve(dataDir), 's3');
  return async (bucket, key) => {
    const folder = namedPath(root, bucket);
    const file = assertInside(folder, objectPath(folder, key));
    try {
      const stat = await fs.promises.stat(file);
      if (!stat.isFile()) return null;
      if (stat.size > MAX_OBJECT_BYTES) throw new Error(`s3://${bucket}/${key} has ${stat.size} bytes; a reference data object can have at most 1 GiB`);
      return await fs.promises.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw e;
    }
  };
}
