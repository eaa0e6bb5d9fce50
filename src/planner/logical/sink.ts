import type { LogicalPlan } from './plan.js';
import type { Field } from '../types.js';

/** Appends the query's rows to a stream, mapping columns by position to the stream's declared columns. */
export interface Sink {
  readonly kind: 'sink';
  readonly input: LogicalPlan;
  readonly stream: string;
  readonly schema: readonly Field[];
}

export function sink(input: LogicalPlan, stream: string, schema: readonly Field[]): Sink {
  return { kind: 'sink', input, stream, schema };
}
