import type { SnapshotReader, SnapshotWriter } from './snapshot-codec.js';

/**
 * A tree's sample: a reservoir with exponential time decay, as random-cut-forest-by-aws keeps it.
 * The point seen at sequence number t gets the weight -t/timeDecay + ln(-ln u) for a uniform u and
 * the sample keeps the `capacity` smallest weights, in a max-heap, so newer points are more likely
 * to stay and the oldest are the likeliest to go (older records "have a higher probability of
 * removal", as KDA's reference says).
 */
export class TimeDecaySampler {
  readonly weights: Float64Array;
  readonly slots: Int32Array;
  size = 0;

  constructor(readonly capacity: number) {
    this.weights = new Float64Array(capacity);
    this.slots = new Int32Array(capacity);
  }

  get full(): boolean {
    return this.size === this.capacity;
  }

  /** The largest weight kept: a full sample takes a point only with a smaller weight. */
  get maxWeight(): number {
    return this.weights[0]!;
  }

  add(slot: number, weight: number): void {
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.weights[parent]! >= weight) break;
      this.weights[i] = this.weights[parent]!;
      this.slots[i] = this.slots[parent]!;
      i = parent;
    }
    this.weights[i] = weight;
    this.slots[i] = slot;
  }

  /** Replaces the heaviest point with a new one; returns the evicted point's slot. */
  replaceMax(slot: number, weight: number): number {
    const evicted = this.slots[0]!;
    const n = this.size;
    let i = 0;
    for (;;) {
      const a = 2 * i + 1;
      if (a >= n) break;
      const b = a + 1;
      const c = b < n && this.weights[b]! > this.weights[a]! ? b : a;
      if (this.weights[c]! <= weight) break;
      this.weights[i] = this.weights[c]!;
      this.slots[i] = this.slots[c]!;
      i = c;
    }
    this.weights[i] = weight;
    this.slots[i] = slot;
    return evicted;
  }

  write(w: SnapshotWriter): void {
    w.add(this.weights, this.size).add(this.slots, this.size);
  }

  read(r: SnapshotReader<unknown>): void {
    const weights = r.f64();
    this.weights.set(weights);
    this.slots.set(r.i32());
    this.size = weights.length;
  }
}
