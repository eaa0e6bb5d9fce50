import type { ColumnSpec, RecordFormat } from '../decode/types.js';
import type { StreamDef } from '../planner/catalog.js';
import type { QueryPlan } from '../planner/physical.js';

/**
 * Everything a worker needs to process chunks of one source stream: what to decode (the union of
 * the columns its queries read) and each query's plan with its mapping onto the decoded columns.
 */
export interface ChunkSpec {
  readonly key: string;
  readonly source: string;
  readonly format: RecordFormat;
  readonly columns: readonly ColumnSpec[];
  /** Decoded column that ROWTIME replays from (`--rowtime-from`), or -1 for arrival time. */
  readonly rowtimeFrom: number;
  readonly queries: readonly { readonly plan: QueryPlan; readonly columnMap: readonly number[] }[];
}

/** Column map entry meaning "the ROWTIME vector". */
export const ROWTIME_COLUMN = -1;

let nextKey = 0;

export function buildChunkSpec(def: StreamDef, plans: readonly QueryPlan[], rowtimeFromColumn: string | null): ChunkSpec {
  const rowtimeIdx = def.fields.length - 1;
  const decoded: number[] = [];
  const want = (i: number) => {
    if (i === rowtimeIdx) return ROWTIME_COLUMN;
    let at = decoded.indexOf(i);
    if (at < 0) at = decoded.push(i) - 1;
    return at;
  };
  const queries = plans.map((plan) => ({ plan, columnMap: plan.sourceColumns.map(want) }));
  const read = decoded.length;
  // Typed columns no query reads are still decoded (cheaply, as numbers), so a record whose field
  // cannot be coerced to its declared type goes to error_stream whichever columns the queries use.
  def.fields.forEach((f, i) => {
    if (i !== rowtimeIdx && f.type !== 'VARCHAR' && !f.computed) want(i);
  });
  let rowtimeFrom = -1;
  if (rowtimeFromColumn !== null) {
    const i = def.fields.findIndex((f) => f.name === rowtimeFromColumn || f.name.toLowerCase() === rowtimeFromColumn.toLowerCase());
    if (i < 0 || i === rowtimeIdx) throw new Error(`--rowtime-from: stream ${def.name} has no column ${rowtimeFromColumn}`);
    if (def.fields[i]!.computed) throw new Error(`--rowtime-from: column ${def.fields[i]!.name} of ${def.name} is computed; ROWTIME replays from a column read from the records`);
    const type = def.fields[i]!.type;
    if (type !== 'TIMESTAMP' && type !== 'BIGINT' && type !== 'INTEGER' && type !== 'DOUBLE') {
      throw new Error(`--rowtime-from: column ${def.fields[i]!.name} of ${def.name} is ${type}; ROWTIME replays from a TIMESTAMP (or epoch milliseconds)`);
    }
    rowtimeFrom = want(i);
  }
  const checkOnly = (position: number) => position >= read && position !== rowtimeFrom;
  // A CSV field's place among the record's fields: computed columns are not in the records.
  const recordPosition = (i: number) => def.fields.slice(0, i).filter((f) => !f.computed).length;
  const columns: ColumnSpec[] = decoded.map((i, position) => {
    const f = def.fields[i]!;
    const type = f.type === 'INTERVAL' || f.type === 'NULL' || f.type === 'ROW' ? 'VARCHAR' : f.type;
    return { name: f.name, type, position: def.csvPositions?.[i] ?? recordPosition(i), ...(f.path ? { path: f.path } : { field: def.recordKeys?.[i] ?? f.name }), ...(checkOnly(position) ? { checkOnly: true } : {}) };
  });
  return { key: `${def.name}#${nextKey++}`, source: def.name, format: def.format, columns, rowtimeFrom, queries };
}
