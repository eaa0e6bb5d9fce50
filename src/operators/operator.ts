/**
 * The operator contract: state lives in operators, is snapshot-able, and is driven by batches and
 * watermarks. Checkpointing and recovery build on snapshot/restore.
 */
export interface Operator<In, Out> {
  open?(): void;
  processBatch(batch: In, out: (rows: Out) => void): void;
  onWatermark(watermark: number, out: (rows: Out) => void): void;
  snapshot(): Uint8Array;
  restore(bytes: Uint8Array): void;
  close?(): void;
}

/** Rows leaving a stateful operator: values per output column, plus each row's ROWTIME. */
export interface OutputRows {
  readonly count: number;
  readonly columns: unknown[][];
  readonly rowtimes: number[];
}
