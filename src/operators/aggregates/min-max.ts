import { grownF64, type AccumulatorStore, type StateType } from './accumulator.js';

/** MIN and MAX over numbers (typed arrays) or strings (an array of values). */
export class MinMaxStore implements AccumulatorStore {
  readonly stateTypes: readonly StateType[];
  private nums = new Float64Array(16);
  private has = new Uint8Array(16);
  private strs: (string | null)[] = [];
  constructor(private readonly max: boolean, private readonly strings: boolean) {
    this.stateTypes = strings ? ['utf8'] : ['f64', 'f64'];
  }
  grow(capacity: number): void {
    this.nums = grownF64(this.nums, capacity);
    if (this.has.length < capacity) {
      const h = new Uint8Array(Math.max(capacity, this.has.length * 2));
      h.set(this.has);
      this.has = h;
    }
  }
  clear(slot: number): void {
    this.has[slot] = 0;
    if (this.strings) this.strs[slot] = null;
  }
  add(slot: number, value: unknown): void {
    if (value === null) return;
    if (this.strings) {
      const cur = this.strs[slot] ?? null;
      const v = value as string;
      if (cur === null || (this.max ? v > cur : v < cur)) this.strs[slot] = v;
      return;
    }
    const v = value as number;
    if (!this.has[slot] || (this.max ? v > this.nums[slot]! : v < this.nums[slot]!)) {
      this.nums[slot] = v;
      this.has[slot] = 1;
    }
  }
  mergeState(slot: number, state: readonly unknown[], at = 0): void {
    if (this.strings) this.add(slot, state[at] ?? null);
    else if (state[at + 1]) this.add(slot, state[at]);
  }
  state(slot: number): unknown[] {
    return this.strings ? [this.strs[slot] ?? null] : [this.nums[slot], this.has[slot]];
  }
  result(slot: number): unknown {
    if (this.strings) return this.strs[slot] ?? null;
    return this.has[slot] ? this.nums[slot] : null;
  }
}
