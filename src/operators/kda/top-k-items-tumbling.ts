import type { Field } from '../../planner/types.js';
import { ChangelogBuilder, RowKind, type ChangelogRows } from '../changelog.js';
import type { Operator } from '../operator.js';
import { SpaceSaving } from './space-saving.js';
import { TumblingWindows } from './tumbling-windows.js';
import { assertAppendOnly, columnNamed, integerIn, KdaFunctionError, type TopKItemsTumblingSpec } from './table-function-spec.js';

const FN = 'TOP_K_ITEMS_TUMBLING';

/** Counters per window: K's at least four times over, and never fewer than 1,000. */
export function topKCapacity(k: number): number {
  return Math.max(1000, 4 * k);
}

/**
 * TOP_K_ITEMS_TUMBLING(CURSOR, 'columnName', K, windowSize): per tumbling window of ROWTIME
 * (windowSize seconds), when the watermark closes it, up to K rows (ITEM, ITEM_COUNT) for the most
 * frequent values of the column, most frequent first, each row's ROWTIME the window's end. ITEM has
 * the column's type; NULL counts as an item, as GROUP BY would. The counts are Space-Saving's
 * (`topKCapacity(K)` counters): exact while a window has no more distinct values than counters,
 * approximate beyond, as KDA's are.
 */
export class TopKItemsTumblingOperator implements Operator<ChangelogRows, ChangelogRows> {
  readonly outputFields: readonly Field[];
  private readonly column: number;
  private readonly k: number;
  private readonly capacity: number;
  private readonly windows: TumblingWindows<SpaceSaving>;

  constructor(readonly spec: TopKItemsTumblingSpec) {
    this.column = columnNamed(FN, spec.input, spec.columnName);
    this.k = integerIn(FN, 'K', spec.k, undefined, 1, 100_000);
    const seconds = integerIn(FN, 'windowSize', spec.windowSize, undefined, 1, 3600);
    this.capacity = topKCapacity(this.k);
    this.windows = new TumblingWindows(seconds * 1000, () => new SpaceSaving(this.capacity), spec.input.length);
    this.outputFields = [{ name: 'ITEM', type: spec.input[this.column]!.type }, { name: 'ITEM_COUNT', type: 'BIGINT' }];
  }

  get openWindows(): number {
    return this.windows.openWindows;
  }

  processBatch(batch: ChangelogRows, _out: (rows: ChangelogRows) => void): void {
    assertAppendOnly(FN, batch);
    const values = batch.columns[this.column]!;
    for (let i = 0; i < batch.count; i++) {
      const counter = this.windows.at(batch.rowtimes[i]!);
      if (counter) counter.add(values[i] ?? null);
      else this.windows.noteLate(batch, i);
    }
  }

  onWatermark(watermark: number, out: (rows: ChangelogRows) => void): void {
    const rows = new ChangelogBuilder(2);
    this.windows.advance(watermark, (end, counter) => {
      for (const { item, count } of counter.top(this.k)) rows.add(RowKind.Insert, [item, count], end);
    });
    if (rows.count > 0) out(rows.take());
  }

  /** Input rows that came for windows already emitted (for error_stream), or null. */
  takeLateRows(): ChangelogRows | null {
    return this.windows.takeLateRows();
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(this.windows.toJson((s) => s.toJson()));
  }

  restore(bytes: Uint8Array): void {
    try {
      this.windows.fromJson(new TextDecoder().decode(bytes), (json) => SpaceSaving.fromJson(this.capacity, json));
    } catch (e) {
      throw new KdaFunctionError(`${FN}: cannot restore the snapshot: ${(e as Error).message}`);
    }
  }
}
