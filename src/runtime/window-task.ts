import type { QueryPlan } from '../planner/physical.js';
import { WindowAggregate } from '../operators/window-aggregate.js';
import type { OutputRows } from '../operators/operator.js';
import type { ChangelogRows } from '../operators/changelog.js';
import { decodePartial, encodeRows } from './chunk-task.js';
import type { WireBatch } from '../operators/wire-batch.js';

/** Work on one partition of a query's keyed window state, which lives in the worker that owns it. */
export interface WindowTask {
  readonly kind: 'window';
  readonly op: 'batch' | 'snapshot' | 'restore' | 'drop';
  /** The query's state key (unique per running query). */
  readonly key: string;
  readonly plan: QueryPlan;
  /** For 'batch': partials to merge and watermarks to advance to, applied in this order. */
  readonly ops?: readonly WindowOp[];
  readonly snapshot?: Uint8Array;
}

export type WindowOp = { readonly partial: WireBatch } | { readonly watermark: number } | { readonly expire: number };

export interface WindowTaskResult {
  readonly rowsWire?: WireBatch;
  readonly errors: { message: string; row: unknown[] }[];
  readonly snapshot?: Uint8Array;
  readonly openGroups: number;
}

const states = new Map<string, WindowAggregate>();

export function runWindowTask(t: WindowTask): WindowTaskResult {
  let state = states.get(t.key);
  if (!state) states.set(t.key, (state = new WindowAggregate(t.plan)));
  const batches: OutputRows[] = [];
  const out = (rows: OutputRows) => {
    if (rows.count) batches.push(rows);
  };
  let snapshot: Uint8Array | undefined;
  switch (t.op) {
    case 'batch':
      for (const op of t.ops ?? []) {
        if ('partial' in op) state.processBatch(decodePartial(t.plan, op.partial), out);
        else if ('expire' in op) state.expire(op.expire, t.plan.stateTtlMs ?? Infinity);
        else state.onWatermark(op.watermark, out);
      }
      break;
    case 'snapshot': snapshot = state.snapshot(); break;
    case 'restore': state.restore(t.snapshot!); break;
    case 'drop': states.delete(t.key); break;
  }
  const errors = state.rowErrors.splice(0);
  const rows = concatRows(batches);
  return { ...(rows ? { rowsWire: encodeRows(t.plan, rows) } : {}), errors, ...(snapshot ? { snapshot } : {}), openGroups: state.openGroups };
}

export function concatRows(batches: ChangelogRows[]): ChangelogRows | null {
  if (batches.length === 0) return null;
  if (batches.length === 1) return batches[0]!;
  const count = batches.reduce((n, b) => n + b.count, 0);
  let ops: Uint8Array | undefined;
  if (batches.some((b) => b.ops)) {
    ops = new Uint8Array(count);
    let at = 0;
    for (const b of batches) {
      if (b.ops) ops.set(b.ops, at);
      at += b.count;
    }
  }
  return {
    count,
    columns: batches[0]!.columns.map((_, c) => batches.flatMap((b) => b.columns[c]!)),
    rowtimes: batches.flatMap((b) => b.rowtimes),
    ...(ops ? { ops } : {}),
  };
}
