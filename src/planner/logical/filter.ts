import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './plan.js';
import type { Field } from '../types.js';

export interface Filter {
  readonly kind: 'filter';
  readonly input: LogicalPlan;
  readonly predicate: BoundExpr;
  readonly schema: readonly Field[];
}

export function filter(input: LogicalPlan, predicate: BoundExpr): Filter {
  return { kind: 'filter', input, predicate, schema: input.schema };
}
