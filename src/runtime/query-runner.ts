import type { QueryPlan } from '../planner/physical.js';
import type { OutputRows } from '../operators/operator.js';
import type { ChangelogRows } from '../operators/changelog.js';
import { RowStage, type PartialGroups } from '../operators/row-stage.js';
import { WindowAggregate } from '../operators/window-aggregate.js';
import type { ColumnBatch } from '../operators/column-batch.js';
import { keyHash, lateProbe, splitByKey } from '../operators/kernels/partition.js';
import { decodeRows, encodePartial, type ErrorRow, type QueryChunkResult } from './chunk-task.js';
import type { WorkerPool } from './worker-pool.js';
import type { WireBatch } from '../operators/wire-batch.js';
import { concatRows, type WindowOp } from './window-task.js';
import { PostRunner } from './post-stage.js';

/** A source stream's partitions (shards) and whether each still has data to give. */
export interface SourcePartitions {
  readonly states: ReadonlyMap<string, 'active' | 'idle' | 'done'>;
}

export interface QuerySnapshot {
  readonly watermark: number | null;
  readonly groups: unknown[][];
  /** The post stage's operators' state (base64 each), for OVER, Top-N and dedup queries. */
  readonly post?: string[];
  /**
   * The highest event time seen per source partition (shard): after a restart with nothing new to
   * read, idle shards still let the watermark reach what was read before the crash.
   */
  readonly partitions?: Record<string, number>;
}

export type ErrorSink = (row: ErrorRow, errorName: string, pumpName: string) => void;

let nextStateKey = 0;

/**
 * One running continuous query, as the coordinating thread sees it: it tracks the watermark and
 * drives the query's keyed window state, which lives here (no workers) or is split by group-key
 * hash across the worker threads, partition p on thread p. Output rows leave in order either way.
 */
export class QueryRunner {
  private readonly local: WindowAggregate | null = null;
  /** OVER aggregates, a Top-N or a dedup after the row stage (plan.post). */
  private readonly post: PostRunner | null = null;
  private readonly stateKey = `q${nextStateKey++}`;
  private inline: RowStage | null = null;
  private readonly partitionGroups: number[];
  private readonly queues: WindowOp[][];
  private readonly inflight: boolean[];
  private readonly acked: number[];
  private readonly held: ChangelogRows[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  watermark = -Infinity;
  private readonly partitionMax = new Map<string, number>();
  /** Records of the source stream this query has read (before its WHERE), as Flink's numRecordsIn. */
  rowsIn = 0;
  rowsOut = 0;

  constructor(
    readonly plan: QueryPlan,
    private readonly pool: WorkerPool | null,
    private readonly emit: (rows: OutputRows) => void,
    private readonly error: ErrorSink,
  ) {
    if (plan.mode === 'aggregate' && !pool) this.local = new WindowAggregate(plan);
    if (plan.post) {
      this.post = new PostRunner(
        plan.post,
        (late) => this.error({ raw: JSON.stringify(late.row), message: 'late row: the watermark had passed it', rowtime: late.rowtime }, 'LATE_ROW', plan.name),
        (message, row) => this.error({ raw: JSON.stringify(row), message, rowtime: 0 }, 'EXPRESSION_ERROR', plan.name),
      );
    }
    const n = pool?.threads ?? 1;
    this.partitionGroups = new Array(n).fill(0);
    this.queues = Array.from({ length: n }, () => []);
    this.inflight = new Array(n).fill(false);
    this.acked = new Array(n).fill(-Infinity);
  }

  get remote(): boolean {
    return this.plan.mode === 'aggregate' && this.pool !== null;
  }

  /** Open groups across all partitions (as last reported by the workers). */
  get openGroups(): number {
    return this.local ? this.local.openGroups : this.partitionGroups.reduce((a, b) => a + b, 0);
  }

  /** The watermark a chunk is sent with: rows in windows it closed are late. */
  lateBefore(): number {
    return this.watermark;
  }

  /** Decodes projected rows that came back from a worker as a wire batch. */
  materialize(r: QueryChunkResult): QueryChunkResult {
    if (r.rowsWire) return { ...r, rows: decodeRows(this.plan, r.rowsWire), rowsWire: undefined };
    return r;
  }

  /** Whether a result was computed against a watermark that has since moved past some of its windows. */
  isStale(r: QueryChunkResult): boolean {
    if (this.plan.mode !== 'aggregate') return false;
    const gap = this.plan.window?.type === 'session' ? this.plan.window.gapMs : null;
    const probe = r.lateProbe ?? (r.partial ? lateProbe(r.partial, gap) : Infinity);
    return probe <= this.watermark;
  }

  /**
   * Applies a chunk's results. `sources` is the stream's per-partition (shard) view: the watermark
   * follows the slowest partition that has data to give, as Flink's per-shard watermarks do.
   */
  apply(r: QueryChunkResult, partition?: string, sources?: SourcePartitions): void {
    for (const e of r.rowErrors) this.error(e, 'EXPRESSION_ERROR', this.plan.name);
    for (const e of r.late) this.error(e, 'LATE_ROW', this.plan.name);
    if (r.rows) {
      this.out(r.rows);
      // A post stage in event time moves with the watermark of the rows it was given.
      if (!this.post || !this.plan.watermark) return;
    }
    if (r.partial) this.merge(r.partial);
    else if (r.partialWires) this.mergeEncoded(r.partialWires);
    if (!this.plan.watermark) return;
    if (partition !== undefined && sources) {
      if (r.maxEventTime > (this.partitionMax.get(partition) ?? -Infinity)) this.partitionMax.set(partition, r.maxEventTime);
      this.advanceFromPartitions(sources);
    } else if (r.maxEventTime > -Infinity) this.advance(r.maxEventTime - this.plan.watermark.delayMs);
  }

  /**
   * How far rows of `partition` alone can move the watermark: to the slowest other active
   * partition's event time (less the delay), as advanceFromPartitions would; no bound when every
   * other partition is idle or done.
   */
  watermarkCap(partition: string, sources: SourcePartitions): number {
    if (!this.plan.watermark) return Infinity;
    let min = Infinity;
    for (const [p, state] of sources.states) {
      if (p !== partition && state === 'active') min = Math.min(min, this.partitionMax.get(p) ?? -Infinity);
    }
    return min === Infinity ? Infinity : min - this.plan.watermark.delayMs;
  }

  /** Re-evaluates the watermark when a partition goes idle or ends. */
  advanceFromPartitions(sources: SourcePartitions): void {
    if (!this.plan.watermark) return;
    let min = Infinity;
    let max = -Infinity;
    for (const [p, state] of sources.states) {
      const seen = this.partitionMax.get(p) ?? -Infinity;
      if (seen > max) max = seen;
      if (state === 'active' && seen < min) min = seen;
    }
    // Every partition idle or done: nothing can hold the watermark back but what was seen.
    const eventTime = min === Infinity ? max : min;
    if (eventTime > -Infinity) this.advance(eventTime - this.plan.watermark.delayMs);
  }

  private out(rows: OutputRows): void {
    if (rows.count === 0) return;
    if (this.post) {
      this.post.process(rows, (done) => this.emitted(done));
      return;
    }
    this.emitted(rows);
  }

  private emitted(rows: OutputRows): void {
    if (rows.count === 0) return;
    this.rowsOut += rows.count;
    this.emit(this.plan.orderWithin && this.plan.emit === 'final' ? sortWithin(rows, this.plan.orderWithin) : rows);
  }

  private merge(p: PartialGroups): void {
    if (this.local) {
      this.local.processBatch(p, (rows) => this.out(rows));
      this.drainLocalErrors();
      return;
    }
    this.mergeEncoded(splitByKey(p, this.pool!.threads).map((part) => encodePartial(this.plan, part)));
  }

  private mergeEncoded(parts: (WireBatch | null)[]): void {
    parts.forEach((partial, partition) => {
      if (partial) this.enqueue(partition, { partial });
    });
  }

  /** The state TTL: forgets unbounded state untouched for plan.stateTtlMs (processing time). */
  expire(now: number): void {
    const ttl = this.plan.stateTtlMs;
    if (ttl === undefined) return;
    this.post?.expire(now, (rows) => this.emitted(rows));
    if (this.plan.window?.type !== 'global') return;
    if (this.local) this.local.expire(now, ttl);
    else for (let p = 0; p < this.queues.length; p++) this.enqueue(p, { expire: now });
  }

  advance(watermark: number): void {
    if (this.post && watermark > this.watermark) {
      this.watermark = watermark;
      this.post.onWatermark(watermark, (rows) => this.emitted(rows));
      return;
    }
    if (watermark <= this.watermark || this.plan.mode !== 'aggregate') return;
    this.watermark = watermark;
    if (this.local) {
      this.local.onWatermark(watermark, (rows) => this.out(rows));
      this.drainLocalErrors();
      return;
    }
    for (let p = 0; p < this.queues.length; p++) this.enqueue(p, { watermark });
  }

  /**
   * Work for a partition waits in its queue while a task for it is out; then everything queued goes
   * as one task. Piscina does not keep a thread's tasks in order, so one task per partition at a time.
   */
  private enqueue(partition: number, op: WindowOp): void {
    this.queues[partition]!.push(op);
    this.pump(partition);
  }

  private pump(partition: number): void {
    if (this.inflight[partition] || this.queues[partition]!.length === 0) return;
    const ops = this.queues[partition]!.splice(0);
    const upTo = ops.reduce((w, op) => ('watermark' in op ? Math.max(w, op.watermark) : w), -Infinity);
    this.inflight[partition] = true;
    this.pool!.runWindow(partition, { kind: 'window', op: 'batch', key: this.stateKey, plan: this.plan, ops })
      .then(
        (r) => {
          this.partitionGroups[partition] = r.openGroups;
          for (const e of r.errors) this.error({ raw: JSON.stringify(e.row), message: e.message, rowtime: 0 }, 'EXPRESSION_ERROR', this.plan.name);
          if (r.rowsWire) this.held.push(decodeRows(this.plan, r.rowsWire));
        },
        (e: unknown) => this.error({ raw: '', message: `window state partition ${partition} failed: ${(e as Error).message}`, rowtime: 0 }, 'INTERNAL_ERROR', this.plan.name),
      )
      .then(() => {
        this.acked[partition] = Math.max(this.acked[partition]!, upTo);
        this.inflight[partition] = false;
        this.release();
        this.pump(partition);
        if (this.inflight.every((f) => !f)) for (const w of this.idleWaiters.splice(0)) w();
      });
  }

  /**
   * Rows leave in window-end order: a window's rows are released once every partition has passed
   * its end, so rows from a quick partition never overtake a slower one's earlier windows.
   */
  private release(): void {
    if (this.held.length === 0) return;
    const upTo = this.plan.emit === 'changes' ? Infinity : Math.min(...this.acked);
    const all = concatRows(this.held.splice(0))!;
    const ready: number[] = [];
    const keep: number[] = [];
    for (let i = 0; i < all.count; i++) (all.rowtimes[i]! <= upTo ? ready : keep).push(i);
    if (this.plan.emit !== 'changes') ready.sort((a, b) => all.rowtimes[a]! - all.rowtimes[b]! || a - b);
    const ops = all.ops;
    const pick = (rows: number[]): ChangelogRows => ({
      count: rows.length,
      columns: all.columns.map((c) => rows.map((i) => c[i])),
      rowtimes: rows.map((i) => all.rowtimes[i]!),
      ...(ops ? { ops: Uint8Array.from(rows, (i) => ops[i]!) } : {}),
    });
    if (keep.length) this.held.push(pick(keep));
    if (ready.length) this.out(pick(ready));
  }

  /** Resolves once every row this query has produced so far has been emitted. */
  async drain(): Promise<void> {
    while (this.inflight.some((f) => f) || this.queues.some((q) => q.length > 0)) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    this.release();
  }

  /** Runs the row stage here, for rows from another query (derived streams) or put() calls. */
  processInline(batch: ColumnBatch, rowText: (row: number) => string, rowtimes: ArrayLike<number>, watermarkCap = Infinity): QueryChunkResult {
    this.inline ??= new RowStage(this.plan);
    const r = this.inline.process(batch, this.lateBefore(), watermarkCap);
    const err = (row: number, message: string): ErrorRow => ({ raw: rowText(row), message, rowtime: rowtimes[row] ?? 0 });
    return {
      maxEventTime: r.maxEventTime,
      late: r.late.map((row) => err(row, 'late row: its window had already closed')),
      rowErrors: r.rowErrors.map((e) => err(e.row, e.message)),
      ...(r.partial ? { partial: r.partial } : {}),
      ...(r.rows ? { rows: r.rows } : {}),
    };
  }

  private drainLocalErrors(): void {
    if (!this.local || this.local.rowErrors.length === 0) return;
    for (const e of this.local.rowErrors.splice(0)) this.error({ raw: JSON.stringify(e.row), message: e.message, rowtime: 0 }, 'EXPRESSION_ERROR', this.plan.name);
  }

  /** The window state, as `{watermark, groups}` JSON, gathered from every partition. */
  async snapshot(): Promise<QuerySnapshot> {
    await this.drain();
    const partitions = Object.fromEntries([...this.partitionMax].filter(([, t]) => Number.isFinite(t)));
    if (this.plan.mode !== 'aggregate') return { watermark: this.watermark, groups: [], partitions, ...(this.post ? { post: this.post.snapshot() } : {}) };
    const parts: Uint8Array[] = this.local
      ? [this.local.snapshot()]
      : (await Promise.all(this.queues.map((_, p) => this.pool!.runWindow(p, { kind: 'window', op: 'snapshot', key: this.stateKey, plan: this.plan })))).map((r) => r.snapshot!);
    const groups = parts.flatMap((b) => (JSON.parse(new TextDecoder().decode(b)) as { groups: unknown[][] }).groups);
    return { watermark: this.watermark, groups, partitions };
  }

  /** Puts back a snapshot's state, spread over this run's partitions (their number may differ). */
  async restore(snap: QuerySnapshot): Promise<void> {
    this.watermark = snap.watermark ?? -Infinity;
    for (const [p, t] of Object.entries(snap.partitions ?? {})) this.partitionMax.set(p, t);
    if (snap.post) this.post?.restore(snap.post);
    if (this.plan.mode !== 'aggregate') return;
    const n = this.queues.length;
    const parts: unknown[][][] = Array.from({ length: n }, () => []);
    for (const g of snap.groups) parts[n === 1 ? 0 : keyHash(g[2] as unknown[]) % n]!.push(g);
    const encode = (groups: unknown[][]) => new TextEncoder().encode(JSON.stringify({ watermark: snap.watermark, groups }));
    if (this.local) {
      this.local.restore(encode(parts[0]!));
      return;
    }
    await Promise.all(parts.map((groups, p) => this.pool!.runWindow(p, { kind: 'window', op: 'restore', key: this.stateKey, plan: this.plan, snapshot: encode(groups) })));
  }

  /** The local window state, when the query runs without workers (tests and snapshots use it). */
  get window(): WindowAggregate | null {
    return this.local;
  }
}

/**
 * ORDER BY ROWTIME, k...: a window's rows all leave in one batch (at its end, after every
 * partition has passed it), so sorting each batch by ROWTIME and then the keys orders the stream.
 */
function sortWithin(rows: OutputRows, keys: readonly { readonly column: number; readonly desc: boolean }[]): OutputRows {
  const order = Array.from({ length: rows.count }, (_, i) => i);
  const cmp = (a: unknown, b: unknown): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : (a as number) < (b as number) ? -1 : 1);
  order.sort((a, b) => {
    const t = rows.rowtimes[a]! - rows.rowtimes[b]!;
    if (t !== 0) return t;
    for (const k of keys) {
      const c = cmp(rows.columns[k.column]![a], rows.columns[k.column]![b]);
      if (c !== 0) return k.desc ? -c : c;
    }
    return a - b;
  });
  const ops = 'ops' in rows ? (rows as { ops?: Uint8Array }).ops : undefined;
  return {
    ...rows,
    columns: rows.columns.map((c) => order.map((i) => c[i])),
    rowtimes: order.map((i) => rows.rowtimes[i]!),
    ...(ops ? { ops: Uint8Array.from(order, (i) => ops[i]!) } : {}),
  };
}
