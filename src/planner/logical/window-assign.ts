import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './plan.js';
import type { Field } from '../types.js';

export type WindowType = 'tumble' | 'hop' | 'cumulate' | 'session' | 'global' | 'columns';

/**
 * The one window of a GROUP BY without a time window: it never closes (until the end of input), and
 * its groups are emitted as an updating result (+I, then -U/+U, or -D when HAVING drops them).
 */
export const GLOBAL_START = 0;
export const GLOBAL_END = 8.64e15;

/** How rows map to windows. For `step`-style KDA buckets the type is tumble. */
export interface WindowSpec {
  readonly type: WindowType;
  /** Index of the time column in the input schema. */
  readonly timeColumn: number;
  /** Tumble and hop: window length; cumulate: max length. */
  readonly sizeMs: number;
  /** Hop: slide; cumulate: step; tumble: equals size. */
  readonly slideMs: number;
  readonly gapMs: number;
  readonly offsetMs: number;
  /** Session windows are per key: the PARTITION BY expressions. */
  readonly partitionBy: readonly BoundExpr[];
  /** True when windows are over ROWTIME (KDA): output ROWTIME is the window end. */
  readonly onRowtime: boolean;
  /**
   * 'columns': each row names its window, [startColumn, timeColumn) — the window_start and
   * window_end of an aggregation over a windowed result (Flink's window properties carried on).
   */
  readonly startColumn?: number;
}

/** Adds window_start and window_end (and window_time) to each row; a hop row lands in several windows. */
export interface WindowAssign {
  readonly kind: 'window-assign';
  readonly input: LogicalPlan;
  readonly window: WindowSpec;
  readonly schema: readonly Field[];
}

export function windowAssign(input: LogicalPlan, window: WindowSpec): WindowAssign {
  const schema = [...input.schema, { name: 'window_start', type: 'TIMESTAMP' }, { name: 'window_end', type: 'TIMESTAMP' }, { name: 'window_time', type: 'TIMESTAMP' }] as const;
  return { kind: 'window-assign', input, window, schema };
}

export function describeWindow(w: WindowSpec, names: readonly string[]): string {
  const col = names[w.timeColumn] ?? `$${w.timeColumn}`;
  const s = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
  switch (w.type) {
    case 'tumble': return `tumble(${col}, size=${s(w.sizeMs)}${w.offsetMs ? `, offset=${s(w.offsetMs)}` : ''})`;
    case 'hop': return `hop(${col}, slide=${s(w.slideMs)}, size=${s(w.sizeMs)})`;
    case 'cumulate': return `cumulate(${col}, step=${s(w.slideMs)}, max=${s(w.sizeMs)})`;
    case 'session': return `session(${col}, gap=${s(w.gapMs)})`;
    case 'global': return 'global (no time window: an updating result)';
    case 'columns': return `the rows' own windows [${names[w.startColumn ?? -1] ?? '?'}, ${col})`;
  }
}
