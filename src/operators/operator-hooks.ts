import type { ChangelogRows } from './changelog.js';

/**
 * A row an operator could not place in event time: at or behind the watermark when it arrived, or
 * without a time at all (`time` null). The runner writes it to error_stream as LATE_ROW.
 */
export interface LateRow {
  /** The row's input column values. */
  readonly row: readonly unknown[];
  readonly rowtime: number;
  readonly time: number | null;
  readonly watermark: number;
}

/**
 * What an operator gets from the thread it runs on, beside its spec: callbacks and a clock are not
 * plain JSON, so they stay out of the spec that crosses to worker threads.
 */
export interface OperatorHooks {
  /** Processing time in ms, for state TTL; default `Date.now`. */
  readonly now?: () => number;
  /** Where late rows go; required by operators whose spec can produce them, never dropped silently. */
  readonly onLate?: (late: LateRow) => void;
}

/** An operator whose keyed state can expire: the runner calls `expire` with processing time now and then. */
export interface Expiring {
  /** Drops keys untouched for the spec's `ttlMs`; rows that were waiting on them go to `out`. */
  expire(now: number, out: (rows: ChangelogRows) => void): void;
}

export function lateSink(hooks: OperatorHooks, operator: string): (late: LateRow) => void {
  const onLate = hooks.onLate;
  if (!onLate) throw new Error(`${operator} in event time needs hooks.onLate: late rows go to error_stream, never dropped silently`);
  return onLate;
}
