import { grownF64, type AccumulatorStore } from './accumulator.js';

/**
 * KDA's EXP_AVG(x, half-life): the average of a group's values, each weighted 2^(-(T - t) / h)
 * by its row time t, so a value one half-life older counts half as much; the reference time T
 * cancels out. A group keeps the weighted sum and the sum of weights relative to its latest row
 * time (moved forward as later rows come, so the weights stay near 1), which merges and retracts.
 * Rows arrive as [value, rowtime] pairs.
 */
export class ExpAvgStore implements AccumulatorStore {
  readonly stateTypes = ['f64', 'f64', 'f64'] as const;
  private sums = new Float64Array(16);
  private weights = new Float64Array(16);
  private refs = new Float64Array(16);
  constructor(private readonly halfLifeMs: number) {}
  grow(capacity: number): void {
    this.sums = grownF64(this.sums, capacity);
    this.weights = grownF64(this.weights, capacity);
    this.refs = grownF64(this.refs, capacity);
  }
  clear(slot: number): void { this.sums[slot] = 0; this.weights[slot] = 0; this.refs[slot] = -Infinity; }
  /** Moves the slot's reference time to `t` if that is later, rescaling what it holds. */
  private moveTo(slot: number, t: number): void {
    const ref = this.refs[slot]!;
    if (t <= ref) return;
    const f = ref === -Infinity ? 0 : 2 ** ((ref - t) / this.halfLifeMs);
    this.sums[slot]! *= f;
    this.weights[slot]! *= f;
    this.refs[slot] = t;
  }
  add(slot: number, value: unknown): void {
    if (value === null) return;
    const [x, t] = value as [number, number];
    this.moveTo(slot, t);
    const w = 2 ** ((t - this.refs[slot]!) / this.halfLifeMs);
    this.sums[slot]! += w * x;
    this.weights[slot]! += w;
  }
  retract(slot: number, value: unknown): void {
    if (value === null) return;
    const [x, t] = value as [number, number];
    const w = 2 ** ((t - this.refs[slot]!) / this.halfLifeMs);
    this.sums[slot]! -= w * x;
    this.weights[slot]! -= w;
  }
  mergeState(slot: number, state: readonly unknown[], at = 0): void {
    const ref = state[at + 2] as number | null;
    const weight = state[at + 1] as number;
    if (ref === null || ref === -Infinity || weight === 0) return;
    this.moveTo(slot, ref);
    const f = 2 ** ((ref - this.refs[slot]!) / this.halfLifeMs);
    this.sums[slot]! += (state[at] as number) * f;
    this.weights[slot]! += weight * f;
  }
  state(slot: number): unknown[] {
    const ref = this.refs[slot]!;
    return [this.sums[slot], this.weights[slot], ref === -Infinity ? null : ref];
  }
  result(slot: number): unknown {
    const w = this.weights[slot]!;
    return w > 0 ? this.sums[slot]! / w : null;
  }
}
