import type { Field } from '../../planner/types.js';
import type { ChangelogRows } from '../changelog.js';
import type { Operator } from '../operator.js';
import { HotspotWindow, type Hotspot } from './hotspot-window.js';
import { SnapshotReader, SnapshotWriter } from './snapshot-codec.js';
import { assertAppendOnly, integerIn, KdaFunctionError, numberOf, numericColumns, type HotspotsSpec } from './table-function-spec.js';

const FN = 'HOTSPOTS';

/**
 * HOTSPOTS(CURSOR, windowSize, scanRadius, minimumNumberOfPointsInAHotspot): the input row's
 * columns plus HOTSPOTS_RESULT (VARCHAR), the hotspots among the last windowSize records, this one
 * included, as KDA's JSON:
 *
 *   {"hotspots":[{"density":212.5,"minValues":[4.1,6.0],"maxValues":[5.1,7.0]}]}
 *
 * minValues and maxValues hold the numeric columns in the cursor's order; density is the hotspot's
 * records divided by its size, the product over the columns of max(max - min, scanRadius) (the
 * floor keeps a hotspot flat in one column finite). Hotspots come densest first. A row with NULL in
 * a numeric column is not added to the window; its result describes the window as it stands.
 */
export class HotspotsOperator implements Operator<ChangelogRows, ChangelogRows> {
  readonly outputFields: readonly Field[];
  private readonly numeric: number[];
  private readonly point: Float64Array;
  private window: HotspotWindow;

  constructor(readonly spec: HotspotsSpec) {
    const windowSize = integerIn(FN, 'windowSize', spec.windowSize, undefined, 100, 1000);
    const minPoints = integerIn(FN, 'minimumNumberOfPointsInAHotspot', spec.minimumNumberOfPointsInAHotspot, undefined, 2, windowSize);
    if (!(typeof spec.scanRadius === 'number' && spec.scanRadius > 0 && Number.isFinite(spec.scanRadius))) {
      throw new KdaFunctionError(`${FN}: scanRadius must be a number greater than zero, got ${spec.scanRadius}`);
    }
    this.numeric = numericColumns(FN, spec.input);
    this.point = new Float64Array(this.numeric.length);
    this.window = new HotspotWindow(windowSize, this.numeric.length, spec.scanRadius, minPoints);
    this.outputFields = [...spec.input, { name: 'HOTSPOTS_RESULT', type: 'VARCHAR' }];
  }

  processBatch(batch: ChangelogRows, out: (rows: ChangelogRows) => void): void {
    assertAppendOnly(FN, batch);
    if (batch.count === 0) return;
    const results = new Array<string>(batch.count);
    for (let i = 0; i < batch.count; i++) {
      let complete = true;
      for (let c = 0; c < this.numeric.length; c++) {
        const v = numberOf(batch.columns[this.numeric[c]!]![i]);
        if (!Number.isFinite(v)) complete = false;
        this.point[c] = v;
      }
      if (complete) this.window.add(this.point);
      results[i] = hotspotsJson(this.window.hotspots());
    }
    out({ count: batch.count, columns: [...batch.columns, results], rowtimes: batch.rowtimes });
  }

  onWatermark(): void {}

  snapshot(): Uint8Array {
    return new SnapshotWriter().add(this.window.points()).finish({ function: FN });
  }

  restore(bytes: Uint8Array): void {
    const r = new SnapshotReader<{ function: string }>(bytes);
    if (r.header.function !== FN) throw new KdaFunctionError(`${FN}: the snapshot is of ${r.header.function}`);
    const points = r.f64();
    const w = this.window;
    this.window = new HotspotWindow(w.windowSize, w.dims, w.scanRadius, w.minPoints);
    for (let at = 0; at < points.length; at += w.dims) this.window.add(points.subarray(at, at + w.dims));
  }
}

export function hotspotsJson(hotspots: readonly Hotspot[]): string {
  return JSON.stringify({ hotspots: hotspots.map((h) => ({ density: h.density, minValues: h.minValues, maxValues: h.maxValues })) });
}
