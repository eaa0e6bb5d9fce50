import type { QueryPlan } from '../planner/physical.js';
import type { SqlType } from '../planner/types.js';
import { createStore, type AccumulatorStore } from './aggregates/registry.js';
import { vectorFromValues, type ColumnBatch } from './column-batch.js';
import { compileExpr, type CompiledExpr } from './kernels/compile-expr.js';
import type { Operator, OutputRows } from './operator.js';
import { ChangelogBuilder, RowKind, type ChangelogRows } from './changelog.js';
import { GLOBAL_END, GLOBAL_START } from '../planner/logical/plan.js';
import type { PartialGroups } from './row-stage.js';
import { messageOf } from './row-stage.js';
import { lateProbe } from './kernels/partition.js';

/**
 * Keyed window state: merges partial aggregates from the row stage, emits a window's rows when
 * the watermark passes its end (or on every change with EMIT CHANGES), then purges it. Only open
 * windows hold state; slots are reused.
 */
export class WindowAggregate implements Operator<PartialGroups, OutputRows> {
  private readonly stores: AccumulatorStore[];
  private readonly stateWidths: number[];
  private starts = new Float64Array(1024);
  private ends = new Float64Array(1024);
  private keys: (unknown[] | undefined)[] = [];
  private free: number[] = [];
  private capacity = 0;
  private live = 0;
  private readonly index = new Map<number, Map<number, Map<unknown, number>>>();
  private readonly sessions = new Map<unknown, number[]>();
  private readonly byEnd = new Map<number, number[]>();
  private sortedEnds: number[] = [];
  private readonly outTypes: SqlType[];
  /** When each group of a global window was last changed (processing time), for the state TTL. */
  private touchedAt = new Float64Array(1024);
  private readonly having: CompiledExpr | null;
  private readonly outputs: CompiledExpr[];
  watermark = -Infinity;
  readonly rowErrors: { message: string; row: unknown[] }[] = [];

  constructor(readonly plan: QueryPlan) {
    this.stores = plan.aggs.map((a) => createStore(a));
    this.stateWidths = this.stores.map((s) => s.stateTypes.length);
    this.outTypes = ['TIMESTAMP', 'TIMESTAMP', ...plan.keys.map((k) => k.type), ...plan.aggs.map((a) => a.type)];
    this.having = plan.having ? compileExpr(plan.having, this.outTypes) : null;
    this.outputs = plan.outputs.map((o) => compileExpr(o, this.outTypes));
  }

  get openGroups(): number {
    return this.live;
  }

  /** True when merging this partial would touch a window the watermark already closed. */
  wouldBeLate(p: PartialGroups): boolean {
    const w = this.plan.window!;
    return lateProbe(p, w.type === 'session' ? w.gapMs : null) <= this.watermark;
  }

  processBatch(p: PartialGroups, out: (rows: OutputRows) => void): void {
    if (this.plan.window!.type === 'global') return this.processUpdating(p, out);
    const touched = this.plan.emit === 'changes' ? new Set<number>() : null;
    const single = this.plan.keys.length === 1;
    for (let i = 0; i < p.count; i++) {
      const keyValues = p.keys[i]!;
      const key = single ? keyValues[0] : this.plan.keys.length === 0 ? 0 : JSON.stringify(keyValues);
      const slot = this.plan.window!.type === 'session' ? this.mergeSession(key, keyValues, p.starts[i]!, p.ends[i]!) : this.slotFor(key, keyValues, p.starts[i]!, p.ends[i]!);
      const state = p.states[i]!;
      let at = 0;
      for (let a = 0; a < this.stores.length; a++) {
        const w = this.stateWidths[a]!;
        this.stores[a]!.mergeState(slot, state, at);
        at += w;
      }
      touched?.add(slot);
    }
    if (touched && touched.size) out(this.emitSlots([...touched]));
  }

  /**
   * A GROUP BY without a time window: merges the batch, then emits per touched group what changed
   * (Flink's GroupAggFunction, one change per group per batch): +I for a new row, -U/+U for a
   * changed one, -D when HAVING drops it, nothing when its row is the same.
   */
  private processUpdating(p: PartialGroups, out: (rows: ChangelogRows) => void): void {
    const single = this.plan.keys.length === 1;
    const slots = new Array<number>(p.count);
    const touched: number[] = [];
    const existed = new Set<number>();
    const seen = new Set<number>();
    for (let i = 0; i < p.count; i++) {
      const keyValues = p.keys[i]!;
      const key = single ? keyValues[0] : this.plan.keys.length === 0 ? 0 : JSON.stringify(keyValues);
      const live = this.live;
      const slot = this.slotFor(key, keyValues, GLOBAL_START, GLOBAL_END);
      slots[i] = slot;
      if (seen.has(slot)) continue;
      seen.add(slot);
      touched.push(slot);
      if (this.live === live) existed.add(slot);
    }
    const before = this.evaluate(touched.filter((s) => existed.has(s)));
    for (let i = 0; i < p.count; i++) {
      const state = p.states[i]!;
      let at = 0;
      for (let a = 0; a < this.stores.length; a++) {
        this.stores[a]!.mergeState(slots[i]!, state, at);
        at += this.stateWidths[a]!;
      }
    }
    const after = this.evaluate(touched);
    const at = Date.now();
    for (const slot of touched) {
      if (slot >= this.touchedAt.length) {
        const grown = new Float64Array(Math.max(slot + 1, this.touchedAt.length * 2));
        grown.set(this.touchedAt);
        this.touchedAt = grown;
      }
      this.touchedAt[slot] = at;
    }
    const changes = new ChangelogBuilder(this.outputs.length);
    const now = Date.now();
    for (const slot of touched) {
      const old = before.get(slot);
      const row = after.get(slot);
      if (!old && row) changes.add(RowKind.Insert, row, now);
      else if (old && !row) changes.add(RowKind.Delete, old, now);
      else if (old && row && !sameValues(old, row)) {
        changes.add(RowKind.UpdateBefore, old, now);
        changes.add(RowKind.UpdateAfter, row, now);
      }
    }
    if (changes.count) out(changes.take(true));
  }

  /**
   * Forgets the groups of a global window (a GROUP BY without a time window) untouched for `ttlMs`,
   * emitting nothing, as Flink's state TTL does: a later row of that key starts a new group.
   */
  expire(now: number, ttlMs: number): void {
    if (this.plan.window!.type !== 'global') return;
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.keys[slot] !== undefined && now - (this.touchedAt[slot] ?? 0) > ttlMs) this.purge(slot);
    }
  }

  private alloc(keyValues: unknown[], start: number, end: number): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.capacity++;
      if (slot >= this.starts.length) {
        const grow = (a: Float64Array) => { const b = new Float64Array(a.length * 2); b.set(a); return b; };
        this.starts = grow(this.starts);
        this.ends = grow(this.ends);
      }
      for (const s of this.stores) s.grow(this.capacity);
    }
    for (const s of this.stores) s.clear(slot);
    this.starts[slot] = start;
    this.ends[slot] = end;
    this.keys[slot] = keyValues;
    this.live++;
    this.scheduleFire(slot, end);
    return slot;
  }

  private scheduleFire(slot: number, end: number): void {
    let list = this.byEnd.get(end);
    if (!list) {
      this.byEnd.set(end, (list = []));
      const at = lowerBound(this.sortedEnds, end);
      this.sortedEnds.splice(at, 0, end);
    }
    list.push(slot);
  }

  private slotFor(key: unknown, keyValues: unknown[], start: number, end: number): number {
    let byEnd = this.index.get(start);
    if (!byEnd) this.index.set(start, (byEnd = new Map()));
    let byKey = byEnd.get(end);
    if (!byKey) byEnd.set(end, (byKey = new Map()));
    let slot = byKey.get(key);
    if (slot === undefined) byKey.set(key, (slot = this.alloc(keyValues, start, end)));
    return slot;
  }

  /** Merges a partial session into every open session of its key that it overlaps. */
  private mergeSession(key: unknown, keyValues: unknown[], start: number, end: number): number {
    let list = this.sessions.get(key);
    if (!list) this.sessions.set(key, (list = []));
    // Touching sessions merge too ([0, 10) and [10, 20)), as Flink's TimeWindow.intersects has it.
    const overlapping = list.filter((s) => this.starts[s]! <= end && start <= this.ends[s]!);
    if (overlapping.length === 0) {
      const slot = this.alloc(keyValues, start, end);
      list.push(slot);
      return slot;
    }
    const [keep, ...rest] = overlapping;
    let newStart = Math.min(start, this.starts[keep!]!);
    let newEnd = Math.max(end, this.ends[keep!]!);
    for (const other of rest) {
      newStart = Math.min(newStart, this.starts[other]!);
      newEnd = Math.max(newEnd, this.ends[other]!);
      for (const s of this.stores) s.mergeState(keep!, s.state(other));
      this.release(other);
      list.splice(list.indexOf(other), 1);
    }
    this.starts[keep!] = newStart;
    if (newEnd !== this.ends[keep!]) {
      this.ends[keep!] = newEnd;
      this.scheduleFire(keep!, newEnd);
    }
    return keep!;
  }

  private release(slot: number): void {
    this.keys[slot] = undefined;
    this.free.push(slot);
    this.live--;
  }

  onWatermark(watermark: number, out: (rows: OutputRows) => void): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    const fired: number[] = [];
    let n = 0;
    while (n < this.sortedEnds.length && this.sortedEnds[n]! <= watermark) n++;
    for (const end of this.sortedEnds.splice(0, n)) {
      for (const slot of this.byEnd.get(end)!) {
        if (this.keys[slot] !== undefined && this.ends[slot] === end) fired.push(slot);
      }
      this.byEnd.delete(end);
    }
    if (fired.length === 0) return;
    if (this.plan.emit === 'final') out(this.emitSlots(fired));
    for (const slot of fired) this.purge(slot);
  }

  private purge(slot: number): void {
    const start = this.starts[slot]!;
    const end = this.ends[slot]!;
    const keyValues = this.keys[slot]!;
    const key = this.plan.keys.length === 1 ? keyValues[0] : this.plan.keys.length === 0 ? 0 : JSON.stringify(keyValues);
    if (this.plan.window!.type === 'session') {
      const list = this.sessions.get(key);
      if (list) {
        list.splice(list.indexOf(slot), 1);
        if (list.length === 0) this.sessions.delete(key);
      }
    } else {
      const byEnd = this.index.get(start);
      const byKey = byEnd?.get(end);
      byKey?.delete(key);
      if (byKey && byKey.size === 0) byEnd!.delete(end);
      if (byEnd && byEnd.size === 0) this.index.delete(start);
    }
    this.release(slot);
  }

  /** Each slot's output row, or none where HAVING drops it or its expressions fail (reported). */
  private evaluate(slots: number[]): Map<number, unknown[]> {
    const rows = new Map<number, unknown[]>();
    if (slots.length === 0) return rows;
    const emitted = this.emitSlots(slots, true);
    emitted.slots!.forEach((slot, r) => rows.set(slot, emitted.columns.map((c) => c[r])));
    return rows;
  }

  private emitSlots(slots: number[]): OutputRows;
  private emitSlots(slots: number[], withSlots: true): OutputRows & { slots: number[] };
  private emitSlots(slots: number[], withSlots = false): OutputRows & { slots?: number[] } {
    const nk = this.plan.keys.length;
    const cols: unknown[][] = this.outTypes.map(() => new Array(slots.length));
    slots.forEach((slot, r) => {
      cols[0]![r] = this.starts[slot];
      cols[1]![r] = this.ends[slot];
      const kv = this.keys[slot]!;
      for (let k = 0; k < nk; k++) cols[2 + k]![r] = kv[k];
      this.stores.forEach((s, a) => (cols[2 + nk + a]![r] = s.result(slot)));
    });
    const batch: ColumnBatch = { length: slots.length, columns: cols.map((c, i) => vectorFromValues(c, this.outTypes[i]!)) };
    const having = this.having?.bind(batch);
    const readers = this.outputs.map((o) => o.bind(batch));
    const columns: unknown[][] = readers.map(() => []);
    const rowtimes: number[] = [];
    // One row's values, all evaluated before any is kept, so a row that fails leaves no trace.
    const vals: unknown[] = new Array(readers.length).fill(null);
    const kept: number[] | undefined = withSlots ? [] : undefined;
    for (let r = 0; r < slots.length; r++) {
      try {
        if (having && having(r) !== true) continue;
        for (let c = 0; c < readers.length; c++) vals[c] = readers[c]!(r);
        for (let c = 0; c < readers.length; c++) columns[c]!.push(vals[c]);
        rowtimes.push(cols[1]![r] as number);
        kept?.push(slots[r]!);
      } catch (e) {
        this.rowErrors.push({ message: messageOf(e), row: cols.map((c) => c[r]) });
      }
    }
    return { count: rowtimes.length, columns, rowtimes, ...(kept ? { slots: kept } : {}) };
  }

  snapshot(): Uint8Array {
    const groups: unknown[] = [];
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.keys[slot] === undefined) continue;
      groups.push([this.starts[slot], this.ends[slot], this.keys[slot], this.stores.flatMap((s) => s.state(slot))]);
    }
    return new TextEncoder().encode(JSON.stringify({ watermark: this.watermark === -Infinity ? null : this.watermark, groups }));
  }

  restore(bytes: Uint8Array): void {
    const snap = JSON.parse(new TextDecoder().decode(bytes)) as { watermark: number | null; groups: [number, number, unknown[], unknown[]][] };
    const p: PartialGroups = {
      count: snap.groups.length,
      starts: snap.groups.map((g) => g[0]),
      ends: snap.groups.map((g) => g[1]),
      keys: snap.groups.map((g) => g[2]),
      states: snap.groups.map((g) => g[3]),
    };
    this.processBatch(p, () => {});
    this.watermark = snap.watermark ?? -Infinity;
  }

  /** Approximate bytes of state per open group, for the memory budget. */
  stateBytes(): number {
    return this.capacity * (16 + this.stores.length * 16);
  }
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
