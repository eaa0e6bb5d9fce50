/**
 * Contract between record decoders (NDJSON, CSV) and the query runtime.
 *
 * A decoder turns a chunk of raw bytes holding whole records (one per line) into columns, reading
 * only the fields the query needs (projection pushdown). Numbers and timestamps land in
 * Float64Arrays; strings become dictionary codes so operators group on integers, not strings.
 */

/** SQL types a decoded column can have. TIMESTAMP values are epoch milliseconds (UTC). */
export type ColumnType = 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'DECIMAL' | 'VARCHAR' | 'TIMESTAMP';

export interface ColumnSpec {
  /** Column name as the query sees it. */
  readonly name: string;
  readonly type: ColumnType;
  /** JSON field name to read (defaults to `name`); for CSV, ignored. */
  readonly field?: string;
  /**
   * JSON only: the keys from the record down to a field of nested objects (`['bid', 'price']`);
   * overrides `field`. The value is NULL when an object on the way is null or missing; a value on
   * the way that is not an object makes the record a DecodeError.
   */
  readonly path?: readonly string[];
  /** CSV only: zero-based position of the field in the record. */
  readonly position?: number;
  /**
   * Nothing reads the column: its values need only be checked against the type, so a record that
   * does not fit is still reported. Its values in the batch are then unspecified (a decoder may
   * skip storing those it has checked cheaply).
   */
  readonly checkOnly?: boolean;
}

export type DecodedColumn =
  /** Numbers (all numeric types), timestamps (epoch ms) and booleans (0/1). `valid[i]` is 0 for NULL. */
  | { readonly kind: 'f64'; readonly values: Float64Array; readonly valid: Uint8Array }
  /** Strings: `codes[i]` indexes the decoder's dictionary for this column; -1 is NULL. */
  | { readonly kind: 'dict'; readonly codes: Int32Array };

export interface DecodeError {
  /** Zero-based record index within the chunk. */
  readonly record: number;
  /** The raw record text (for error_stream's DATA_ROW). */
  readonly raw: string;
  readonly message: string;
}

export interface DecodedBatch {
  /** Number of good records (rows) decoded; bad records are in `errors`, not in the columns. */
  readonly length: number;
  /** One column per requested ColumnSpec, same order. */
  readonly columns: readonly DecodedColumn[];
  readonly errors: readonly DecodeError[];
  /** Total records seen in the chunk, good and bad. */
  readonly records: number;
}

export interface RecordDecoder {
  /**
   * Decode `bytes[start, end)`, which holds whole records separated by '\n' (a trailing '\r' is
   * ignored, blank lines are skipped). Dictionary codes stay stable across calls on one decoder.
   */
  decode(bytes: Uint8Array, start?: number, end?: number): DecodedBatch;
  /** Per requested column: the dictionary behind its codes (empty for non-string columns). */
  dictionary(column: number): readonly string[];
}

export type RecordFormat = 'json' | 'csv';

export interface ReuseOptions {
  /**
   * Decode each chunk into the same arrays, overwritten by the next `decode` call: for a caller
   * that is done with a batch before it decodes the next, this saves allocating (and collecting)
   * fresh columns for every chunk. Default false: every batch owns its arrays.
   */
  readonly reuseColumns?: boolean;
}
