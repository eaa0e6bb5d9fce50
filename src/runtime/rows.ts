import type { Field } from '../planner/types.js';
import type { OutputRows } from '../operators/operator.js';

export type Row = Record<string, unknown>;

/** Output rows as plain objects: TIMESTAMP as ISO-8601 UTC with milliseconds, everything else as JSON types. */
export function toObjects(rows: OutputRows, fields: readonly Field[]): Row[] {
  const out: Row[] = new Array(rows.count);
  const conv = fields.map((f) => (f.type === 'TIMESTAMP' ? isoOrNull : f.type === 'INTEGER' || f.type === 'BIGINT' ? intOrNull : plain));
  for (let r = 0; r < rows.count; r++) {
    const o: Row = {};
    for (let c = 0; c < fields.length; c++) o[fields[c]!.name] = conv[c]!(rows.columns[c]![r]);
    out[r] = o;
  }
  return out;
}

function isoOrNull(v: unknown): unknown {
  return v === null || v === undefined ? null : new Date(v as number).toISOString();
}

function intOrNull(v: unknown): unknown {
  return v === null || v === undefined ? null : Math.trunc(v as number);
}

function plain(v: unknown): unknown {
  return v === undefined ? null : v;
}

/** One NDJSON line per row. */
export function toNdjson(rows: OutputRows, fields: readonly Field[]): string {
  let s = '';
  for (const o of toObjects(rows, fields)) s += JSON.stringify(o) + '\n';
  return s;
}
