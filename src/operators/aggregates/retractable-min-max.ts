import type { AccumulatorStore } from './accumulator.js';
import { compareValues } from '../kernels/sort-order.js';

/**
 * MIN or MAX that can take a value back: a sorted multiset per slot (distinct values ascending with
 * their counts), so retracting the current extreme finds the next one by position, not by a scan.
 * Partial states ship as JSON `[[value, count], ...]`.
 */
export class RetractableMinMaxStore implements AccumulatorStore {
  readonly stateTypes = ['utf8'] as const;
  private values: (unknown[] | undefined)[] = [];
  private counts: (number[] | undefined)[] = [];
  constructor(private readonly max: boolean) {}
  grow(): void {}
  clear(slot: number): void {
    this.values[slot] = undefined;
    this.counts[slot] = undefined;
  }
  add(slot: number, value: unknown): void { this.addTimes(slot, value, 1); }
  retract(slot: number, value: unknown): void {
    if (value === null || value === undefined) return;
    const vals = this.values[slot];
    if (!vals) return;
    const at = lowerBound(vals, value);
    if (at >= vals.length || vals[at] !== value) return;
    const counts = this.counts[slot]!;
    if (--counts[at]! === 0) {
      vals.splice(at, 1);
      counts.splice(at, 1);
    }
  }
  mergeState(slot: number, state: readonly unknown[], at = 0): void {
    for (const [v, n] of JSON.parse(state[at] as string) as [unknown, number][]) this.addTimes(slot, v, n);
  }
  state(slot: number): unknown[] {
    const vals = this.values[slot] ?? [];
    const counts = this.counts[slot] ?? [];
    return [JSON.stringify(vals.map((v, k) => [v, counts[k]]))];
  }
  result(slot: number): unknown {
    const vals = this.values[slot];
    if (!vals || vals.length === 0) return null;
    return this.max ? vals[vals.length - 1] : vals[0];
  }

  private addTimes(slot: number, value: unknown, n: number): void {
    if (value === null || value === undefined) return;
    const vals = (this.values[slot] ??= []);
    const counts = (this.counts[slot] ??= []);
    const at = lowerBound(vals, value);
    if (at < vals.length && vals[at] === value) counts[at]! += n;
    else {
      vals.splice(at, 0, value);
      counts.splice(at, 0, n);
    }
  }
}

function lowerBound(vals: readonly unknown[], v: unknown): number {
  let lo = 0;
  let hi = vals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareValues(vals[mid], v) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
