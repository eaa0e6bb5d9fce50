import type { AccumulatorStore } from './accumulator.js';
import { compareValues } from '../kernels/sort-order.js';

/**
 * MIN or MAX over any one SQL type (numbers, strings, booleans) for insert-only input: one value per
 * slot, no retraction. `MinMaxStore` is the typed-array version the window path uses.
 */
export class ExtremeStore implements AccumulatorStore {
  readonly stateTypes = ['utf8'] as const;
  private values: unknown[] = [];
  constructor(private readonly max: boolean) {}
  grow(): void {}
  clear(slot: number): void { this.values[slot] = null; }
  add(slot: number, value: unknown): void {
    if (value === null || value === undefined) return;
    const cur = this.values[slot] ?? null;
    if (cur === null) this.values[slot] = value;
    else {
      const c = compareValues(value, cur);
      if (this.max ? c > 0 : c < 0) this.values[slot] = value;
    }
  }
  mergeState(slot: number, state: readonly unknown[], at = 0): void { this.add(slot, JSON.parse(state[at] as string)); }
  state(slot: number): unknown[] { return [JSON.stringify(this.values[slot] ?? null)]; }
  result(slot: number): unknown { return this.values[slot] ?? null; }
}
