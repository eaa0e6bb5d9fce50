import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './plan.js';
import type { Field } from '../types.js';

export interface Project {
  readonly kind: 'project';
  readonly input: LogicalPlan;
  readonly exprs: readonly BoundExpr[];
  /** ROWTIME of each output row: an input column index. */
  readonly rowtime: BoundExpr;
  readonly schema: readonly Field[];
}

export function project(input: LogicalPlan, exprs: readonly BoundExpr[], names: readonly string[], rowtime: BoundExpr): Project {
  return { kind: 'project', input, exprs, rowtime, schema: exprs.map((e, i) => ({ name: names[i]!, type: e.type })) };
}
