/**
 * What a stream's WITH options may reach, checked when the statement runs so a refused application
 * fails with a diagnostic instead of at its first delivery. With an AllowedPaths (applications of
 * `sluice start`), a file or DuckDB sink's `path` must lie in the data directory or a folder allowed
 * with --allow-path; a remote Kinesis `endpoint` (source or sink) on a literal private, loopback,
 * link-local or unspecified address needs --allow-private-endpoints. Host names are resolved and
 * checked again at each connection (src/net/outbound-guard.ts).
 */

import type * as A from '../sql/ast.js';
import { sqlError, type SqlError } from '../sql/diagnostics.js';
import { ALLOW_PRIVATE_FLAG, literalRefusal } from '../net/outbound-guard.js';
import { PathNotAllowedError, type AllowedPaths } from '../storage/allowed-paths.js';

export interface OptionAccess {
  /** Where sink paths may land; undefined resolves them as given (`sluice run`, the embedded API). */
  readonly files?: AllowedPaths;
  readonly allowPrivateEndpoints: boolean;
}

/** Pushes a diagnostic for each option naming a file or an address this engine may not use; false if any. */
export function checkOptionAccess(st: A.CreateStream, access: OptionAccess, diagnostics: SqlError[]): boolean {
  const before = diagnostics.length;
  // A key given twice keeps its last value, as the stream's options do.
  const option = (key: string): A.WithOption | undefined => st.options.findLast((o) => o.key === key);
  const sink = option('sink')?.value;
  const path = option('path');
  if (access.files && path && (sink === 'file' || sink === 'duckdb')) {
    try {
      access.files.resolve(path.value, `sink path`);
    } catch (e) {
      if (!(e instanceof PathNotAllowedError)) throw e;
      diagnostics.push(sqlError('SQL_PATH_NOT_ALLOWED', e.message, path.span, 'use a path inside the data directory, or start sluice with --allow-path DIR'));
    }
  }
  const endpoint = option('endpoint');
  const refusal = endpoint && !access.allowPrivateEndpoints ? literalRefusal(endpoint.value) : undefined;
  if (endpoint && refusal) diagnostics.push(sqlError('SQL_ENDPOINT_NOT_ALLOWED', `endpoint ${endpoint.value}: ${refusal.message}`, endpoint.span, `start sluice with ${ALLOW_PRIVATE_FLAG} to reach it`));
  return diagnostics.length === before;
}
