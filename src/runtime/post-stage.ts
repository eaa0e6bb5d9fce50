import type { BoundExpr } from '../planner/bound-expr.js';
import type { Field, SqlType } from '../planner/types.js';
import type { ChangelogRows } from '../operators/changelog.js';
import { vectorFromValues } from '../operators/column-batch.js';
import { compileExpr, type CompiledExpr } from '../operators/kernels/compile-expr.js';
import { messageOf } from '../operators/row-stage.js';
import { OverAggregate, type OverAggregateSpec } from '../operators/over-aggregate.js';
import { Rank, type RankSpec } from '../operators/rank.js';
import { Deduplicate, type DeduplicateSpec } from '../operators/deduplicate.js';
import type { Operator } from '../operators/operator.js';
import type { Expiring, LateRow, OperatorHooks } from '../operators/operator-hooks.js';
import { base64ToBytes, bytesToBase64 } from './base64.js';

/** A changelog operator a query runs after its row stage, on the coordinating thread. */
export type PostOperatorSpec =
  | { readonly kind: 'over'; readonly spec: OverAggregateSpec }
  | { readonly kind: 'rank'; readonly spec: RankSpec }
  | { readonly kind: 'dedup'; readonly spec: DeduplicateSpec };

/**
 * What runs after a query's row stage when it has OVER aggregates, a Top-N or a dedup: the
 * operators in order over the row stage's rows (`input`), then a calc (`where`, `outputs`) over the
 * last operator's columns. Plain JSON, like the rest of a plan.
 */
export interface PostStage {
  readonly input: readonly Field[];
  readonly operators: readonly PostOperatorSpec[];
  /** Types of the last operator's output columns, which `where` and `outputs` read. */
  readonly calcInput: readonly SqlType[];
  readonly where: BoundExpr | null;
  readonly outputs: readonly BoundExpr[];
  /** Whether the result updates (a Top-N or keep-last dedup emits -U/+U/-D). */
  readonly updating: boolean;
}

export function describePostOperator(op: PostOperatorSpec): string {
  switch (op.kind) {
    case 'over': return `OverAggregate: ${op.spec.calls.map((c) => c.fn).join(', ')} over ${op.spec.frame.kind} frame, ${op.spec.time} time`;
    case 'rank': return `Rank: ${op.spec.fn} <= ${op.spec.limit}, partitioned by ${op.spec.partitionBy.length} key(s)${op.spec.outputRank ? ', rank column' : ''} (updating)`;
    case 'dedup': return `Deduplicate: keep ${op.spec.keep} row per key (${op.spec.keep === 'first' ? 'append-only' : 'updating'})`;
  }
}

/** The running post stage of one query. */
export class PostRunner {
  private readonly operators: Operator<ChangelogRows, ChangelogRows>[];
  private readonly where: CompiledExpr | null;
  private readonly outputs: CompiledExpr[];

  constructor(readonly stage: PostStage, onLate: (late: LateRow) => void, private readonly onError: (message: string, row: unknown[]) => void) {
    const hooks: OperatorHooks = { onLate };
    this.operators = stage.operators.map((op) => {
      switch (op.kind) {
        case 'over': return new OverAggregate(op.spec, hooks);
        case 'rank': return new Rank(op.spec, hooks);
        case 'dedup': return new Deduplicate(op.spec, hooks);
      }
    });
    this.where = stage.where ? compileExpr(stage.where, stage.calcInput) : null;
    this.outputs = stage.outputs.map((o) => compileExpr(o, stage.calcInput));
  }

  process(rows: ChangelogRows, out: (rows: ChangelogRows) => void): void {
    this.through(0, rows, out);
  }

  onWatermark(watermark: number, out: (rows: ChangelogRows) => void): void {
    // Each operator's watermark output goes through the rest before the next operator's watermark.
    for (let i = 0; i < this.operators.length; i++) this.operators[i]!.onWatermark(watermark, (rows) => this.through(i + 1, rows, out));
  }

  private through(from: number, rows: ChangelogRows, out: (rows: ChangelogRows) => void): void {
    if (rows.count === 0) return;
    if (from === this.operators.length) {
      const done = this.calc(rows);
      if (done.count) out(done);
      return;
    }
    this.operators[from]!.processBatch(rows, (next) => this.through(from + 1, next, out));
  }

  /** The query's WHERE and SELECT list over the last operator's rows; a row's kind goes with it. */
  private calc(rows: ChangelogRows): ChangelogRows {
    const types = this.stage.calcInput;
    const batch = { length: rows.count, columns: rows.columns.map((c, i) => vectorFromValues(c, types[i] ?? 'VARCHAR')) };
    const where = this.where?.bind(batch);
    const readers = this.outputs.map((o) => o.bind(batch));
    const columns: unknown[][] = readers.map(() => []);
    const rowtimes: number[] = [];
    const ops: number[] = [];
    const vals = new Array<unknown>(readers.length);
    for (let r = 0; r < rows.count; r++) {
      try {
        if (where && where(r) !== true) continue;
        for (let c = 0; c < readers.length; c++) vals[c] = readers[c]!(r);
      } catch (e) {
        this.onError(messageOf(e), rows.columns.map((c) => c[r]));
        continue;
      }
      for (let c = 0; c < readers.length; c++) columns[c]!.push(vals[c]);
      rowtimes.push(rows.rowtimes[r]!);
      ops.push(rows.ops ? rows.ops[r]! : 0);
    }
    return { count: rowtimes.length, columns, rowtimes, ...(rows.ops || this.stage.updating ? { ops: Uint8Array.from(ops) } : {}) };
  }

  /** Lets operators with unbounded state forget what their TTL says has gone stale. */
  expire(now: number, out: (rows: ChangelogRows) => void): void {
    this.operators.forEach((op, i) => {
      const expiring = op as Partial<Expiring>;
      expiring.expire?.(now, (rows) => this.through(i + 1, rows, out));
    });
  }

  snapshot(): string[] {
    return this.operators.map((op) => bytesToBase64(op.snapshot()));
  }

  restore(states: readonly string[]): void {
    states.forEach((s, i) => this.operators[i]?.restore(base64ToBytes(s)));
  }
}
