import { grownF64, type AccumulatorStore } from './accumulator.js';

/** SUM and AVG keep a sum and a count of non-null values; SUM of no values is NULL. */
export class SumAvgStore implements AccumulatorStore {
  readonly stateTypes = ['f64', 'f64'] as const;
  private sums = new Float64Array(16);
  private counts = new Float64Array(16);
  constructor(private readonly avg: boolean) {}
  grow(capacity: number): void {
    this.sums = grownF64(this.sums, capacity);
    this.counts = grownF64(this.counts, capacity);
  }
  clear(slot: number): void { this.sums[slot] = 0; this.counts[slot] = 0; }
  add(slot: number, value: unknown): void {
    if (value === null) return;
    this.sums[slot]! += value as number;
    this.counts[slot]!++;
  }
  retract(slot: number, value: unknown): void {
    if (value === null) return;
    this.sums[slot]! -= value as number;
    this.counts[slot]!--;
  }
  mergeState(slot: number, state: readonly unknown[], at = 0): void {
    this.sums[slot]! += state[at] as number;
    this.counts[slot]! += state[at + 1] as number;
  }
  state(slot: number): unknown[] { return [this.sums[slot], this.counts[slot]]; }
  result(slot: number): unknown {
    const n = this.counts[slot]!;
    if (n === 0) return null;
    return this.avg ? this.sums[slot]! / n : this.sums[slot];
  }
}
