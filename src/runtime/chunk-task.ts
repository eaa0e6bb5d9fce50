import { createDecoder } from '../decode/index.js';
import type { DecodedBatch, RecordDecoder } from '../decode/types.js';
import type { ColumnBatch, Vector } from '../operators/column-batch.js';
import { RowStage, type PartialGroups } from '../operators/row-stage.js';
import { encodeColumns, decodeColumns, type WireColumn } from '../operators/arrow-codec.js';
import { createStore } from '../operators/aggregates/registry.js';
import type { QueryPlan } from '../planner/physical.js';
import { ROWTIME_COLUMN, type ChunkSpec } from './chunk-spec.js';
import { recordTexts } from './record-text.js';
import { splitByKey, lateProbe } from '../operators/kernels/partition.js';

export interface ChunkTask {
  readonly spec: ChunkSpec;
  readonly bytes: Uint8Array;
  /** ROWTIME for arrival-time streams. */
  readonly arrival: number;
  /** Largest ROWTIME before this chunk, for `--rowtime-from` (ROWTIME never goes back). */
  readonly rowtimeFloor: number;
  /** Per query: the watermark when the chunk was sent; rows in windows it closed are late. */
  readonly lateBefore: readonly number[];
  /** Encode results as Arrow IPC (for crossing threads). */
  readonly encode: boolean;
  /** Window state is split across this many partitions by group-key hash (encoded results only). */
  readonly partitions?: number;
}

export interface ErrorRow {
  readonly raw: string;
  readonly message: string;
  readonly rowtime: number;
}

export interface QueryChunkResult {
  readonly maxEventTime: number;
  readonly late: ErrorRow[];
  readonly rowErrors: ErrorRow[];
  readonly partial?: PartialGroups;
  readonly rows?: { count: number; columns: unknown[][]; rowtimes: number[] };
  /** One Arrow IPC buffer of partial aggregates per window-state partition. */
  readonly partialIpcs?: Uint8Array[];
  /** Earliest time at which a group of the partials would be late (see kernels/partition.ts). */
  readonly lateProbe?: number;
  readonly rowsIpc?: Uint8Array;
}

export interface ChunkResult {
  readonly records: number;
  readonly decodeErrors: ErrorRow[];
  readonly maxRowtime: number;
  /** Smallest raw `--rowtime-from` value, to tell whether the floor sent with the task was stale. */
  readonly minRowtimeValue: number;
  readonly queries: QueryChunkResult[];
}

interface Prepared {
  readonly decoder: RecordDecoder;
  readonly stages: RowStage[];
}

const prepared = new Map<string, Prepared>();

function prepare(spec: ChunkSpec): Prepared {
  let p = prepared.get(spec.key);
  if (!p) {
    p = { decoder: createDecoder(spec.format, spec.columns), stages: spec.queries.map((q) => new RowStage(q.plan)) };
    prepared.set(spec.key, p);
  }
  return p;
}

/** Decode one chunk and run every query's row stage over it. Runs in a worker or inline. */
export function processChunk(task: ChunkTask): ChunkResult {
  const { spec } = task;
  const { decoder, stages } = prepare(spec);
  const decoded = decoder.decode(task.bytes);
  const vectors: Vector[] = decoded.columns.map((c, i) => (c.kind === 'f64' ? { kind: 'f64', values: c.values, valid: c.valid } : { kind: 'dict', codes: c.codes, dict: decoder.dictionary(i) }));
  const rowtimes = new Float64Array(decoded.length);
  let minRowtimeValue = Infinity;
  let maxRowtime = task.rowtimeFloor;
  if (spec.rowtimeFrom >= 0) {
    const col = decoded.columns[spec.rowtimeFrom]!;
    let running = task.rowtimeFloor;
    if (col.kind === 'f64') {
      for (let i = 0; i < decoded.length; i++) {
        if (col.valid[i]) {
          const v = col.values[i]!;
          if (v < minRowtimeValue) minRowtimeValue = v;
          if (v > running) running = v;
        }
        rowtimes[i] = running;
      }
    }
    maxRowtime = running;
  } else {
    rowtimes.fill(task.arrival);
    maxRowtime = Math.max(maxRowtime, task.arrival);
  }
  const rowtimeVector: Vector = { kind: 'f64', values: rowtimes, valid: null };
  let texts: ((rows: number[]) => string[]) | null = null;
  const textOf = (rows: number[]) => (texts ??= goodRowTexts(task.bytes, decoded))(rows);
  const queries = spec.queries.map((q, qi): QueryChunkResult => {
    const batch: ColumnBatch = { length: decoded.length, columns: q.columnMap.map((c) => (c === ROWTIME_COLUMN ? rowtimeVector : vectors[c]!)) };
    const r = stages[qi]!.process(batch, task.lateBefore[qi] ?? -Infinity);
    const late = r.late.length ? zipErrors(textOf(r.late), r.late, rowtimes, () => 'late row: its window had already closed') : [];
    const rowErrors = r.rowErrors.length ? zipErrors(textOf(r.rowErrors.map((e) => e.row)), r.rowErrors.map((e) => e.row), rowtimes, (k) => r.rowErrors[k]!.message) : [];
    const base = { maxEventTime: r.maxEventTime, late, rowErrors };
    if (!task.encode) return { ...base, ...(r.partial ? { partial: r.partial } : {}), ...(r.rows ? { rows: r.rows } : {}) };
    if (r.partial) {
      const parts = splitByKey(r.partial, task.partitions ?? 1);
      const gap = q.plan.window?.type === 'session' ? q.plan.window.gapMs : null;
      return { ...base, partialIpcs: parts.map((p) => encodePartial(q.plan, p)), lateProbe: lateProbe(r.partial, gap) };
    }
    return { ...base, rowsIpc: encodeRows(q.plan, r.rows!) };
  });
  const decodeErrors = decoded.errors.map((e) => ({ raw: e.raw, message: e.message, rowtime: task.arrival }));
  return { records: decoded.records, decodeErrors, maxRowtime, minRowtimeValue, queries };
}

function zipErrors(raws: string[], rows: number[], rowtimes: Float64Array, message: (k: number) => string): ErrorRow[] {
  return raws.map((raw, k) => ({ raw, message: message(k), rowtime: rowtimes[rows[k]!]! }));
}

/** Raw text of good rows: the decoder drops bad records from the columns, so skip those. */
function goodRowTexts(bytes: Uint8Array, decoded: DecodedBatch): (rows: number[]) => string[] {
  const bad = decoded.errors.map((e) => e.record).sort((a, b) => a - b);
  return (rows) => {
    const records = rows.map((row) => {
      let rec = row;
      for (const b of bad) if (b <= rec) rec++;
      return rec;
    });
    return recordTexts(bytes, records);
  };
}

function wireOf(name: string, values: unknown[], isString: boolean): WireColumn {
  if (isString) return { name, kind: 'utf8', values: values.map((v) => (v === null || v === undefined ? null : String(v))) };
  const f = new Float64Array(values.length);
  const valid = new Uint8Array(values.length);
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    valid[i] = 1;
    f[i] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
  });
  return { name, kind: 'f64', values: f, valid };
}

export function encodePartial(plan: QueryPlan, p: PartialGroups): Uint8Array {
  if (p.count === 0) return new Uint8Array(0);
  const cols: WireColumn[] = [
    { name: 's', kind: 'f64', values: Float64Array.from(p.starts) },
    { name: 'e', kind: 'f64', values: Float64Array.from(p.ends) },
  ];
  plan.keys.forEach((k, i) => cols.push(wireOf(`k${i}`, p.keys.map((kv) => kv[i]), k.type === 'VARCHAR')));
  stateTypesOf(plan).forEach((t, i) => cols.push(wireOf(`a${i}`, p.states.map((s) => s[i]), t === 'utf8')));
  return encodeColumns(cols, p.count);
}

export function decodePartial(plan: QueryPlan, bytes: Uint8Array): PartialGroups {
  const d = decodeColumns(bytes);
  const n = d.length;
  const get = (name: string, bool = false): unknown[] => {
    const c = d.columns.get(name)!;
    if (c.kind === 'utf8') return c.values as unknown[];
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = c.valid && !c.valid[i] ? null : bool ? c.values[i] !== 0 : c.values[i];
    return out;
  };
  const starts = get('s') as number[];
  const ends = get('e') as number[];
  const keyCols = plan.keys.map((k, i) => get(`k${i}`, k.type === 'BOOLEAN'));
  const stateCols = stateTypesOf(plan).map((_, i) => get(`a${i}`));
  const keys: unknown[][] = [];
  const states: unknown[][] = [];
  for (let r = 0; r < n; r++) {
    keys.push(keyCols.map((c) => c[r]));
    states.push(stateCols.map((c) => c[r]));
  }
  return { count: n, starts, ends, keys, states };
}

function stateTypesOf(plan: QueryPlan) {
  return plan.aggs.flatMap((a) => createStore(a).stateTypes);
}

export function encodeRows(plan: QueryPlan, rows: { count: number; columns: unknown[][]; rowtimes: number[] }): Uint8Array {
  const cols: WireColumn[] = plan.outputFields.map((f, i) => wireOf(`c${i}`, rows.columns[i]!, f.type === 'VARCHAR' || f.type === 'NULL'));
  cols.push({ name: 'rowtime', kind: 'f64', values: Float64Array.from(rows.rowtimes) });
  return encodeColumns(cols, rows.count);
}

export function decodeRows(plan: QueryPlan, bytes: Uint8Array): { count: number; columns: unknown[][]; rowtimes: number[] } {
  const d = decodeColumns(bytes);
  const columns = plan.outputFields.map((f, i) => {
    const c = d.columns.get(`c${i}`)!;
    if (c.kind === 'utf8') return c.values as unknown[];
    return Array.from(c.values, (v, r) => (c.valid && !c.valid[r] ? null : f.type === 'BOOLEAN' ? v !== 0 : v));
  });
  const rt = d.columns.get('rowtime');
  return { count: d.length, columns, rowtimes: rt && rt.kind === 'f64' ? Array.from(rt.values) : [] };
}
