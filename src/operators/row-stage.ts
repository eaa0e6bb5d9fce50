import type { QueryPlan } from '../planner/physical.js';
import { readerOf, type ColumnBatch, type Reader } from './column-batch.js';
import { compileExpr, messageOf, type CompiledExpr } from './kernels/compile-expr.js';
import { take } from './kernels/take.js';
import { ComputedColumns } from './computed-columns.js';
import { assignWindows, lastWindowEnd } from './window-assigner.js';
import { GLOBAL_END, GLOBAL_START, type AggCall, type WindowSpec } from '../planner/logical/plan.js';
import type { SqlType } from '../planner/types.js';
import { createStore, type AccumulatorStore } from './aggregates/registry.js';

/** What a filtered aggregate's argument reads as on a row its FILTER (WHERE ...) rejects. */
const FILTERED = Symbol('filtered');

/** An aggregate's argument, reading FILTERED where its FILTER (WHERE ...) is not true; null: COUNT(*) unfiltered. */
function compileAggArg(a: AggCall, types: readonly SqlType[]): CompiledExpr | null {
  const arg = a.arg ? compileExpr(a.arg, types) : null;
  if (!a.filter) return arg;
  const filter = compileExpr(a.filter, types);
  return {
    type: arg?.type ?? 'NULL',
    bind(batch) {
      const keep = filter.bind(batch);
      const value = arg?.bind(batch);
      return (i) => (keep(i) === true ? (value ? value(i) : null) : FILTERED);
    },
  };
}
export { messageOf };

/** Per-chunk partial aggregates: one entry per (window, key), with each aggregate's partial state. */
export interface PartialGroups {
  readonly count: number;
  readonly starts: number[];
  readonly ends: number[];
  readonly keys: unknown[][];
  readonly states: unknown[][];
}

export interface RowStageResult {
  /** Largest value of the watermark column in the batch (before any filter), or -Infinity. */
  readonly maxEventTime: number;
  readonly rowErrors: { row: number; message: string }[];
  /** Rows whose every window had closed before the batch was processed. */
  readonly late: number[];
  readonly rows?: { count: number; columns: unknown[][]; rowtimes: number[] };
  readonly partial?: PartialGroups;
}

/**
 * The row stage of a query: filter, window assignment, and either projection or partial
 * aggregation. Stateless between batches, so any worker thread can run any chunk.
 */
export class RowStage {
  private readonly where: CompiledExpr | null;
  private readonly keys: CompiledExpr[];
  private readonly aggArgs: (CompiledExpr | null)[];
  private readonly outputs: CompiledExpr[];
  private readonly rowtime: CompiledExpr;
  private readonly computed: ComputedColumns | null;
  /** Indexes of the selected rows, reused from batch to batch (results never keep it). */
  private scratch = new Int32Array(0);
  /** The watermark before each row of the batch, reused likewise. */
  private wmScratch = new Float64Array(0);

  constructor(readonly plan: QueryPlan) {
    const types = plan.inputTypes;
    const withWindow = plan.mode === 'project' && plan.window ? [...types, 'TIMESTAMP', 'TIMESTAMP', 'TIMESTAMP'] as const : types;
    this.where = plan.where ? compileExpr(plan.where, types) : null;
    this.keys = plan.keys.map((k) => compileExpr(k, types));
    this.aggArgs = plan.aggs.map((a) => compileAggArg(a, types));
    this.outputs = plan.mode === 'project' ? plan.outputs.map((o) => compileExpr(o, withWindow)) : [];
    this.rowtime = compileExpr(plan.rowtime, withWindow);
    this.computed = plan.computed.length ? new ComputedColumns(plan.computed, types) : null;
  }

  /**
   * `lateBefore` is the watermark when the batch starts. Within the batch it moves on row by row,
   * as if each record were read alone: a row is late when the watermark of the rows before it has
   * passed its windows, so which rows are late does not depend on how the input was cut into
   * chunks. `watermarkCap` bounds how far this batch's rows alone can move it (a partitioned
   * source's watermark follows its slowest partition).
   */
  process(batch: ColumnBatch, lateBefore = -Infinity, watermarkCap = Infinity): RowStageResult {
    if (!this.computed) return this.processRows(batch, lateBefore, watermarkCap);
    const failed: { row: number; message: string }[] = [];
    const full = this.computed.append(batch, failed);
    if (failed.length === 0) return this.processRows(full, lateBefore, watermarkCap);
    // A row whose computed column cannot be evaluated goes to error_stream and no further.
    const keep: number[] = [];
    for (let i = 0, f = 0; i < batch.length; i++) {
      if (f < failed.length && failed[f]!.row === i) f++;
      else keep.push(i);
    }
    const r = this.processRows(take(full, keep), lateBefore, watermarkCap);
    return { ...r, rowErrors: [...failed, ...r.rowErrors.map((e) => ({ row: keep[e.row]!, message: e.message }))], late: r.late.map((i) => keep[i]!) };
  }

  private processRows(batch: ColumnBatch, lateBefore: number, watermarkCap: number): RowStageResult {
    const plan = this.plan;
    const rowErrors: { row: number; message: string }[] = [];
    const late: number[] = [];
    let maxEventTime = -Infinity;
    let time: Reader | null = null;
    let wm: Float64Array | null = null;
    if (plan.watermark) {
      const v = batch.columns[plan.watermark.column]!;
      time = readerOf(v, 'TIMESTAMP');
      if (v.kind === 'f64') {
        maxEventTime = maxValid(v.values, v.valid, batch.length);
        // Only where the batch moves the watermark do rows need one each. (Window state, and with
        // it a watermark that rows can be late against, belongs to aggregations only.)
        if (plan.window && plan.mode === 'aggregate' && Math.min(maxEventTime - plan.watermark.delayMs, watermarkCap) > lateBefore) {
          wm = this.watermarks(batch.length);
          runningWatermarks(wm, v.values, v.valid, batch.length, lateBefore, plan.watermark.delayMs, watermarkCap);
        }
      }
    }
    const where = this.where?.bind(batch);
    const tv = plan.window ? batch.columns[plan.window.timeColumn] : undefined;
    if (!where && plan.window && plan.window.type !== 'session' && tv?.kind === 'f64') {
      return this.finishSelection(batch, this.selectByTime(batch.length, tv.values, tv.valid, lateBefore, wm, rowErrors, late), time, rowErrors, late, maxEventTime, lateBefore, wm);
    }
    const sel = this.selection(batch.length);
    let count = 0;
    for (let i = 0; i < batch.length; i++) {
      if (where) {
        try {
          if (where(i) !== true) continue;
        } catch (e) {
          rowErrors.push({ row: i, message: messageOf(e) });
          continue;
        }
      }
      if (time && plan.window) {
        const t = time(i) as number | null;
        if (t === null) {
          rowErrors.push({ row: i, message: `NULL time column ${plan.inputNames[plan.window.timeColumn]}: the row belongs to no window` });
          continue;
        }
        if (lastWindowEnd(plan.window, t) <= (wm ? wm[i]! : lateBefore)) {
          late.push(i);
          continue;
        }
      }
      sel[count++] = i;
    }
    return this.finishSelection(batch, sel.subarray(0, count), time, rowErrors, late, maxEventTime, lateBefore, wm);
  }

  /** Rows with a time and not late, without a closure per row: the common case of no WHERE. */
  private selectByTime(n: number, times: Float64Array, valid: Uint8Array | null, lateBefore: number, wm: Float64Array | null, rowErrors: { row: number; message: string }[], late: number[]): Int32Array {
    const w = this.plan.window!;
    const sel = this.selection(n);
    const count = selectTimed(sel, n, times, valid, w, lateBefore, wm, late);
    if (count + late.length < n) {
      const message = `NULL time column ${this.plan.inputNames[w.timeColumn]}: the row belongs to no window`;
      for (let i = 0; i < n; i++) if (valid && !valid[i]) rowErrors.push({ row: i, message });
    }
    return sel.subarray(0, count);
  }

  private selection(n: number): Int32Array {
    if (this.scratch.length < n) this.scratch = new Int32Array(Math.max(n, this.scratch.length * 2));
    return this.scratch;
  }

  /** Room for a watermark per row, reused from batch to batch like the selection. */
  private watermarks(n: number): Float64Array {
    if (this.wmScratch.length < n) this.wmScratch = new Float64Array(Math.max(n, this.wmScratch.length * 2));
    return this.wmScratch;
  }

  private finishSelection(batch: ColumnBatch, selected: Int32Array, time: Reader | null, rowErrors: { row: number; message: string }[], late: number[], maxEventTime: number, lateBefore: number, wm: Float64Array | null): RowStageResult {
    const plan = this.plan;
    if (plan.mode === 'project') return { maxEventTime, rowErrors, late, rows: this.project(batch, selected, time, rowErrors, lateBefore, wm) };
    const partial = plan.window!.type === 'session' ? this.sessions(batch, selected, time!, rowErrors) : this.aggregate(batch, selected, time!, rowErrors, lateBefore, wm);
    return { maxEventTime, rowErrors, late, partial };
  }

  /** Rows of their windows (some of a row's windows may have closed: `wm`, or else `lateBefore`, says). */
  private project(batch: ColumnBatch, selected: Int32Array, time: Reader | null, rowErrors: { row: number; message: string }[], lateBefore: number, wm: Float64Array | null) {
    let input = batch;
    let origin: ArrayLike<number> = selected;
    if (this.plan.window && time) {
      const rows: number[] = [];
      const starts: number[] = [];
      const ends: number[] = [];
      for (const i of selected) {
        assignWindows(this.plan.window, time(i) as number, (s, e) => {
          if (e <= (wm ? wm[i]! : lateBefore)) return;
          rows.push(i);
          starts.push(s);
          ends.push(e);
        });
      }
      const taken = take(batch, rows);
      const f64 = (xs: number[]) => ({ kind: 'f64' as const, values: Float64Array.from(xs), valid: null });
      input = { length: rows.length, columns: [...taken.columns, f64(starts), f64(ends), f64(ends.map((e) => e - 1))] };
      origin = rows;
    }
    const n = origin.length;
    const readers = this.outputs.map((o) => o.bind(input));
    const rt = this.rowtime.bind(input);
    const columns = readers.map(() => [] as unknown[]);
    const rowtimes: number[] = [];
    const indexes: ArrayLike<number> = this.plan.window ? Array.from({ length: n }, (_, i) => i) : selected;
    for (let k = 0; k < n; k++) {
      const i = indexes[k]!;
      try {
        const vals = readers.map((r) => r(i));
        vals.forEach((v, c) => columns[c]!.push(v));
        rowtimes.push((rt(i) as number | null) ?? 0);
      } catch (e) {
        rowErrors.push({ row: origin[k]!, message: messageOf(e) });
      }
    }
    return { count: rowtimes.length, columns, rowtimes };
  }

  private newGroups(): Groups {
    return new Groups(this.plan.aggs.map((a) => createStore(a)));
  }

  private aggregate(batch: ColumnBatch, selected: Int32Array, time: Reader, rowErrors: { row: number; message: string }[], lateBefore: number, wm: Float64Array | null): PartialGroups {
    const k0 = this.plan.keys[0];
    const keyVec = this.plan.keys.length === 1 && k0?.k === 'col' ? batch.columns[k0.index] : undefined;
    if (this.plan.window!.type === 'tumble' && keyVec?.kind === 'dict') return this.tumbleByCode(batch, selected, keyVec.codes, keyVec.dict, rowErrors);
    const byCode = this.windowsByCode(batch, selected, rowErrors, lateBefore, wm);
    if (byCode) return byCode;
    const startOf = this.plan.window!.type === 'columns' ? readerOf(batch.columns[this.plan.window!.startColumn!]!, 'TIMESTAMP') : null;
    const keyReaders = this.keys.map((k) => k.bind(batch));
    const argReaders = this.aggArgs.map((a) => a?.bind(batch) ?? null);
    const g = this.newGroups();
    const index = new Map<number, Map<number, Map<unknown, number>>>();
    const single = keyReaders.length === 1 ? keyReaders[0]! : null;
    const w = this.plan.window!;
    const args: unknown[] = new Array(argReaders.length);
    for (const i of selected) {
      let key: unknown;
      let keyValues: unknown[];
      try {
        keyValues = keyReaders.map((r) => r(i));
        key = single ? keyValues[0] : keyReaders.length === 0 ? 0 : JSON.stringify(keyValues);
        for (let a = 0; a < argReaders.length; a++) args[a] = argReaders[a] ? argReaders[a]!(i) : null;
      } catch (e) {
        rowErrors.push({ row: i, message: messageOf(e) });
        continue;
      }
      const windows = startOf
        ? (emit: (start: number, end: number) => void) => emit(startOf(i) as number, time(i) as number)
        // A global window (GROUP BY without a time window) reads no time.
        : (emit: (start: number, end: number) => void) => assignWindows(w, w.type === 'global' ? 0 : (time(i) as number), emit);
      windows((start, end) => {
        if (end <= (wm ? wm[i]! : lateBefore)) return;
        let byEnd = index.get(start);
        if (!byEnd) index.set(start, (byEnd = new Map()));
        let byKey = byEnd.get(end);
        if (!byKey) byEnd.set(end, (byKey = new Map()));
        let slot = byKey.get(key);
        if (slot === undefined) byKey.set(key, (slot = g.add(start, end, keyValues)));
        for (let a = 0; a < g.stores.length; a++) if (args[a] !== FILTERED) g.stores[a]!.add(slot, args[a]);
      });
    }
    return finish(g);
  }

  /** The common case, tumbling windows grouped by one string column: slots found by dictionary code in a typed array. */
  private tumbleByCode(batch: ColumnBatch, selected: Int32Array, codes: Int32Array, dict: readonly string[], rowErrors: { row: number; message: string }[]): PartialGroups {
    const g = this.newGroups();
    // The loop is a method of its own: code after an on-stack-replaced loop (here, the call that
    // packs the groups) has no type feedback there, and deoptimized it on about every third chunk.
    this.tumbleRows(g, batch, selected, codes, dict, rowErrors);
    return finish(g);
  }

  private tumbleRows(g: Groups, batch: ColumnBatch, selected: Int32Array, codes: Int32Array, dict: readonly string[], rowErrors: { row: number; message: string }[]): void {
    const w = this.plan.window!;
    const tv = batch.columns[w.timeColumn]!;
    const times = tv.kind === 'f64' ? tv.values : null;
    const argReaders = this.aggArgs.map((a) => a?.bind(batch) ?? null);
    const stores = g.stores;
    const nStores = stores.length;
    const byWindow = new Map<number, Int32Array>();
    const size = w.sizeMs;
    const offset = w.offsetMs;
    // The window of the last row, [start, end): rows mostly arrive in time order, so most rows fall in it.
    let start = NaN;
    let end = NaN;
    let table: Int32Array = new Int32Array(0);
    const time = times ? null : readerOf(tv, 'TIMESTAMP');
    const tableSize = dict.length + 2;
    const countStar = nStores === 1 && argReaders[0] === null;
    for (let k = 0; k < selected.length; k++) {
      const i = selected[k]!;
      const t = times ? times[i]! : (time!(i) as number);
      if (!(t >= start && t < end)) {
        // start = floor((t - offset) / size) * size + offset
        start = Math.floor((t - offset) / size) * size + offset;
        end = start + size;
        let found = byWindow.get(start);
        if (!found) byWindow.set(start, (found = new Int32Array(tableSize).fill(-1)));
        table = found;
      }
      const code = codes[i]!;
      const at = code + 1;
      let slot = table[at]!;
      if (slot < 0) table[at] = slot = g.add(start, end, [code < 0 ? null : dict[code]]);
      if (countStar) {
        stores[0]!.add(slot, null);
        continue;
      }
      try {
        for (let a = 0; a < nStores; a++) {
          const v = argReaders[a] ? argReaders[a]!(i) : null;
          if (v !== FILTERED) stores[a]!.add(slot, v);
        }
      } catch (e) {
        rowErrors.push({ row: i, message: messageOf(e) });
      }
    }
  }

  /**
   * Fixed windows (tumble, hop, cumulate) grouped by string columns only: each row's group is
   * found by its dictionary codes folded into one number, in a table per window, with no key
   * array or string per row. Null when a key is not a string column, or the codes do not fold
   * into one exact number.
   */
  private windowsByCode(batch: ColumnBatch, selected: Int32Array, rowErrors: { row: number; message: string }[], lateBefore: number, wm: Float64Array | null): PartialGroups | null {
    const w = this.plan.window!;
    if (w.type === 'session' || w.type === 'columns') return null;
    const codes: Int32Array[] = [];
    const dicts: (readonly string[])[] = [];
    let radix = 1;
    for (const k of this.plan.keys) {
      const v = k.k === 'col' ? batch.columns[k.index] : undefined;
      if (v?.kind !== 'dict') return null;
      codes.push(v.codes);
      dicts.push(v.dict);
      // code + 1 in [0, dict.length]: one digit of a mixed-radix number
      radix *= v.dict.length + 1;
    }
    if (radix > Number.MAX_SAFE_INTEGER) return null;
    const tv = batch.columns[w.timeColumn]!;
    if (tv.kind !== 'f64') return null;
    const g = this.newGroups();
    this.windowRowsByCode(g, batch, selected, tv.values, codes, dicts, rowErrors, lateBefore, wm);
    return finish(g);
  }

  private windowRowsByCode(g: Groups, batch: ColumnBatch, selected: Int32Array, times: Float64Array, codes: Int32Array[], dicts: (readonly string[])[], rowErrors: { row: number; message: string }[], lateBefore: number, wm: Float64Array | null): void {
    const w = this.plan.window!;
    const argReaders = this.aggArgs.map((a) => a?.bind(batch) ?? null);
    const nStores = g.stores.length;
    const args: unknown[] = new Array(nStores).fill(null);
    const nKeys = codes.length;
    const radix = dicts.map((d) => d.length + 1);
    const tables = new WindowTables(g, codes, dicts);
    const size = w.sizeMs;
    const slide = w.slideMs;
    const offset = w.offsetMs;
    for (let k = 0; k < selected.length; k++) {
      const i = selected[k]!;
      const t = times[i]!;
      let key = 0;
      // readable: key = the row's codes folded as mixed-radix digits code + 1, first key lowest
      for (let c = nKeys - 1; c >= 0; c--) key = key * radix[c]! + codes[c]![i]! + 1;
      try {
        for (let a = 0; a < nStores; a++) args[a] = argReaders[a] ? argReaders[a]!(i) : null;
      } catch (e) {
        rowErrors.push({ row: i, message: messageOf(e) });
        continue;
      }
      const bound = wm ? wm[i]! : lateBefore;
      // The row's windows exactly as assignWindows lists them; those the watermark closed are skipped.
      if (w.type === 'tumble') {
        const start = Math.floor((t - offset) / size) * size + offset;
        if (start + size > bound) tables.add(start, start + size, key, i, args);
      } else if (w.type === 'global') {
        tables.add(GLOBAL_START, GLOBAL_END, key, i, args);
      } else if (w.type === 'hop') {
        const last = Math.floor((t - offset) / slide) * slide + offset;
        for (let s = last; s > t - size; s -= slide) if (s + size > bound) tables.add(s, s + size, key, i, args);
      } else {
        const base = Math.floor((t - offset) / size) * size + offset;
        const first = Math.floor((t - base) / slide) + 1;
        for (let m = first; m * slide <= size; m++) if (base + m * slide > bound) tables.add(base, base + m * slide, key, i, args);
      }
    }
  }

  /** Sessions within one chunk, per key: sort the key's rows by time and cut where the gap is reached. */
  private sessions(batch: ColumnBatch, selected: Int32Array, time: Reader, rowErrors: { row: number; message: string }[]): PartialGroups {
    const keyReaders = this.keys.map((k) => k.bind(batch));
    const argReaders = this.aggArgs.map((a) => a?.bind(batch) ?? null);
    const byKey = new Map<string, { keyValues: unknown[]; rows: number[] }>();
    for (const i of selected) {
      try {
        const keyValues = keyReaders.map((r) => r(i));
        const k = JSON.stringify(keyValues);
        let e = byKey.get(k);
        if (!e) byKey.set(k, (e = { keyValues, rows: [] }));
        e.rows.push(i);
      } catch (e) {
        rowErrors.push({ row: i, message: messageOf(e) });
      }
    }
    const g = this.newGroups();
    const gap = this.plan.window!.gapMs;
    for (const { keyValues, rows } of byKey.values()) {
      rows.sort((a, b) => (time(a) as number) - (time(b) as number));
      let slot = -1;
      let end = -Infinity;
      for (const i of rows) {
        const t = time(i) as number;
        let vals: unknown[];
        try {
          vals = argReaders.map((r) => (r ? r(i) : null));
        } catch (e) {
          rowErrors.push({ row: i, message: messageOf(e) });
          continue;
        }
        // Sessions that touch merge, as Flink's do: a row exactly `gap` after the last one joins its session.
        if (slot < 0 || t > end) {
          slot = g.add(t, t + gap, keyValues);
        }
        end = Math.max(end, t + gap);
        g.ends[slot] = end;
        for (let a = 0; a < g.stores.length; a++) if (vals[a] !== FILTERED) g.stores[a]!.add(slot, vals[a]);
      }
    }
    return finish(g);
  }
}

/**
 * The (window, key) groups of one chunk. A class rather than a closure made per chunk: optimized
 * code that inlined one chunk's closure deoptimized on the next chunk's ("wrong call target").
 */
class Groups {
  count = 0;
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly keys: unknown[][] = [];

  constructor(readonly stores: AccumulatorStore[]) {}

  add(start: number, end: number, key: unknown[]): number {
    const slot = this.count++;
    this.starts.push(start);
    this.ends.push(end);
    this.keys.push(key);
    for (const s of this.stores) {
      s.grow(this.count);
      s.clear(slot);
    }
    return slot;
  }
}

/**
 * The groups of one chunk's fixed windows, by window end (which alone tells a fixed window) and
 * then by the row's folded key codes, with the last window's table at hand for rows in time order.
 */
class WindowTables {
  private readonly byEnd = new Map<number, Map<number, number>>();
  private lastEnd = NaN;
  private last = new Map<number, number>();

  constructor(private readonly g: Groups, private readonly codes: Int32Array[], private readonly dicts: (readonly string[])[]) {}

  /** Adds row `i`'s aggregate arguments to its group of window [start, end). */
  add(start: number, end: number, key: number, i: number, args: unknown[]): void {
    let table = this.last;
    if (end !== this.lastEnd) {
      let found = this.byEnd.get(end);
      if (!found) this.byEnd.set(end, (found = new Map()));
      table = this.last = found;
      this.lastEnd = end;
    }
    const g = this.g;
    let slot = table.get(key);
    if (slot === undefined) table.set(key, (slot = g.add(start, end, this.keyValues(i))));
    for (let a = 0; a < g.stores.length; a++) if (args[a] !== FILTERED) g.stores[a]!.add(slot, args[a]);
  }

  private keyValues(i: number): unknown[] {
    return this.codes.map((codes, c) => (codes[i]! < 0 ? null : this.dicts[c]![codes[i]!]));
  }
}

function finish(g: Groups): PartialGroups {
  const states: unknown[][] = [];
  const stores = g.stores;
  for (let slot = 0; slot < g.count; slot++) {
    if (stores.length === 1) {
      states.push(stores[0]!.state(slot));
      continue;
    }
    // readable: states.push(stores.flatMap((s) => s.state(slot)))
    const flat: unknown[] = [];
    for (const s of stores) for (const v of s.state(slot)) flat.push(v);
    states.push(flat);
  }
  return { count: g.count, starts: g.starts, ends: g.ends, keys: g.keys, states };
}

/*
 * The per-row loops below are functions of their own that end by returning a number: V8 compiles
 * a long-running loop on the stack (OSR), and code after the loop that had never run there (the
 * caller's next property read or call) has no type feedback, which deoptimized the whole caller on
 * chunk after chunk.
 */

/** Largest of `values[0, n)` whose `valid` flag is set (every one if `valid` is null), or -Infinity. */
function maxValid(values: Float64Array, valid: Uint8Array | null, n: number): number {
  let max = -Infinity;
  // readable: max = Math.max(...values.filter((_, i) => !valid || valid[i]))
  for (let i = 0; i < n; i++) if ((!valid || valid[i]) && values[i]! > max) max = values[i]!;
  return max;
}

/**
 * Writes into `sel` the rows of `[0, n)` that have a time and are not late against the watermark
 * before them (`wm[i]`, or `lateBefore` for every row), pushing late rows to `late`; rows without a
 * time (valid flag clear) are left out of both. Returns how many were selected.
 */
function selectTimed(sel: Int32Array, n: number, times: Float64Array, valid: Uint8Array | null, w: WindowSpec, lateBefore: number, wm: Float64Array | null, late: number[]): number {
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (valid && !valid[i]) continue;
    const t = times[i]!;
    const bound = wm ? wm[i]! : lateBefore;
    // Every window holding t ends after t, so a row at or after the watermark cannot be late.
    if (t < bound && lastWindowEnd(w, t) <= bound) late.push(i);
    else sel[count++] = i;
  }
  return count;
}

/**
 * `out[i]` = the watermark before row i: `start`, raised by each earlier row with a time to its
 * time minus `delay`, but never above `cap`.
 */
function runningWatermarks(out: Float64Array, times: Float64Array, valid: Uint8Array | null, n: number, start: number, delay: number, cap: number): number {
  let w = start;
  // readable: out[i] = max(start, min(cap, max(times[j] - delay for valid j < i)))
  for (let i = 0; i < n; i++) {
    out[i] = w;
    if (!valid || valid[i]) {
      const c = Math.min(times[i]! - delay, cap);
      if (c > w) w = c;
    }
  }
  return w;
}
