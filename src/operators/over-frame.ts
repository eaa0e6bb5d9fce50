import type { AccumulatorStore } from './aggregates/accumulator.js';
import { createChangelogStore } from './aggregates/changelog-registry.js';
import { MonotonicDeque } from './aggregates/monotonic-deque.js';
import type { Columns } from './kernels/row-key.js';
import { FixedRing, GrowingRing, type FrameRing, type RingState } from './over-ring.js';

const NO_TIMES: number[] = [];
const NO_ARGS: unknown[][] = [];

export type OverFunction =
  | 'COUNT_STAR' | 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'COUNT_DISTINCT'
  | 'FIRST_VALUE' | 'LAST_VALUE' | 'LAG' | 'LEAD' | 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';

/** One OVER call: the function, the input column it reads (null for COUNT(*) and the rank functions). */
export interface OverCallSpec {
  readonly fn: OverFunction;
  readonly arg: number | null;
  /** LAG and LEAD: how many rows back or ahead; default 1. */
  readonly offset?: number;
  /** LAG and LEAD: the value when there is no such row; default NULL. */
  readonly default?: unknown;
}

/**
 * The frame, always ending at CURRENT ROW: `ROWS n PRECEDING` (`preceding: null` for UNBOUNDED
 * PRECEDING) or `RANGE INTERVAL PRECEDING` (`precedingMs: null` for UNBOUNDED PRECEDING). With RANGE,
 * rows with the same time are peers: each one's frame holds them all.
 */
export type OverFrame =
  | { readonly kind: 'rows'; readonly preceding: number | null }
  | { readonly kind: 'range'; readonly precedingMs: number | null };

const enum Kind { Store, Deque, First, Last, Lag, Lead, RowNumber, Rank, DenseRank }

/** Rows held for LEAD: whole output rows, until enough rows follow them. */
export interface LeadQueue {
  rows: unknown[][];
  rowtimes: number[];
  seqs: number[];
  head: number;
}

/** One partition's state: its frame's rows (bounded frames), the accumulators' slot, and what LAG, LEAD and the rank functions need. */
export class OverPartition implements RingState {
  rows = 0;
  lastTime = -Infinity;
  rank = 0;
  dense = 0;
  /** The frame's place in its ring (see over-ring.ts). */
  fstart = 0;
  flen = 0;
  fmask = 0;
  ftimes: number[] = NO_TIMES;
  fargs: unknown[][] = NO_ARGS;
  deques: (MonotonicDeque | null)[];
  firsts: unknown[];
  lasts: unknown[];
  lags: (unknown[] | null)[];
  lead: LeadQueue | null;
  frameVals: unknown[];
  stamp = -1;
  touchedAt = 0;
  live = true;

  constructor(readonly key: unknown, readonly slot: number, frames: OverFrames) {
    const calls = frames.calls;
    frames.ring?.init(this);
    this.deques = calls.map((c, k) => (frames.kinds[k] === Kind.Deque ? new MonotonicDeque(c.fn === 'MAX') : null));
    this.firsts = calls.map(() => null);
    this.lasts = calls.map(() => null);
    this.lags = calls.map((c, k) => (frames.kinds[k] === Kind.Lag ? new Array<unknown>(Math.max(1, c.offset ?? 1)).fill(null) : null));
    this.lead = frames.leadMax >= 0 ? { rows: [], rowtimes: [], seqs: [], head: 0 } : null;
    this.frameVals = calls.map(() => null);
  }
}

/**
 * The state of every partition of one OVER operator: adds rows, slides bounded frames (rows leave
 * oldest first, so accumulators retract and MIN/MAX use monotonic deques), and answers each call.
 */
export class OverFrames {
  readonly kinds: Kind[];
  /** Input columns a bounded frame keeps per row, to retract them or answer FIRST_VALUE. */
  readonly frameColumns: number[] = [];
  private readonly frameSlot: number[];
  readonly stores: (AccumulatorStore | null)[];
  readonly bounded: boolean;
  readonly rowsLimit: number;
  readonly rangeMs: number | null;
  /** Largest LEAD offset; -1 without LEAD. */
  readonly leadMax: number;
  /** Whether a partition's state matters after its frame empties (LAG, rank functions, ROWS or unbounded frames). */
  readonly persistent: boolean;
  readonly ring: FrameRing | null;
  readonly parts = new Map<unknown, OverPartition>();
  private readonly free: number[] = [];
  private capacity = 0;

  constructor(readonly calls: readonly OverCallSpec[], frame: OverFrame) {
    const preceding = frame.kind === 'rows' ? frame.preceding : frame.precedingMs;
    this.bounded = preceding !== null;
    this.rowsLimit = frame.kind === 'rows' && preceding !== null ? preceding + 1 : Infinity;
    this.rangeMs = frame.kind === 'range' ? frame.precedingMs : null;
    this.kinds = calls.map((c) => kindOf(c.fn, this.bounded));
    this.frameSlot = calls.map((c, k) => {
      const kind = this.kinds[k]!;
      if (!this.bounded || c.arg === null || (kind !== Kind.Store && kind !== Kind.First)) return -1;
      let at = this.frameColumns.indexOf(c.arg);
      if (at < 0) at = this.frameColumns.push(c.arg) - 1;
      return at;
    });
    this.ring = !this.bounded ? null : frame.kind === 'rows' ? new FixedRing(this.rowsLimit, this.frameColumns) : new GrowingRing(this.frameColumns);
    this.stores = calls.map((c, k) => (this.kinds[k] === Kind.Store ? createChangelogStore(c.fn as Parameters<typeof createChangelogStore>[0], this.bounded) : null));
    this.leadMax = Math.max(-1, ...calls.filter((c) => c.fn === 'LEAD').map((c) => c.offset ?? 1));
    this.persistent = frame.kind === 'rows' || this.rangeMs === null || this.kinds.some((k) => k === Kind.Lag || k >= Kind.RowNumber);
  }

  isFrameCall(k: number): boolean {
    return this.kinds[k]! <= Kind.Last;
  }

  partition(key: unknown): OverPartition {
    let p = this.parts.get(key);
    if (p === undefined) {
      let slot = this.free.pop();
      if (slot === undefined) {
        slot = this.capacity++;
        for (const s of this.stores) s?.grow(this.capacity);
        this.ring?.grow(this.capacity);
      }
      for (const s of this.stores) s?.clear(slot);
      p = new OverPartition(key, slot, this);
      this.parts.set(key, p);
    }
    return p;
  }

  /** Adds row `i` at time `t` to `p`; the row-level calls' values (LAG, rank functions) go to `vals`. */
  add(p: OverPartition, columns: Columns, i: number, t: number, vals: unknown[]): void {
    const seq = p.rows;
    if (seq === 0 || t !== p.lastTime) {
      p.rank = seq + 1;
      p.dense++;
      p.lastTime = t;
    }
    const { calls, kinds } = this;
    for (let k = 0; k < calls.length; k++) {
      const c = calls[k]!;
      const v = c.arg === null ? null : columns[c.arg]![i] ?? null;
      switch (kinds[k]) {
        case Kind.Store: this.stores[k]!.add(p.slot, v); break;
        case Kind.Deque: p.deques[k]!.push(seq, v); break;
        case Kind.First: if (seq === 0) p.firsts[k] = v; break;
        case Kind.Last: p.lasts[k] = v; break;
        case Kind.Lag: {
          const n = c.offset ?? 1;
          if (n === 0) vals[k] = v;
          else {
            const ring = p.lags[k]!;
            const at = seq % n;
            vals[k] = seq >= n ? ring[at] : c.default ?? null;
            ring[at] = v;
          }
          break;
        }
        case Kind.RowNumber: vals[k] = seq + 1; break;
        case Kind.Rank: vals[k] = p.rank; break;
        case Kind.DenseRank: vals[k] = p.dense; break;
        default: break;
      }
    }
    p.rows = seq + 1;
    if (this.bounded) {
      this.ring!.push(p, t, columns, i);
      while (p.flen > this.rowsLimit) this.evictFront(p);
    }
  }

  /** RANGE: rows more than the interval before `t` leave the frame. */
  evictBefore(p: OverPartition, t: number): void {
    const from = t - this.rangeMs!;
    const ring = this.ring!;
    while (p.flen > 0 && ring.frontTime(p) < from) this.evictFront(p);
  }

  evictAll(p: OverPartition): void {
    while (p.flen > 0) this.evictFront(p);
  }

  private evictFront(p: OverPartition): void {
    const seq = p.rows - p.flen;
    const { kinds, frameSlot } = this;
    for (let k = 0; k < kinds.length; k++) {
      if (kinds[k] === Kind.Store) {
        const f = frameSlot[k]!;
        this.stores[k]!.retract!(p.slot, f < 0 ? null : this.ring!.frontArg(p, f));
      } else if (kinds[k] === Kind.Deque) p.deques[k]!.evict(seq);
    }
    this.ring!.shift(p);
  }

  /** The frame calls' values for `p`'s frame as it stands, into `into` (other entries untouched). */
  frameValues(p: OverPartition, into: unknown[]): void {
    const { kinds } = this;
    for (let k = 0; k < kinds.length; k++) {
      switch (kinds[k]) {
        case Kind.Store: into[k] = this.stores[k]!.result(p.slot); break;
        case Kind.Deque: into[k] = p.deques[k]!.front(); break;
        case Kind.First: into[k] = this.bounded ? (p.flen > 0 ? this.ring!.frontArg(p, this.frameSlot[k]!) : null) : p.firsts[k]; break;
        case Kind.Last: into[k] = p.lasts[k]; break;
        default: break;
      }
    }
  }

  droppable(p: OverPartition): boolean {
    return !this.persistent && p.flen === 0 && (p.lead === null || p.lead.head === p.lead.rows.length);
  }

  /** Frees `p`'s slot; call it once per partition (`live` tells). */
  drop(p: OverPartition): void {
    for (const s of this.stores) s?.clear(p.slot);
    this.free.push(p.slot);
    this.parts.delete(p.key);
    p.live = false;
  }

  snapshotPartition(p: OverPartition): unknown[] {
    const lead = p.lead ? [p.lead.rows.slice(p.lead.head), p.lead.rowtimes.slice(p.lead.head), p.lead.seqs.slice(p.lead.head)] : null;
    return [
      p.key, p.rows, p.lastTime, p.rank, p.dense, ...(this.ring?.rows(p) ?? [[], []]),
      p.deques.map((d) => d?.state() ?? null), p.firsts, p.lags, lead, p.touchedAt,
      this.stores.map((s) => s?.state(p.slot) ?? null),
    ];
  }

  restorePartition(s: unknown[]): OverPartition {
    const [key, rows, lastTime, rank, dense, ftimes, fargs, deques, firsts, lags, lead, touchedAt, states] = s as [
      unknown, number, number, number, number, number[], unknown[][], ([unknown[], number[]] | null)[], unknown[],
      (unknown[] | null)[], [unknown[][], number[], number[]] | null, number, (unknown[] | null)[],
    ];
    const p = this.partition(key);
    Object.assign(p, { rows, lastTime, rank, dense, firsts, lags, touchedAt });
    this.ring?.setRows(p, ftimes, fargs);
    deques.forEach((d, k) => d && p.deques[k]!.restore(d));
    if (lead) p.lead = { rows: lead[0], rowtimes: lead[1], seqs: lead[2], head: 0 };
    states.forEach((st, k) => st && this.stores[k]!.mergeState(p.slot, st));
    return p;
  }
}

function kindOf(fn: OverFunction, bounded: boolean): Kind {
  switch (fn) {
    case 'COUNT_STAR': case 'COUNT': case 'SUM': case 'AVG': case 'COUNT_DISTINCT': return Kind.Store;
    case 'MIN': case 'MAX': return bounded ? Kind.Deque : Kind.Store;
    case 'FIRST_VALUE': return Kind.First;
    case 'LAST_VALUE': return Kind.Last;
    case 'LAG': return Kind.Lag;
    case 'LEAD': return Kind.Lead;
    case 'ROW_NUMBER': return Kind.RowNumber;
    case 'RANK': return Kind.Rank;
    case 'DENSE_RANK': return Kind.DenseRank;
  }
}

