import type { AggCall } from '../../planner/logical/plan.js';
import type { AccumulatorStore } from './accumulator.js';
import { CountStore } from './count.js';
import { SumAvgStore } from './sum-avg.js';
import { MinMaxStore } from './min-max.js';
import { CountDistinctStore } from './count-distinct.js';
import { VarianceStore } from './variance.js';
import { ExpAvgStore } from './exp-avg.js';
import { FirstLastStore } from './first-last.js';

/** Maps each aggregate call of a plan to its accumulator store. */
export function createStore(a: AggCall): AccumulatorStore {
  switch (a.fn) {
    case 'COUNT_STAR': return new CountStore(true);
    case 'COUNT': return new CountStore(false);
    case 'SUM': return new SumAvgStore(false);
    case 'AVG': return new SumAvgStore(true);
    case 'MIN': return new MinMaxStore(false, a.arg?.type === 'VARCHAR');
    case 'MAX': return new MinMaxStore(true, a.arg?.type === 'VARCHAR');
    case 'COUNT_DISTINCT': return new CountDistinctStore();
    case 'VAR_POP': case 'VAR_SAMP': case 'STDDEV_POP': case 'STDDEV_SAMP': return new VarianceStore(a.fn);
    case 'EXP_AVG': return new ExpAvgStore(a.halfLifeMs ?? 1);
    case 'FIRST_VALUE': case 'LAST_VALUE': return new FirstLastStore(a.fn === 'LAST_VALUE', a.type);
  }
}

export type { AccumulatorStore, StateType } from './accumulator.js';
