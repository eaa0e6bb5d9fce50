import type { Field } from '../../planner/types.js';
import type { ChangelogRows } from '../changelog.js';
import type { Operator } from '../operator.js';
import { CountDistinctItemsTumblingOperator } from './count-distinct-items-tumbling.js';
import { HotspotsOperator } from './hotspots.js';
import { RandomCutForestWithExplanationOperator } from './rcf-explanation-operator.js';
import { RandomCutForestOperator } from './rcf-operator.js';
import { KdaFunctionError, type KdaTableFunctionSpec } from './table-function-spec.js';
import { TopKItemsTumblingOperator } from './top-k-items-tumbling.js';

/** An operator for one of KDA's table functions, with the columns of the rows it emits. */
export interface KdaTableFunction extends Operator<ChangelogRows, ChangelogRows> {
  readonly outputFields: readonly Field[];
  /** The *_TUMBLING functions only: input rows for windows already closed, for error_stream. */
  takeLateRows?(): ChangelogRows | null;
}

export const KDA_TABLE_FUNCTIONS = [
  'RANDOM_CUT_FOREST',
  'RANDOM_CUT_FOREST_WITH_EXPLANATION',
  'HOTSPOTS',
  'TOP_K_ITEMS_TUMBLING',
  'COUNT_DISTINCT_ITEMS_TUMBLING',
] as const;

/**
 * Makes the operator a spec describes; throws KdaFunctionError for a call KDA would refuse, so a
 * planner can build the operator once to check the call and report the message.
 */
export function createKdaTableFunction(spec: KdaTableFunctionSpec): KdaTableFunction {
  switch (spec.function) {
    case 'RANDOM_CUT_FOREST': return new RandomCutForestOperator(spec);
    case 'RANDOM_CUT_FOREST_WITH_EXPLANATION': return new RandomCutForestWithExplanationOperator(spec);
    case 'HOTSPOTS': return new HotspotsOperator(spec);
    case 'TOP_K_ITEMS_TUMBLING': return new TopKItemsTumblingOperator(spec);
    case 'COUNT_DISTINCT_ITEMS_TUMBLING': return new CountDistinctItemsTumblingOperator(spec);
    default: {
      const unknown: never = spec;
      throw new KdaFunctionError(`unknown table function ${(unknown as { function: string }).function}`);
    }
  }
}
