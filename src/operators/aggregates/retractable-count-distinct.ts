import type { AccumulatorStore } from './accumulator.js';

/**
 * COUNT(DISTINCT x) that can take a value back: a count per value per slot, so a value leaves the
 * distinct set only when its last row does. Partial states ship as JSON `[[value, count], ...]`.
 */
export class RetractableCountDistinctStore implements AccumulatorStore {
  readonly stateTypes = ['utf8'] as const;
  private maps: (Map<unknown, number> | undefined)[] = [];
  grow(): void {}
  clear(slot: number): void { this.maps[slot] = undefined; }
  add(slot: number, value: unknown): void {
    if (value === null || value === undefined) return;
    const m = (this.maps[slot] ??= new Map());
    m.set(value, (m.get(value) ?? 0) + 1);
  }
  retract(slot: number, value: unknown): void {
    if (value === null || value === undefined) return;
    const m = this.maps[slot];
    const n = m?.get(value);
    if (n === undefined) return;
    if (n <= 1) m!.delete(value);
    else m!.set(value, n - 1);
  }
  mergeState(slot: number, state: readonly unknown[], at = 0): void {
    const m = (this.maps[slot] ??= new Map());
    for (const [v, n] of JSON.parse(state[at] as string) as [unknown, number][]) m.set(v, (m.get(v) ?? 0) + n);
  }
  state(slot: number): unknown[] { return [JSON.stringify([...(this.maps[slot] ?? [])])]; }
  result(slot: number): unknown { return this.maps[slot]?.size ?? 0; }
}
