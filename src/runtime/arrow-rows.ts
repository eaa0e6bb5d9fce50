import type * as Arrow from 'apache-arrow';
import type { OutputRows } from '../operators/operator.js';
import { ROW_KIND_TEXT, type ChangelogRows } from '../operators/changelog.js';
import { opKeyOf } from './rows.js';
import type { Field, SqlType } from '../planner/types.js';

/**
 * Output rows as an Apache Arrow RecordBatch, for programs that hand results to Arrow-speaking
 * tools (DuckDB's Arrow scans, Arquero, Perspective, Parquet writers). Arrow is imported on first
 * use, as the same module the program imports, so its classes (instanceof RecordBatch) are the
 * program's own; nothing pays for loading it unless it asks for Arrow.
 */
let arrow: Promise<typeof Arrow> | undefined;

export function loadArrow(): Promise<typeof Arrow> {
  return (arrow ??= import('apache-arrow'));
}

/** The Arrow type each SQL type is delivered as: strings dictionary-encoded, TIMESTAMP in milliseconds (UTC), INTERVAL as milliseconds. */
function arrowType(A: typeof Arrow, t: SqlType): Arrow.DataType {
  switch (t) {
    case 'BOOLEAN': return new A.Bool();
    case 'INTEGER': return new A.Int32();
    case 'BIGINT': case 'INTERVAL': return new A.Int64();
    case 'DOUBLE': case 'DECIMAL': return new A.Float64();
    case 'TIMESTAMP': return new A.TimestampMillisecond('UTC');
    case 'VARCHAR': return new A.Dictionary(new A.Utf8(), new A.Int32());
    case 'NULL': return new A.Null();
    case 'ROW': throw new Error('a ROW value is read field by field and never delivered whole');
    default: {
      const never: never = t;
      throw new Error(`no Arrow type for ${String(never)}`);
    }
  }
}

function arrowValue(t: SqlType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (t) {
    case 'BIGINT': case 'INTERVAL': return BigInt(Math.trunc(v as number));
    case 'INTEGER': return Math.trunc(v as number);
    case 'BOOLEAN': return v === true || v === 1;
    default: return v;
  }
}

export async function toRecordBatch(rows: OutputRows, fields: readonly Field[]): Promise<Arrow.RecordBatch> {
  const A = await loadArrow();
  const vectors: Record<string, Arrow.Vector> = {};
  fields.forEach((f, c) => {
    const type = arrowType(A, f.type);
    const column = rows.columns[c]!;
    const values = new Array<unknown>(rows.count);
    for (let i = 0; i < rows.count; i++) values[i] = arrowValue(f.type, column[i]);
    vectors[f.name] = A.vectorFromArray(values, type);
  });
  // An updating result's row kinds: an `op` column of '+I', '-U', '+U', '-D' (dictionary-encoded).
  const ops = (rows as ChangelogRows).ops;
  if (ops) vectors[opKeyOf(fields)] = A.vectorFromArray(Array.from(ops, (k) => ROW_KIND_TEXT[k]!), new A.Dictionary(new A.Utf8(), new A.Int8()));
  // A table of single-chunk vectors holds exactly one batch.
  return new A.Table(vectors).batches[0]!;
}
