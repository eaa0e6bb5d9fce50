/**
 * Columnar accumulators: one store holds the state of many groups, addressed by slot, in typed
 * arrays where it can, so a million open groups cost tens of bytes each, not an object each.
 */
export type StateType = 'f64' | 'utf8';

export interface AccumulatorStore {
  /** Types of the columns a partial state is shipped as (between threads, in snapshots). */
  readonly stateTypes: readonly StateType[];
  grow(capacity: number): void;
  clear(slot: number): void;
  add(slot: number, value: unknown): void;
  /** Undo an add, where the aggregate can (sliding windows use it). */
  retract?(slot: number, value: unknown): void;
  /**
   * Fold a partial state (as `state` returned it) into a slot; `at` is where it starts in
   * `state`, so a group's states can arrive in one flat array.
   */
  mergeState(slot: number, state: readonly unknown[], at?: number): void;
  state(slot: number): unknown[];
  result(slot: number): unknown;
}

export function grownF64(a: Float64Array<ArrayBuffer>, capacity: number): Float64Array<ArrayBuffer> {
  if (a.length >= capacity) return a;
  const b = new Float64Array(Math.max(capacity, a.length * 2));
  b.set(a);
  return b;
}
