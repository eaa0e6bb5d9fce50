import type { QueryPlan } from '../planner/physical.js';
import type { OutputRows } from '../operators/operator.js';
import { RowStage, type PartialGroups } from '../operators/row-stage.js';
import { WindowAggregate } from '../operators/window-aggregate.js';
import type { ColumnBatch } from '../operators/column-batch.js';
import { lateProbe, splitByKey } from '../operators/kernels/partition.js';
import { decodeRows, encodePartial, type ErrorRow, type QueryChunkResult } from './chunk-task.js';
import type { WorkerPool } from './worker-pool.js';
import { concatRows, type WindowTaskResult } from './window-task.js';

export type ErrorSink = (row: ErrorRow, errorName: string, pumpName: string) => void;

let nextStateKey = 0;

/**
 * One running continuous query, as the coordinating thread sees it: it tracks the watermark and
 * drives the query's keyed window state, which lives here (no workers) or is split by group-key
 * hash across the worker threads, partition p on thread p. Output rows leave in order either way.
 */
export class QueryRunner {
  private readonly local: WindowAggregate | null = null;
  private readonly stateKey = `q${nextStateKey++}`;
  private inline: RowStage | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly partitionGroups: number[];
  watermark = -Infinity;
  rowsIn = 0;
  rowsOut = 0;

  constructor(
    readonly plan: QueryPlan,
    private readonly pool: WorkerPool | null,
    private readonly emit: (rows: OutputRows) => void,
    private readonly error: ErrorSink,
  ) {
    if (plan.mode === 'aggregate' && !pool) this.local = new WindowAggregate(plan);
    this.partitionGroups = new Array(pool?.threads ?? 1).fill(0);
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

  /** Decodes projected rows that came back from a worker as Arrow IPC. */
  materialize(r: QueryChunkResult): QueryChunkResult {
    if (r.rowsIpc) return { ...r, rows: decodeRows(this.plan, r.rowsIpc), rowsIpc: undefined };
    return r;
  }

  /** Whether a result was computed against a watermark that has since moved past some of its windows. */
  isStale(r: QueryChunkResult): boolean {
    if (this.plan.mode !== 'aggregate') return false;
    const gap = this.plan.window?.type === 'session' ? this.plan.window.gapMs : null;
    const probe = r.lateProbe ?? (r.partial ? lateProbe(r.partial, gap) : Infinity);
    return probe <= this.watermark;
  }

  apply(r: QueryChunkResult): void {
    for (const e of r.rowErrors) this.error(e, 'EXPRESSION_ERROR', this.plan.name);
    for (const e of r.late) this.error(e, 'LATE_ROW', this.plan.name);
    if (r.rows) {
      this.rowsIn += r.rows.count;
      this.out(r.rows);
      return;
    }
    if (r.partial) this.merge(r.partial);
    else if (r.partialIpcs) this.mergeEncoded(r.partialIpcs);
    if (this.plan.watermark && r.maxEventTime > -Infinity) this.advance(r.maxEventTime - this.plan.watermark.delayMs);
  }

  private out(rows: OutputRows): void {
    if (rows.count === 0) return;
    this.rowsOut += rows.count;
    this.emit(rows);
  }

  private merge(p: PartialGroups): void {
    if (this.local) {
      this.local.processBatch(p, (rows) => this.out(rows));
      this.drainLocalErrors();
      return;
    }
    this.mergeEncoded(splitByKey(p, this.pool!.threads).map((part) => encodePartial(this.plan, part)));
  }

  private mergeEncoded(parts: Uint8Array[]): void {
    this.send(parts.map((ipc, partition) => (ipc.byteLength ? this.pool!.runWindow(partition, { kind: 'window', op: 'merge', key: this.stateKey, plan: this.plan, ipc }) : null)));
  }

  advance(watermark: number): void {
    if (watermark <= this.watermark || this.plan.mode !== 'aggregate') return;
    this.watermark = watermark;
    if (this.local) {
      this.local.onWatermark(watermark, (rows) => this.out(rows));
      this.drainLocalErrors();
      return;
    }
    this.send(this.partitionGroups.map((_, partition) => this.pool!.runWindow(partition, { kind: 'window', op: 'advance', key: this.stateKey, plan: this.plan, watermark })));
  }

  /** Results of window tasks are handled strictly in the order the tasks were sent. */
  private send(tasks: (Promise<WindowTaskResult> | null)[]): void {
    const settled = tasks.map((t) => t?.catch((e: unknown) => e as Error) ?? null);
    this.chain = this.chain.then(async () => {
      const batches: OutputRows[] = [];
      for (let partition = 0; partition < settled.length; partition++) {
        const r = await settled[partition];
        if (!r) continue;
        if (r instanceof Error) {
          this.error({ raw: '', message: `window state partition ${partition} failed: ${r.message}`, rowtime: 0 }, 'INTERNAL_ERROR', this.plan.name);
          continue;
        }
        this.partitionGroups[partition] = r.openGroups;
        for (const e of r.errors) this.error({ raw: JSON.stringify(e.row), message: e.message, rowtime: 0 }, 'EXPRESSION_ERROR', this.plan.name);
        if (r.rowsIpc) batches.push(decodeRows(this.plan, r.rowsIpc));
      }
      const rows = concatRows(batches);
      if (rows) this.out(rows);
    });
  }

  /** Resolves once every row this query has produced so far has been emitted. */
  drain(): Promise<void> {
    return this.chain;
  }

  /** Runs the row stage here, for rows from another query (derived streams) or put() calls. */
  processInline(batch: ColumnBatch, rowText: (row: number) => string, rowtimes: ArrayLike<number>): QueryChunkResult {
    this.inline ??= new RowStage(this.plan);
    const r = this.inline.process(batch, this.lateBefore());
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

  /** The local window state, when the query runs without workers (tests and snapshots use it). */
  get window(): WindowAggregate | null {
    return this.local;
  }
}
