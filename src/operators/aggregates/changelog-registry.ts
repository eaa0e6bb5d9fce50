import { createStore } from './registry.js';
import type { AggFunction } from '../../planner/logical/aggregate.js';
import type { AccumulatorStore } from './accumulator.js';
import { CountStore } from './count.js';
import { SumAvgStore } from './sum-avg.js';
import { ExtremeStore } from './extreme.js';
import { RetractableMinMaxStore } from './retractable-min-max.js';
import { RetractableCountDistinctStore } from './retractable-count-distinct.js';
import { CountDistinctStore } from './count-distinct.js';

/**
 * One aggregate call of an operator over changelog rows, as plain JSON: the function, the input
 * column it reads (null for COUNT(*)), and for FILTER (WHERE ...) a BOOLEAN input column that must
 * be true for a row to count (the planner projects the predicate into a column).
 */
export interface AggregateCallSpec {
  readonly fn: AggFunction;
  readonly arg: number | null;
  readonly filter?: number;
}

/**
 * The store for a call. `retracting`: the input has -U/-D rows, so every store must take values
 * back (MIN/MAX keep a sorted multiset, COUNT(DISTINCT) a count per value); insert-only input gets
 * the cheaper stores.
 */
export function createChangelogStore(fn: AggFunction, retracting: boolean): AccumulatorStore {
  switch (fn) {
    case 'COUNT_STAR': return new CountStore(true);
    case 'COUNT': return new CountStore(false);
    case 'SUM': return new SumAvgStore(false);
    case 'AVG': return new SumAvgStore(true);
    case 'MIN': return retracting ? new RetractableMinMaxStore(false) : new ExtremeStore(false);
    case 'MAX': return retracting ? new RetractableMinMaxStore(true) : new ExtremeStore(true);
    case 'COUNT_DISTINCT': return retracting ? new RetractableCountDistinctStore() : new CountDistinctStore();
    default:
      // VAR_*, STDDEV_*, EXP_AVG, FIRST/LAST_VALUE: their stores take rows in, but not all take them back.
      if (retracting) throw new Error(`${fn} cannot take back rows of an updating input`);
      return createStore({ fn, arg: null, type: 'DOUBLE' });
  }
}
