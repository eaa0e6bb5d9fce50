import type { Field } from '../../planner/types.js';
import type { ChangelogRows } from '../changelog.js';
import type { Operator } from '../operator.js';
import { RandomCutForest, type ForestOptions } from './random-cut-forest.js';
import {
  assertAppendOnly, integerIn, KdaFunctionError, numberOf, numericColumns,
  type RandomCutForestSpec, type RandomCutForestWithExplanationSpec,
} from './table-function-spec.js';

export const DEFAULT_SEED = 0x5eed;

/** KDA's parameters and defaults, checked against the ranges its SQL Reference gives. */
export function forestOptionsOf(fn: string, spec: Omit<RandomCutForestSpec, 'function'>, columns: number): ForestOptions {
  const numberOfTrees = integerIn(fn, 'numberOfTrees', spec.numberOfTrees, 100, 1, 1000);
  const subSampleSize = integerIn(fn, 'subSampleSize', spec.subSampleSize, 256, 10, 1000);
  const timeDecay = integerIn(fn, 'timeDecay', spec.timeDecay, 100_000, 1, 2_147_483_647);
  const shingleSize = integerIn(fn, 'shingleSize', spec.shingleSize, 1, 1, 30);
  if (subSampleSize >= timeDecay) throw new KdaFunctionError(`${fn}: subSampleSize (${subSampleSize}) must be less than timeDecay (${timeDecay})`);
  return { columns, numberOfTrees, subSampleSize, timeDecay, shingleSize, seed: (spec.seed ?? DEFAULT_SEED) >>> 0 };
}

/**
 * The part both RANDOM_CUT_FOREST operators share: the forest, the numeric columns it reads, and
 * reading a row's values. A row with NULL in one of them is passed through with score 0 and is
 * not learned from, since the forest has no point for it.
 */
export abstract class ForestOperator implements Operator<ChangelogRows, ChangelogRows> {
  protected forest: RandomCutForest;
  protected readonly numeric: number[];
  protected readonly values: Float64Array;
  abstract readonly outputFields: readonly Field[];

  constructor(protected readonly fn: string, spec: RandomCutForestSpec | RandomCutForestWithExplanationSpec) {
    this.numeric = numericColumns(fn, spec.input, 30);
    this.forest = new RandomCutForest(forestOptionsOf(fn, spec, this.numeric.length));
    this.values = new Float64Array(this.numeric.length);
  }

  abstract processBatch(batch: ChangelogRows, out: (rows: ChangelogRows) => void): void;

  onWatermark(): void {}

  /** Reads row `i`'s numeric values into `values`; false when one is NULL or not finite. */
  protected readRow(batch: ChangelogRows, i: number): boolean {
    for (let c = 0; c < this.numeric.length; c++) {
      const v = numberOf(batch.columns[this.numeric[c]!]![i]);
      if (!Number.isFinite(v)) return false;
      this.values[c] = v;
    }
    return true;
  }

  protected emit(batch: ChangelogRows, added: unknown[][], out: (rows: ChangelogRows) => void): void {
    if (batch.count > 0) out({ count: batch.count, columns: [...batch.columns, ...added], rowtimes: batch.rowtimes });
  }

  snapshot(): Uint8Array {
    return this.forest.snapshot();
  }

  restore(bytes: Uint8Array): void {
    const forest = RandomCutForest.restore(bytes);
    if (JSON.stringify(forest.options) !== JSON.stringify(this.forest.options)) {
      throw new KdaFunctionError(`${this.fn}: the snapshot is of a forest with other parameters (${JSON.stringify(forest.options)})`);
    }
    this.forest = forest;
  }
}

/**
 * RANDOM_CUT_FOREST(CURSOR, numberOfTrees, subSampleSize, timeDecay, shingleSize): the input row's
 * columns plus ANOMALY_SCORE (DOUBLE), 0 for the first subSampleSize records (after the first
 * shingle fills) while the trees are built.
 */
export class RandomCutForestOperator extends ForestOperator {
  readonly outputFields: readonly Field[];

  constructor(spec: RandomCutForestSpec) {
    super('RANDOM_CUT_FOREST', spec);
    this.outputFields = [...spec.input, { name: 'ANOMALY_SCORE', type: 'DOUBLE' }];
  }

  processBatch(batch: ChangelogRows, out: (rows: ChangelogRows) => void): void {
    assertAppendOnly(this.fn, batch);
    const scores = new Array<number>(batch.count);
    for (let i = 0; i < batch.count; i++) scores[i] = this.readRow(batch, i) ? this.forest.process(this.values) : 0;
    this.emit(batch, [scores], out);
  }
}
