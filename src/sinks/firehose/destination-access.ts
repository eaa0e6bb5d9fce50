/**
 * What a delivery stream's destination may reach, checked when it is configured (Create and
 * UpdateDestination answer InvalidArgumentException) and again when a buffer is delivered: a
 * `duckdb:` file only inside the data directory or a folder allowed with --allow-path, and an HTTP
 * endpoint on a literal private address only with --allow-private-endpoints. Host names are
 * resolved at delivery (src/net/outbound-guard.ts).
 */

import { apiErrors } from '../../ingest/api/index.js';
import { literalRefusal } from '../../net/outbound-guard.js';
import { PathNotAllowedError, type AllowedPaths } from '../../storage/allowed-paths.js';
import type { Destination } from './destination.js';

export interface DestinationAccess {
  readonly files: AllowedPaths;
  readonly allowPrivateEndpoints: boolean;
}

/** Throws InvalidArgumentException when the destination names a file or an address Sluice may not use. */
export function checkDestinationAccess(d: Destination, access: DestinationAccess): void {
  if (d.kind !== 'http') return;
  if (d.duckdb) {
    duckDbFile(d.duckdb.file, access.files, (message) => apiErrors.invalid(`Url ${d.url}: ${message}`));
    return;
  }
  const refusal = access.allowPrivateEndpoints ? undefined : literalRefusal(d.url);
  if (refusal) throw apiErrors.invalid(`Url ${d.url}: ${refusal.message}.`);
}

/** The absolute path of a `duckdb:` Url's file; a path that may not be written throws what `fail` makes of the reason. */
export function duckDbFile(file: string, files: AllowedPaths, fail: (message: string) => Error = (m) => new Error(m)): string {
  try {
    return files.resolve(file, 'DuckDB file');
  } catch (e) {
    if (e instanceof PathNotAllowedError) throw fail(e.message);
    throw e;
  }
}
