import { createDecoder } from '../decode/index.js';
import type { DecodedBatch, RecordDecoder } from '../decode/types.js';
import type { ColumnBatch, Vector } from '../operators/column-batch.js';
import { RowStage, type PartialGroups } from '../operators/row-stage.js';
import { wireColumn, wireValue, type WireBatch, type WireColumn } from '../operators/wire-batch.js';
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
  /** Per query: how far the chunk's own rows can move the watermark (a partitioned source's slowest other partition); none: no bound. */
  readonly watermarkCap?: readonly number[];
  /** Encode results as wire batches (for crossing threads). */
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
  /** One wire batch of partial aggregates per window-state partition (null: none for it). */
  readonly partialWires?: (WireBatch | null)[];
  /** Earliest time at which a group of the partials would be late (see kernels/partition.ts). */
  readonly lateProbe?: number;
  readonly rowsWire?: WireBatch;
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
  /** Some query reads ROWTIME as a column, so it needs one value per row. */
  readonly readsRowtime: boolean;
}

const prepared = new Map<string, Prepared>();

function prepare(spec: ChunkSpec): Prepared {
  let p = prepared.get(spec.key);
  if (!p) {
    // The decoded columns are done with before the next chunk is decoded, so one set of arrays serves every chunk.
    p = { decoder: createDecoder(spec.format, spec.columns, { reuseColumns: true }), stages: spec.queries.map((q) => new RowStage(q.plan)), readsRowtime: spec.queries.some((q) => q.columnMap.includes(ROWTIME_COLUMN)) };
    prepared.set(spec.key, p);
  }
  return p;
}

/** Decode one chunk and run every query's row stage over it. Runs in a worker or inline. */
export function processChunk(task: ChunkTask): ChunkResult {
  const { spec } = task;
  const { decoder, stages, readsRowtime } = prepare(spec);
  const decoded = decoder.decode(task.bytes);
  const vectors: Vector[] = decoded.columns.map((c, i) => (c.kind === 'f64' ? { kind: 'f64', values: c.values, valid: c.valid } : { kind: 'dict', codes: c.codes, dict: decoder.dictionary(i) }));
  // Arrival-time ROWTIME is one value for the whole chunk: a column of it only if a query reads it.
  const rowtimes = spec.rowtimeFrom >= 0 || readsRowtime ? new Float64Array(decoded.length) : null;
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
        rowtimes![i] = running;
      }
    }
    maxRowtime = running;
  } else {
    rowtimes?.fill(task.arrival);
    maxRowtime = Math.max(maxRowtime, task.arrival);
  }
  const rowtimeVector: Vector = { kind: 'f64', values: rowtimes ?? new Float64Array(0), valid: null };
  const rowtimeOf = (row: number) => (rowtimes ? rowtimes[row]! : task.arrival);
  let texts: ((rows: number[]) => string[]) | null = null;
  const textOf = (rows: number[]) => (texts ??= goodRowTexts(task.bytes, decoded))(rows);
  const queries = spec.queries.map((q, qi): QueryChunkResult => {
    const batch: ColumnBatch = { length: decoded.length, columns: q.columnMap.map((c) => (c === ROWTIME_COLUMN ? rowtimeVector : vectors[c]!)) };
    const r = stages[qi]!.process(batch, task.lateBefore[qi] ?? -Infinity, task.watermarkCap?.[qi] ?? Infinity);
    const late = r.late.length ? zipErrors(textOf(r.late), r.late, rowtimeOf, () => 'late row: its window had already closed') : [];
    const rowErrors = r.rowErrors.length ? zipErrors(textOf(r.rowErrors.map((e) => e.row)), r.rowErrors.map((e) => e.row), rowtimeOf, (k) => r.rowErrors[k]!.message) : [];
    const base = { maxEventTime: r.maxEventTime, late, rowErrors };
    if (!task.encode) return { ...base, ...(r.partial ? { partial: r.partial } : {}), ...(r.rows ? { rows: r.rows } : {}) };
    if (r.partial) {
      const parts = splitByKey(r.partial, task.partitions ?? 1);
      const gap = q.plan.window?.type === 'session' ? q.plan.window.gapMs : null;
      return { ...base, partialWires: parts.map((p) => encodePartial(q.plan, p)), lateProbe: lateProbe(r.partial, gap) };
    }
    return { ...base, rowsWire: encodeRows(q.plan, r.rows!) };
  });
  const decodeErrors = decoded.errors.map((e) => ({ raw: e.raw, message: e.message, rowtime: task.arrival }));
  return { records: decoded.records, decodeErrors, maxRowtime, minRowtimeValue, queries };
}

function zipErrors(raws: string[], rows: number[], rowtimeOf: (row: number) => number, message: (k: number) => string): ErrorRow[] {
  return raws.map((raw, k) => ({ raw, message: message(k), rowtime: rowtimeOf(rows[k]!) }));
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

export function encodePartial(plan: QueryPlan, p: PartialGroups): WireBatch | null {
  if (p.count === 0) return null;
  const cols: WireColumn[] = [
    { kind: 'f64', values: Float64Array.from(p.starts), valid: null },
    { kind: 'f64', values: Float64Array.from(p.ends), valid: null },
  ];
  plan.keys.forEach((k, i) => cols.push(wireColumn(p.keys.map((kv) => kv[i]), k.type === 'VARCHAR')));
  stateTypesOf(plan).forEach((t, i) => cols.push(wireColumn(p.states.map((s) => s[i]), t === 'utf8')));
  return { length: p.count, columns: cols };
}

export function decodePartial(plan: QueryPlan, w: WireBatch): PartialGroups {
  const n = w.length;
  const [s, e] = w.columns as [WireColumn & { kind: 'f64' }, WireColumn & { kind: 'f64' }];
  const nKeys = plan.keys.length;
  const bools = plan.keys.map((k) => k.type === 'BOOLEAN');
  const nStates = w.columns.length - 2 - nKeys;
  const starts = Array.from(s.values);
  const ends = Array.from(e.values);
  const keys: unknown[][] = new Array(n);
  const states: unknown[][] = new Array(n);
  for (let r = 0; r < n; r++) {
    const kv = new Array<unknown>(nKeys);
    for (let k = 0; k < nKeys; k++) kv[k] = wireValue(w.columns[2 + k]!, r, bools[k]);
    const sv = new Array<unknown>(nStates);
    for (let a = 0; a < nStates; a++) sv[a] = wireValue(w.columns[2 + nKeys + a]!, r);
    keys[r] = kv;
    states[r] = sv;
  }
  return { count: n, starts, ends, keys, states };
}

function stateTypesOf(plan: QueryPlan) {
  return plan.aggs.flatMap((a) => createStore(a).stateTypes);
}

export function encodeRows(plan: QueryPlan, rows: { count: number; columns: unknown[][]; rowtimes: number[]; ops?: Uint8Array }): WireBatch {
  const cols: WireColumn[] = plan.outputFields.map((f, i) => wireColumn(rows.columns[i]!, f.type === 'VARCHAR' || f.type === 'NULL'));
  cols.push({ kind: 'f64', values: Float64Array.from(rows.rowtimes), valid: null });
  // An updating result's row kinds ride after ROWTIME.
  if (rows.ops) cols.push({ kind: 'f64', values: Float64Array.from(rows.ops), valid: null });
  return { length: rows.count, columns: cols };
}

export function decodeRows(plan: QueryPlan, w: WireBatch): { count: number; columns: unknown[][]; rowtimes: number[]; ops?: Uint8Array } {
  const n = w.length;
  const columns = plan.outputFields.map((f, i) => {
    const c = w.columns[i]!;
    if (c.kind === 'utf8') return c.values as unknown[];
    const bool = f.type === 'BOOLEAN';
    const out = new Array<unknown>(n);
    for (let r = 0; r < n; r++) out[r] = wireValue(c, r, bool);
    return out;
  });
  const rt = w.columns[plan.outputFields.length];
  const ops = w.columns[plan.outputFields.length + 1];
  return { count: n, columns, rowtimes: rt && rt.kind === 'f64' ? Array.from(rt.values) : [], ...(ops && ops.kind === 'f64' ? { ops: Uint8Array.from(ops.values) } : {}) };
}
