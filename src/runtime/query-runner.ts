import type { QueryPlan } from '../planner/physical.js';
import type { OutputRows } from '../operators/operator.js';
import { RowStage } from '../operators/row-stage.js';
import { WindowAggregate } from '../operators/window-aggregate.js';
import type { ColumnBatch } from '../operators/column-batch.js';
import { decodePartial, decodeRows, type ErrorRow, type QueryChunkResult } from './chunk-task.js';

export type ErrorSink = (row: ErrorRow, errorName: string, pumpName: string) => void;

/** One running continuous query on the coordinating thread: its window state and watermark. */
export class QueryRunner {
  readonly window: WindowAggregate | null;
  private inline: RowStage | null = null;
  rowsIn = 0;
  rowsOut = 0;

  constructor(readonly plan: QueryPlan) {
    this.window = plan.mode === 'aggregate' ? new WindowAggregate(plan) : null;
  }

  /** The watermark a chunk is sent with: rows in windows it closed are late. */
  lateBefore(): number {
    return this.window?.watermark ?? -Infinity;
  }

  /** Decodes a worker result (Arrow IPC) into rows or partial aggregates. */
  materialize(r: QueryChunkResult): QueryChunkResult {
    if (r.partialIpc) return { ...r, partial: decodePartial(this.plan, r.partialIpc), partialIpc: undefined };
    if (r.rowsIpc) return { ...r, rows: decodeRows(this.plan, r.rowsIpc), rowsIpc: undefined };
    return r;
  }

  /** Whether a result was computed against a watermark that has since moved past some of its windows. */
  isStale(r: QueryChunkResult): boolean {
    return !!(this.window && r.partial && r.partial.count > 0 && this.window.wouldBeLate(r.partial));
  }

  apply(r: QueryChunkResult, out: (rows: OutputRows) => void, error: ErrorSink): void {
    for (const e of r.rowErrors) error(e, 'EXPRESSION_ERROR', this.plan.name);
    for (const e of r.late) error(e, 'LATE_ROW', this.plan.name);
    const emit = (rows: OutputRows) => {
      if (rows.count === 0) return;
      this.rowsOut += rows.count;
      out(rows);
    };
    if (r.rows) {
      this.rowsIn += r.rows.count;
      emit(r.rows);
      return;
    }
    if (!this.window || !r.partial) return;
    this.window.processBatch(r.partial, emit);
    this.drainWindowErrors(error);
    if (this.plan.watermark && r.maxEventTime > -Infinity) this.advance(r.maxEventTime - this.plan.watermark.delayMs, out, error);
  }

  advance(watermark: number, out: (rows: OutputRows) => void, error: ErrorSink): void {
    if (!this.window) return;
    this.window.onWatermark(watermark, (rows) => {
      if (rows.count === 0) return;
      this.rowsOut += rows.count;
      out(rows);
    });
    this.drainWindowErrors(error);
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

  private drainWindowErrors(error: ErrorSink): void {
    if (!this.window || this.window.rowErrors.length === 0) return;
    for (const e of this.window.rowErrors.splice(0)) error({ raw: JSON.stringify(e.row), message: e.message, rowtime: 0 }, 'EXPRESSION_ERROR', this.plan.name);
  }
}
