import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './plan.js';
import type { Field, SqlType } from '../types.js';
import type { WindowSpec } from './window-assign.js';

export type AggFunction =
  | 'COUNT_STAR' | 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX'
  | 'VAR_POP' | 'VAR_SAMP' | 'STDDEV_POP' | 'STDDEV_SAMP' | 'EXP_AVG' | 'FIRST_VALUE' | 'LAST_VALUE';

export interface AggCall {
  readonly fn: AggFunction;
  /** The argument; EXP_AVG, FIRST_VALUE and LAST_VALUE read [value, ROWTIME] pairs (AGG_TIMED). */
  readonly arg: BoundExpr | null;
  readonly type: SqlType;
  /** EXP_AVG's half-life, in milliseconds. */
  readonly halfLifeMs?: number;
  /** `FILTER (WHERE ...)`: only rows where it is true reach the aggregate. */
  readonly filter?: BoundExpr;
}

/**
 * Groups rows per window and key. Output schema: window_start, window_end, then the keys, then the
 * aggregates. Emits a window's rows when the watermark passes its end, or every change on EMIT CHANGES.
 */
export interface Aggregate {
  readonly kind: 'aggregate';
  readonly input: LogicalPlan;
  readonly window: WindowSpec;
  readonly keys: readonly BoundExpr[];
  readonly aggs: readonly AggCall[];
  readonly emit: 'final' | 'changes';
  readonly schema: readonly Field[];
}

export function aggregate(input: LogicalPlan, window: WindowSpec, keys: readonly BoundExpr[], keyNames: readonly string[], aggs: readonly AggCall[], emit: 'final' | 'changes'): Aggregate {
  const schema: Field[] = [
    { name: 'window_start', type: 'TIMESTAMP' },
    { name: 'window_end', type: 'TIMESTAMP' },
    ...keys.map((k, i) => ({ name: keyNames[i] ?? `key${i}`, type: k.type })),
    ...aggs.map((a, i) => ({ name: `agg${i}`, type: a.type })),
  ];
  return { kind: 'aggregate', input, window, keys, aggs, emit, schema };
}
