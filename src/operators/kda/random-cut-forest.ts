import { PointStore } from './point-store.js';
import { Xoshiro128 } from './prng.js';
import { attributeDescended, attributeTree, scoreDescended, scoreTree } from './rcf-score.js';
import { TimeDecaySampler } from './rcf-sampler.js';
import { descendTwo, RcfTree } from './rcf-tree.js';
import { SnapshotReader, SnapshotWriter } from './snapshot-codec.js';

export interface ForestOptions {
  /** Numeric values per record. */
  readonly columns: number;
  readonly numberOfTrees: number;
  readonly subSampleSize: number;
  /** Records (or shingles) over which older data's weight decays: the sampler's rate is 1/timeDecay. */
  readonly timeDecay: number;
  readonly shingleSize: number;
  readonly seed: number;
}

const REJECT_SPAN = 1024;

interface ForestHeader {
  readonly options: ForestOptions;
  readonly seq: number;
  readonly shingleFill: number;
}

/**
 * A streaming random cut forest: each record (or shingle of the last `shingleSize` records) is
 * scored against the trees as they stand, then offered to every tree's time-decay sample; a tree
 * whose sample takes it inserts it, after deleting the point the sample let go. One seeded generator
 * drives every choice in a fixed order, so a seed and an input give the same scores, and the state
 * (trees, samples, points, generator, shingle) is what `snapshot` writes.
 */
export class RandomCutForest {
  readonly dimensions: number;
  private readonly store: PointStore;
  private readonly trees: RcfTree[];
  private readonly samplers: TimeDecaySampler[];
  private readonly rng: Xoshiro128;
  private readonly shingle: Float64Array;
  private readonly lambda: number;
  private readonly h: Float64Array;
  private readonly l: Float64Array;
  private readonly shadowMin: Float64Array;
  private readonly shadowMax: Float64Array;
  private readonly rejectBelow: Float64Array;
  private readonly rejectUntil: Float64Array;
  private shingleFill = 0;
  /** Points offered to the trees so far. */
  private seq = 0;

  constructor(readonly options: ForestOptions) {
    this.dimensions = options.columns * options.shingleSize;
    this.store = new PointStore(this.dimensions, Math.min(1024, options.subSampleSize * 2));
    this.trees = Array.from({ length: options.numberOfTrees }, () => new RcfTree(options.subSampleSize, this.dimensions, this.store));
    this.samplers = Array.from({ length: options.numberOfTrees }, () => new TimeDecaySampler(options.subSampleSize));
    this.rng = new Xoshiro128(options.seed);
    this.shingle = new Float64Array(this.dimensions);
    this.lambda = 1 / options.timeDecay;
    this.h = new Float64Array(this.dimensions);
    this.l = new Float64Array(this.dimensions);
    this.shadowMin = new Float64Array(this.dimensions);
    this.shadowMax = new Float64Array(this.dimensions);
    this.rejectBelow = new Float64Array(options.numberOfTrees);
    this.rejectUntil = new Float64Array(options.numberOfTrees).fill(-1);
  }

  /** Whether the next complete shingle is scored: the trees have taken `subSampleSize` points. */
  get warm(): boolean {
    return this.seq >= this.options.subSampleSize;
  }

  /**
   * Scores a record's values, then learns from them. The score is 0 while the forest warms up and
   * while the first shingle is still filling. With `high`/`low` (one entry per dimension), they get
   * the score's directional attribution, averaged over the trees; their total is the score.
   */
  process(values: ArrayLike<number>, high?: Float64Array, low?: Float64Array): number {
    const point = this.nextShingle(values);
    high?.fill(0);
    low?.fill(0);
    if (!point) return 0;
    let score = 0;
    if (this.warm) score = high && low ? this.attribute(point, high, low) : this.score(point);
    this.update(point);
    return score;
  }

  private nextShingle(values: ArrayLike<number>): Float64Array | null {
    const c = this.options.columns;
    const s = this.shingle;
    if (this.options.shingleSize > 1) s.copyWithin(0, c);
    const at = this.dimensions - c;
    for (let i = 0; i < c; i++) s[at + i] = values[i]!;
    if (this.shingleFill < this.options.shingleSize) this.shingleFill++;
    return this.shingleFill === this.options.shingleSize ? s : null;
  }

  private score(point: Float64Array): number {
    const trees = this.trees;
    let sum = 0;
    let t = 0;
    for (; t + 1 < trees.length; t += 2) {
      descendTwo(trees[t]!, trees[t + 1]!, point);
      sum += scoreDescended(trees[t]!, this.store, point) + scoreDescended(trees[t + 1]!, this.store, point);
    }
    if (t < trees.length) sum += scoreTree(trees[t]!, this.store, point);
    return sum / trees.length;
  }

  private attribute(point: Float64Array, high: Float64Array, low: Float64Array): number {
    const trees = this.trees;
    let t = 0;
    for (; t + 1 < trees.length; t += 2) {
      descendTwo(trees[t]!, trees[t + 1]!, point);
      attributeDescended(trees[t]!, this.store, point, high, low, this.h, this.l, this.shadowMin, this.shadowMax);
      attributeDescended(trees[t + 1]!, this.store, point, high, low, this.h, this.l, this.shadowMin, this.shadowMax);
    }
    if (t < trees.length) attributeTree(trees[t]!, this.store, point, high, low, this.h, this.l, this.shadowMin, this.shadowMax);
    const n = trees.length;
    let score = 0;
    for (let i = 0; i < this.dimensions; i++) {
      high[i]! /= n;
      low[i]! /= n;
      score += high[i]! + low[i]!;
    }
    return score;
  }

  private update(point: Float64Array): void {
    const seq = this.seq++;
    const slot = this.store.add(point);
    const decay = -seq * this.lambda;
    for (let t = 0; t < this.trees.length; t++) {
      const sampler = this.samplers[t]!;
      const u = this.rng.nextOpen();
      if (u <= this.rejectBelow[t]! && seq < this.rejectUntil[t]!) continue;
      const weight = decay + Math.log(-Math.log(u));
      if (!sampler.full) sampler.add(slot, weight);
      else if (weight < sampler.maxWeight) {
        const evicted = sampler.replaceMax(slot, weight);
        this.trees[t]!.delete(evicted);
        this.store.release(evicted);
        this.rejectUntil[t] = -1;
      } else {
        if (seq >= this.rejectUntil[t]!) this.boundRejections(t, seq);
        continue;
      }
      this.store.retain(slot);
      this.trees[t]!.insert(slot, point, this.rng);
    }
    this.store.dropIfUnused(slot);
  }

  /**
   * Most offers to a full sample are refused, and deciding so takes two logarithms. The weight
   * ln(-ln u) - seq/timeDecay falls as u grows, so below some u every offer of the next
   * REJECT_SPAN records is refused: that bound (with a margin far above rounding) decides them
   * with one comparison. A cache, not state: the decisions are those of the exact rule.
   */
  private boundRejections(t: number, seq: number): void {
    const maxWeight = this.samplers[t]!.maxWeight;
    const limit = maxWeight + (seq + REJECT_SPAN) * this.lambda;
    // The margin outgrows the rounding of weights however large seq/timeDecay gets.
    const margin = 1e-9 * (1 + Math.abs(maxWeight) + seq * this.lambda);
    this.rejectBelow[t] = Math.exp(-Math.exp(limit + margin));
    this.rejectUntil[t] = seq + REJECT_SPAN;
  }

  snapshot(): Uint8Array {
    const w = new SnapshotWriter();
    w.add(this.rng.state).add(this.shingle);
    this.store.write(w);
    for (let t = 0; t < this.trees.length; t++) {
      this.samplers[t]!.write(w);
      this.trees[t]!.write(w);
    }
    const header: ForestHeader = { options: this.options, seq: this.seq, shingleFill: this.shingleFill };
    return w.finish(header);
  }

  static restore(bytes: Uint8Array): RandomCutForest {
    const r = new SnapshotReader<ForestHeader>(bytes);
    const forest = new RandomCutForest(r.header.options);
    forest.seq = r.header.seq;
    forest.shingleFill = r.header.shingleFill;
    forest.rng.state = r.u32();
    forest.shingle.set(r.f64());
    forest.store.read(r);
    for (let t = 0; t < forest.trees.length; t++) {
      forest.samplers[t]!.read(r);
      forest.trees[t]!.read(r);
    }
    return forest;
  }
}
