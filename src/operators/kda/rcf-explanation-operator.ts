import type { Field } from '../../planner/types.js';
import type { ChangelogRows } from '../changelog.js';
import { ForestOperator } from './rcf-operator.js';
import { assertAppendOnly, type RandomCutForestWithExplanationSpec } from './table-function-spec.js';

/**
 * RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR, numberOfTrees, subSampleSize, timeDecay, shingleSize,
 * withDirectionality): the input row's columns plus ANOMALY_SCORE (DOUBLE) and ANOMALY_EXPLANATION
 * (VARCHAR), KDA's JSON with one member per numeric column, in the cursor's order:
 *
 *   {"Systolic":{"DIRECTION":"HIGH","STRENGTH":"0.8567","ATTRIBUTION_SCORE":"1.7447"},...}
 *
 * ATTRIBUTION_SCORE is the column's share of the score (the shares add up to it; with shingles, a
 * column's share sums its positions in the shingle). DIRECTION is HIGH when the column's attribution
 * comes more from the value being above the boxes it is separated from than below, else LOW (the
 * default while warming up). STRENGTH is how lopsided that is: |high - low| / min(high, low), the
 * smaller side floored at 1/1000 of their sum, 0 while warming up. Without withDirectionality each
 * member has ATTRIBUTION_SCORE only. Numbers are text with four decimals, as KDA writes them.
 */
export class RandomCutForestWithExplanationOperator extends ForestOperator {
  readonly outputFields: readonly Field[];
  private readonly names: string[];
  private readonly directional: boolean;
  private readonly high: Float64Array;
  private readonly low: Float64Array;

  constructor(spec: RandomCutForestWithExplanationSpec) {
    super('RANDOM_CUT_FOREST_WITH_EXPLANATION', spec);
    this.outputFields = [...spec.input, { name: 'ANOMALY_SCORE', type: 'DOUBLE' }, { name: 'ANOMALY_EXPLANATION', type: 'VARCHAR' }];
    this.names = this.numeric.map((i) => spec.input[i]!.name);
    this.directional = spec.withDirectionality ?? false;
    this.high = new Float64Array(this.forest.dimensions);
    this.low = new Float64Array(this.forest.dimensions);
  }

  processBatch(batch: ChangelogRows, out: (rows: ChangelogRows) => void): void {
    assertAppendOnly(this.fn, batch);
    const scores = new Array<number>(batch.count);
    const explanations = new Array<string>(batch.count);
    for (let i = 0; i < batch.count; i++) {
      if (this.readRow(batch, i)) scores[i] = this.forest.process(this.values, this.high, this.low);
      else {
        scores[i] = 0;
        this.high.fill(0);
        this.low.fill(0);
      }
      explanations[i] = this.explain();
    }
    this.emit(batch, [scores, explanations], out);
  }

  private explain(): string {
    const columns = this.names.length;
    const parts: string[] = [];
    for (let c = 0; c < columns; c++) {
      let high = 0;
      let low = 0;
      for (let at = c; at < this.high.length; at += columns) {
        high += this.high[at]!;
        low += this.low[at]!;
      }
      const attribution = `"ATTRIBUTION_SCORE":"${(high + low).toFixed(4)}"`;
      const body = this.directional
        ? `"DIRECTION":"${high > low ? 'HIGH' : 'LOW'}","STRENGTH":"${directionStrength(high, low).toFixed(4)}",${attribution}`
        : attribution;
      parts.push(`${JSON.stringify(this.names[c])}:{${body}}`);
    }
    return `{${parts.join(',')}}`;
  }
}

/** How much one direction outweighs the other: 0 when balanced, growing with the ratio. */
export function directionStrength(high: number, low: number): number {
  const total = high + low;
  if (!(total > 0)) return 0;
  return Math.abs(high - low) / Math.max(Math.min(high, low), total / 1000);
}
