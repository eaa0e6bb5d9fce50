import { grownF64, type AccumulatorStore, type StateType } from './accumulator.js';

/**
 * FIRST_VALUE and LAST_VALUE: the value of the group's row with the earliest (latest) ROWTIME.
 * Rows arrive as [value, rowtime] pairs; a tie keeps the row that came first (last), and partial
 * states merge in arrival order, so the result does not depend on how rows were cut into chunks
 * or spread over threads. A NULL value counts unless the call says IGNORE NULLS (those rows do not
 * reach the store). Not retractable: undoing the first row would need every other row kept.
 */
export class FirstLastStore implements AccumulatorStore {
  readonly stateTypes: readonly StateType[];
  private values: unknown[] = [];
  private times = new Float64Array(16);
  private has = new Uint8Array(16);
  constructor(private readonly last: boolean, private readonly type: string) {
    this.stateTypes = [type === 'VARCHAR' ? 'utf8' : 'f64', 'f64', 'f64'];
  }
  grow(capacity: number): void {
    this.times = grownF64(this.times, capacity);
    if (this.has.length < capacity) {
      const h = new Uint8Array(Math.max(capacity, this.has.length * 2));
      h.set(this.has);
      this.has = h;
    }
  }
  clear(slot: number): void {
    this.has[slot] = 0;
    this.values[slot] = null;
  }
  private offer(slot: number, value: unknown, t: number): void {
    if (this.has[slot] && (this.last ? t < this.times[slot]! : t >= this.times[slot]!)) return;
    this.values[slot] = value;
    this.times[slot] = t;
    this.has[slot] = 1;
  }
  add(slot: number, value: unknown): void {
    if (value === null) return;
    const [v, t] = value as [unknown, number];
    this.offer(slot, v, t);
  }
  mergeState(slot: number, state: readonly unknown[], at = 0): void {
    if (state[at + 2] !== 1 && state[at + 2] !== true) return;
    this.offer(slot, state[at] ?? null, state[at + 1] as number);
  }
  state(slot: number): unknown[] {
    return [this.has[slot] ? this.values[slot] : null, this.has[slot] ? this.times[slot] : 0, this.has[slot]];
  }
  result(slot: number): unknown {
    if (!this.has[slot]) return null;
    const v = this.values[slot] ?? null;
    // A boolean crosses threads as 1/0.
    return this.type === 'BOOLEAN' && typeof v === 'number' ? v !== 0 : v;
  }
}
