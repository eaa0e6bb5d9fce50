import { ChangelogBuilder, RowKind, isAccumulate, type ChangelogRows } from './changelog.js';
import type { Operator } from './operator.js';
import type { Expiring, OperatorHooks } from './operator-hooks.js';
import type { AccumulatorStore } from './aggregates/accumulator.js';
import { createChangelogStore, type AggregateCallSpec } from './aggregates/changelog-registry.js';
import { keyOf, sameValues, valuesAt, type KeyOf } from './kernels/row-key.js';
import { decodeState, encodeState } from './state-codec.js';

export type { AggregateCallSpec } from './aggregates/changelog-registry.js';

/**
 * An unbounded `GROUP BY keys` over changelog rows, as plain JSON. Output: the key columns in
 * `keys` order, then one column per call in `calls` order.
 */
export interface GroupAggregateSpec {
  readonly keys: readonly number[];
  readonly calls: readonly AggregateCallSpec[];
  /** The input has -U/-D rows: MIN, MAX and COUNT(DISTINCT) keep what retraction needs. */
  readonly inputRetracts: boolean;
  /** Processing-time TTL of a group's state; expiry emits nothing (as Flink's state TTL). */
  readonly ttlMs?: number;
}

export interface GroupAggregateHooks extends OperatorHooks {
  /** HAVING over an output row: a group is in the result only while it holds. It must not throw. */
  readonly having?: (row: readonly unknown[]) => boolean;
}

interface Group {
  readonly key: unknown;
  readonly keyValues: unknown[];
  readonly slot: number;
  /** Rows in the group: +I/+U add one, -U/-D take one away. */
  count: number;
  epoch: number;
  before: unknown[] | null;
  rowtime: number;
  touchedAt: number;
}

/**
 * Unbounded group aggregation, as Flink's GroupAggFunction in mini-batch mode: each batch emits
 * at most one change per group it touched: +I for a group that appears, -U/+U for one whose row
 * changed, -D for one whose row count fell to 0 through retractions (or that HAVING now rejects),
 * nothing when the row did not change. An output row's ROWTIME is that of the last input row
 * that touched its group.
 */
export class GroupAggregate implements Operator<ChangelogRows, ChangelogRows>, Expiring {
  private readonly stores: AccumulatorStore[];
  private readonly groups = new Map<unknown, Group>();
  private readonly key: KeyOf;
  private readonly now: () => number;
  private readonly having: ((row: readonly unknown[]) => boolean) | undefined;
  private readonly free: number[] = [];
  private capacity = 0;
  private epoch = 0;

  constructor(readonly spec: GroupAggregateSpec, hooks: GroupAggregateHooks = {}) {
    this.stores = spec.calls.map((c) => createChangelogStore(c.fn, spec.inputRetracts));
    this.key = keyOf(spec.keys);
    this.now = hooks.now ?? Date.now;
    this.having = hooks.having;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  processBatch(batch: ChangelogRows, out: (rows: ChangelogRows) => void): void {
    const { columns, rowtimes, ops } = batch;
    const { calls } = this.spec;
    const stores = this.stores;
    const now = this.spec.ttlMs !== undefined ? this.now() : 0;
    const epoch = ++this.epoch;
    const touched: Group[] = [];
    for (let i = 0; i < batch.count; i++) {
      const acc = ops ? isAccumulate(ops[i]! as RowKind) : true;
      if (!acc && !this.spec.inputRetracts) throw new Error('GroupAggregate over insert-only input got a retraction: the plan must say inputRetracts');
      const key = this.key(columns, i);
      let g = this.groups.get(key);
      if (g === undefined) {
        // A retraction for a group that is gone (expired) is skipped, as Flink's GroupAggFunction does.
        if (!acc) continue;
        g = this.alloc(key, valuesAt(columns, i, this.spec.keys));
      }
      if (g.epoch !== epoch) {
        g.epoch = epoch;
        g.before = g.count > 0 ? this.visibleRow(g) : null;
        touched.push(g);
      }
      g.count += acc ? 1 : -1;
      g.rowtime = rowtimes[i]!;
      g.touchedAt = now;
      for (let c = 0; c < calls.length; c++) {
        const call = calls[c]!;
        if (call.filter !== undefined && columns[call.filter]![i] !== true) continue;
        const v = call.arg === null ? null : columns[call.arg]![i] ?? null;
        if (acc) stores[c]!.add(g.slot, v);
        else stores[c]!.retract!(g.slot, v);
      }
    }
    if (touched.length === 0) return;
    const b = new ChangelogBuilder(this.spec.keys.length + calls.length);
    for (const g of touched) {
      const after = g.count > 0 ? this.visibleRow(g) : null;
      const before = g.before;
      if (before && after) {
        if (!sameValues(before, after)) {
          b.add(RowKind.UpdateBefore, before, g.rowtime);
          b.add(RowKind.UpdateAfter, after, g.rowtime);
        }
      } else if (before) b.add(RowKind.Delete, before, g.rowtime);
      else if (after) b.add(RowKind.Insert, after, g.rowtime);
      g.before = null;
      if (g.count <= 0) this.release(g);
    }
    if (b.count > 0) out(b.take());
  }

  /** The group's output row, or null when HAVING rejects it. */
  private visibleRow(g: Group): unknown[] | null {
    const row = [...g.keyValues];
    for (const s of this.stores) row.push(s.result(g.slot));
    return this.having && !this.having(row) ? null : row;
  }

  private alloc(key: unknown, keyValues: unknown[]): Group {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.capacity++;
      for (const s of this.stores) s.grow(this.capacity);
    }
    for (const s of this.stores) s.clear(slot);
    const g: Group = { key, keyValues, slot, count: 0, epoch: 0, before: null, rowtime: 0, touchedAt: 0 };
    this.groups.set(key, g);
    return g;
  }

  private release(g: Group): void {
    for (const s of this.stores) s.clear(g.slot);
    this.free.push(g.slot);
    this.groups.delete(g.key);
  }

  onWatermark(): void {}

  expire(now: number): void {
    const ttl = this.spec.ttlMs;
    if (ttl === undefined) return;
    for (const g of [...this.groups.values()]) if (g.touchedAt + ttl <= now) this.release(g);
  }

  snapshot(): Uint8Array {
    return encodeState([...this.groups.values()].map((g) => [g.key, g.keyValues, g.count, g.rowtime, g.touchedAt, this.stores.map((s) => s.state(g.slot))]));
  }

  restore(bytes: Uint8Array): void {
    for (const [key, keyValues, count, rowtime, touchedAt, states] of decodeState<[unknown, unknown[], number, number, number, unknown[][]][]>(bytes)) {
      const g = this.alloc(key, keyValues);
      Object.assign(g, { count, rowtime, touchedAt });
      states.forEach((st, c) => this.stores[c]!.mergeState(g.slot, st));
    }
  }
}
