import { ChangelogBuilder, RowKind, type ChangelogRows } from '../changelog.js';

interface WindowsSnapshot {
  readonly watermark: number | null;
  readonly windows: [number, unknown][];
}

/**
 * Tumbling windows of ROWTIME for the *_TUMBLING functions: windows start at multiples of their
 * size from the epoch, as STEP's do; each holds its function's state until the watermark reaches
 * its end, then is emitted and dropped. A row for a window already closed is late: it is kept for
 * error_stream (`takeLateRows`), never folded into a window nor dropped silently.
 */
export class TumblingWindows<S> {
  private readonly open = new Map<number, S>();
  private readonly late: ChangelogBuilder;
  private lateCount = 0;
  watermark = -Infinity;

  constructor(readonly sizeMs: number, private readonly create: () => S, inputWidth: number) {
    this.late = new ChangelogBuilder(inputWidth);
  }

  get openWindows(): number {
    return this.open.size;
  }

  /** The state of the window holding `rowtime`, or null when that window has closed. */
  at(rowtime: number): S | null {
    const start = Math.floor(rowtime / this.sizeMs) * this.sizeMs;
    if (start + this.sizeMs <= this.watermark) return null;
    let state = this.open.get(start);
    if (state === undefined) this.open.set(start, (state = this.create()));
    return state;
  }

  noteLate(batch: ChangelogRows, i: number): void {
    this.late.add(RowKind.Insert, batch.columns.map((c) => c[i]), batch.rowtimes[i]!);
    this.lateCount++;
  }

  /** Rows that arrived for closed windows since the last call, or null. */
  takeLateRows(): ChangelogRows | null {
    if (this.lateCount === 0) return null;
    this.lateCount = 0;
    return this.late.take();
  }

  /** Closes, in order of their end, the windows that end at or before `watermark`. */
  advance(watermark: number, emit: (end: number, state: S) => void): void {
    if (watermark <= this.watermark) return;
    this.watermark = watermark;
    const closing = [...this.open.keys()].filter((start) => start + this.sizeMs <= watermark).sort((a, b) => a - b);
    for (const start of closing) {
      emit(start + this.sizeMs, this.open.get(start)!);
      this.open.delete(start);
    }
  }

  toJson(stateJson: (s: S) => unknown): string {
    const snap: WindowsSnapshot = {
      watermark: this.watermark === -Infinity ? null : this.watermark,
      windows: [...this.open].sort((a, b) => a[0] - b[0]).map(([start, s]) => [start, stateJson(s)]),
    };
    return JSON.stringify(snap);
  }

  fromJson(text: string, stateOf: (json: unknown) => S): void {
    const snap = JSON.parse(text) as WindowsSnapshot;
    this.open.clear();
    this.watermark = snap.watermark ?? -Infinity;
    for (const [start, json] of snap.windows) this.open.set(start, stateOf(json));
  }
}
