import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './plan.js';
import type { Field } from '../types.js';

/** An output column the rows of one window are sorted by (ORDER BY after the time key). */
export interface OrderKey {
  readonly column: number;
  readonly desc: boolean;
}

export interface Project {
  readonly kind: 'project';
  readonly input: LogicalPlan;
  readonly exprs: readonly BoundExpr[];
  /** ROWTIME of each output row: an input column index. */
  readonly rowtime: BoundExpr;
  readonly schema: readonly Field[];
  /** ORDER BY ROWTIME, k...: rows with the same ROWTIME (one window's) leave sorted by these output columns. */
  readonly orderWithin?: readonly OrderKey[];
}

export function project(input: LogicalPlan, exprs: readonly BoundExpr[], names: readonly string[], rowtime: BoundExpr): Project {
  return { kind: 'project', input, exprs, rowtime, schema: exprs.map((e, i) => ({ name: names[i]!, type: e.type, ...(e.k === 'call' && e.row ? { row: e.row } : {}) })) };
}
