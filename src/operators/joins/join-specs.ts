import type { BoundExpr } from '../../planner/bound-expr.js';
import type { SqlType } from '../../planner/types.js';
import type { JoinType } from './join-contract.js';

/**
 * Constructor specs of the join operators: plain JSON (they cross to worker threads), one per
 * join kind, tagged by `kind`. Column references are indexes into an input's columns; a time is a
 * column index or 'rowtime' (the input's ROWTIME). Output columns are the left input's, then the
 * right input's (for lookup: the reference table's); `residual` is a condition over that output
 * row, evaluated after the key (and time) match.
 */
interface JoinInputs {
  /** Types of the left (probe) input's columns; their count is the left part of the output. */
  readonly leftTypes: readonly SqlType[];
  /** Types of the right input's (or reference table's) columns. */
  readonly rightTypes: readonly SqlType[];
  /** Equi-join key columns of the left input, paired by position with `rightKeys`. */
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly residual?: BoundExpr;
}

export type JoinTime = number | 'rowtime';

/** Unbounded join over changelog inputs; emits a changelog. State is bounded only by `stateTtlMs`. */
export interface RegularJoinSpec extends JoinInputs {
  readonly kind: 'regular';
  readonly joinType: JoinType;
  /** Rows not written for this long (processing time, driven by `expire(now)`) are dropped. */
  readonly stateTtlMs?: number;
}

/**
 * `left.time BETWEEN right.time - lowerMs AND right.time + upperMs` (both ends inclusive) plus the
 * keys, over append-only inputs; append-only output. `lowerMs + upperMs` must be ≥ 0.
 */
export interface IntervalJoinSpec extends JoinInputs {
  readonly kind: 'interval';
  readonly joinType: JoinType;
  readonly leftTime: JoinTime;
  readonly rightTime: JoinTime;
  readonly lowerMs: number;
  readonly upperMs: number;
}

/** Column indexes of a windowed input's bounds (TIMESTAMP, epoch ms). */
export interface WindowColumns {
  readonly start: number;
  readonly end: number;
}

/** Both inputs windowed by the same TVF; joined on window_start, window_end and the keys. */
export interface WindowJoinSpec extends JoinInputs {
  readonly kind: 'window';
  readonly joinType: JoinType;
  readonly leftWindow: WindowColumns;
  readonly rightWindow: WindowColumns;
}

/**
 * Event-time temporal join `probe JOIN versioned FOR SYSTEM_TIME AS OF probe.time`: the right input
 * is a changelog whose `rightKeys` are its primary key, `rightTime` each change's version time.
 */
export interface TemporalJoinSpec extends JoinInputs {
  readonly kind: 'temporal';
  readonly joinType: 'inner' | 'left';
  readonly leftTime: JoinTime;
  readonly rightTime: JoinTime;
}

/** Processing-time lookup of each probe row in a reference table (`rightKeys` index its columns). */
export interface LookupJoinSpec extends JoinInputs {
  readonly kind: 'lookup';
  readonly joinType: 'inner' | 'left';
  /** The reference table's name; the host hands the operator the loaded table. */
  readonly table: string;
}

export type JoinSpec = RegularJoinSpec | IntervalJoinSpec | WindowJoinSpec | TemporalJoinSpec | LookupJoinSpec;

export class JoinSpecError extends Error {
  override readonly name = 'JoinSpecError';
}

const JOIN_TYPES: Record<JoinSpec['kind'], readonly string[]> = {
  regular: ['inner', 'left', 'right', 'full'],
  interval: ['inner', 'left', 'right', 'full'],
  window: ['inner', 'left', 'right', 'full'],
  temporal: ['inner', 'left'],
  lookup: ['inner', 'left'],
};

/** Throws JoinSpecError naming the first thing wrong with `spec`. */
export function checkJoinSpec(spec: JoinSpec): void {
  const fail = (message: string): never => {
    throw new JoinSpecError(`${spec.kind} join: ${message}`);
  };
  if (!JOIN_TYPES[spec.kind]?.includes(spec.joinType)) fail(`join type ${String(spec.joinType)} is not one of ${JOIN_TYPES[spec.kind]?.join(', ') ?? '?'}`);
  const column = (what: string, i: number, width: number): void => {
    if (!Number.isInteger(i) || i < 0 || i >= width) fail(`${what} ${i} is not a column (0..${width - 1})`);
  };
  if (spec.leftKeys.length !== spec.rightKeys.length) fail(`${spec.leftKeys.length} left keys but ${spec.rightKeys.length} right keys`);
  if (spec.leftKeys.length === 0 && spec.kind !== 'window') fail('needs at least one equi-join key');
  spec.leftKeys.forEach((k) => column('left key', k, spec.leftTypes.length));
  spec.rightKeys.forEach((k) => column('right key', k, spec.rightTypes.length));
  const time = (what: string, t: JoinTime, width: number): void => {
    if (t !== 'rowtime') column(what, t, width);
  };
  switch (spec.kind) {
    case 'interval':
      time('left time', spec.leftTime, spec.leftTypes.length);
      time('right time', spec.rightTime, spec.rightTypes.length);
      if (!Number.isFinite(spec.lowerMs) || !Number.isFinite(spec.upperMs)) fail('bounds must be finite milliseconds');
      if (spec.lowerMs + spec.upperMs < 0) fail(`the interval [right - ${spec.lowerMs} ms, right + ${spec.upperMs} ms] is empty`);
      break;
    case 'temporal':
      time('probe time', spec.leftTime, spec.leftTypes.length);
      time('version time', spec.rightTime, spec.rightTypes.length);
      break;
    case 'window':
      column('left window_start', spec.leftWindow.start, spec.leftTypes.length);
      column('left window_end', spec.leftWindow.end, spec.leftTypes.length);
      column('right window_start', spec.rightWindow.start, spec.rightTypes.length);
      column('right window_end', spec.rightWindow.end, spec.rightTypes.length);
      break;
    case 'regular':
      if (spec.stateTtlMs !== undefined && !(spec.stateTtlMs > 0)) fail('stateTtlMs must be positive');
      break;
    case 'lookup':
      if (!spec.table) fail('names no reference table');
      break;
  }
}
