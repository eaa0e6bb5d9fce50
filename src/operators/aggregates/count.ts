import { grownF64, type AccumulatorStore } from './accumulator.js';

/** COUNT(*) counts rows; COUNT(x) counts non-null values. */
export class CountStore implements AccumulatorStore {
  readonly stateTypes = ['f64'] as const;
  private counts = new Float64Array(16);
  constructor(private readonly star: boolean) {}
  grow(capacity: number): void { this.counts = grownF64(this.counts, capacity); }
  clear(slot: number): void { this.counts[slot] = 0; }
  add(slot: number, value: unknown): void { if (this.star || value !== null) this.counts[slot]!++; }
  retract(slot: number, value: unknown): void { if (this.star || value !== null) this.counts[slot]!--; }
  mergeState(slot: number, state: readonly unknown[], at = 0): void { this.counts[slot]! += state[at] as number; }
  state(slot: number): unknown[] { return [this.counts[slot]]; }
  result(slot: number): unknown { return this.counts[slot]; }
}
