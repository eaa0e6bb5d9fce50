import type { AccumulatorStore } from './accumulator.js';

/** COUNT(DISTINCT x): a set per group; partial states ship as a JSON array of the values. */
export class CountDistinctStore implements AccumulatorStore {
  readonly stateTypes = ['utf8'] as const;
  private sets: (Set<unknown> | undefined)[] = [];
  grow(): void {}
  clear(slot: number): void { this.sets[slot] = undefined; }
  add(slot: number, value: unknown): void {
    if (value === null) return;
    (this.sets[slot] ??= new Set()).add(value);
  }
  mergeState(slot: number, state: readonly unknown[], at = 0): void {
    const values = JSON.parse(state[at] as string) as unknown[];
    const set = (this.sets[slot] ??= new Set());
    for (const v of values) set.add(v);
  }
  state(slot: number): unknown[] { return [JSON.stringify([...(this.sets[slot] ?? [])])]; }
  result(slot: number): unknown { return this.sets[slot]?.size ?? 0; }
}
