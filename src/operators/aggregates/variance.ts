import { grownF64, type AccumulatorStore } from './accumulator.js';

export type VarianceKind = 'VAR_POP' | 'VAR_SAMP' | 'STDDEV_POP' | 'STDDEV_SAMP';

/**
 * VAR_POP, VAR_SAMP, STDDEV_POP and STDDEV_SAMP: a count, mean and sum of squared deviations per
 * group (Welford's update), merged with Chan's formula, so partial states from workers combine
 * without the cancellation a sum of squares suffers. Retractable: a removed value is undone exactly
 * in exact arithmetic (a sliding window's float error grows with the values it has retracted).
 */
export class VarianceStore implements AccumulatorStore {
  readonly stateTypes = ['f64', 'f64', 'f64'] as const;
  private n = new Float64Array(16);
  private mean = new Float64Array(16);
  private m2 = new Float64Array(16);
  constructor(private readonly kind: VarianceKind) {}
  grow(capacity: number): void {
    this.n = grownF64(this.n, capacity);
    this.mean = grownF64(this.mean, capacity);
    this.m2 = grownF64(this.m2, capacity);
  }
  clear(slot: number): void { this.n[slot] = 0; this.mean[slot] = 0; this.m2[slot] = 0; }
  add(slot: number, value: unknown): void {
    if (value === null) return;
    const x = value as number;
    const n = ++this.n[slot]!;
    const delta = x - this.mean[slot]!;
    this.mean[slot]! += delta / n;
    this.m2[slot]! += delta * (x - this.mean[slot]!);
  }
  retract(slot: number, value: unknown): void {
    if (value === null) return;
    const x = value as number;
    const n = --this.n[slot]!;
    if (n <= 0) return this.clear(slot);
    const before = this.mean[slot]!;
    this.mean[slot] = (before * (n + 1) - x) / n;
    this.m2[slot] = Math.max(0, this.m2[slot]! - (x - this.mean[slot]!) * (x - before));
  }
  mergeState(slot: number, state: readonly unknown[], at = 0): void {
    const nb = (state[at] as number | null) ?? 0;
    if (nb === 0) return;
    const mb = state[at + 1] as number;
    const m2b = state[at + 2] as number;
    const na = this.n[slot]!;
    const n = na + nb;
    const delta = mb - this.mean[slot]!;
    this.mean[slot]! += delta * (nb / n);
    this.m2[slot]! += m2b + delta * delta * ((na * nb) / n);
    this.n[slot] = n;
  }
  state(slot: number): unknown[] { return [this.n[slot], this.mean[slot], this.m2[slot]]; }
  result(slot: number): unknown {
    const n = this.n[slot]!;
    const sample = this.kind === 'VAR_SAMP' || this.kind === 'STDDEV_SAMP';
    if (n === 0 || (sample && n < 2)) return null;
    const v = this.m2[slot]! / (sample ? n - 1 : n);
    return this.kind.startsWith('STDDEV') ? Math.sqrt(v) : v;
  }
}
