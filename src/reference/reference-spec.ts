import type { ColumnType } from '../decode/types.js';

/**
 * How to load and refresh a reference table: plain JSON, like every spec that crosses to a worker.
 * The planner makes one from `CREATE TABLE t (...) WITH (source = 'file', path = ..., format = ...)`
 * or KDA's AddApplicationReferenceDataSource; the embedded API takes it as is.
 */
export interface ReferenceColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** The field in the source (JSON key, CSV header name, Parquet or DuckDB column); default `name`. */
  readonly field?: string;
}

/** csv: RFC 4180, header-less by default; json: NDJSON or one JSON array of objects; parquet. */
export type ReferenceFormat = 'csv' | 'json' | 'parquet';

interface TextOptions {
  readonly format: ReferenceFormat;
  /** CSV: the first record names the fields (columns are found by `field ?? name`); default false: by position. */
  readonly header?: boolean;
  /** CSV: one ASCII character; default ','. */
  readonly delimiter?: string;
}

export type ReferenceSource =
  /** A file, by a path the host has already checked and resolved. */
  | ({ readonly kind: 'file'; readonly path: string } & TextOptions)
  /** An object of the data directory's S3 layout, `<data>/s3/<bucket>/<key>` (what Firehose delivers to). */
  | ({ readonly kind: 's3'; readonly bucket: string; readonly key: string } & TextOptions)
  /** A table of a DuckDB database file. */
  | { readonly kind: 'duckdb'; readonly path: string; readonly table: string; readonly schema?: string };

/**
 * When to load the table again, besides `reload()`: `watch: 'fs'` on a change notice for the file
 * (fs.watch on its folder, so a replace by rename is seen), `watch: 'poll'` when its size or
 * modification time changes (checked every `pollMs`, default 1000), and every `intervalMs`.
 */
export interface ReloadPolicy {
  readonly watch?: 'fs' | 'poll';
  readonly pollMs?: number;
  readonly intervalMs?: number;
}

export interface ReferenceTableSpec {
  readonly name: string;
  readonly columns: readonly ReferenceColumn[];
  /** Columns a hash index is built on at every load (the lookup join's key); others are built on first use. */
  readonly key: readonly string[];
  readonly source: ReferenceSource;
  readonly reload?: ReloadPolicy;
}

export class ReferenceLoadError extends Error {
  override readonly name = 'ReferenceLoadError';
}
