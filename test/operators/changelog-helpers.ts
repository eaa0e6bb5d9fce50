import { mulberry32 } from '../../bench/clickstream.js';
import { RowKind, ROW_KIND_TEXT, isAccumulate, type ChangelogRows } from '../../src/operators/changelog.js';
import type { Operator } from '../../src/operators/operator.js';
import type { Expiring } from '../../src/operators/operator-hooks.js';

/** One step of an operator's input: a row (with its kind), a watermark, or a TTL sweep at processing time `expire`. */
export type Step =
  | { readonly row: readonly unknown[]; readonly rowtime: number; readonly kind?: RowKind }
  | { readonly watermark: number }
  | { readonly expire: number };

export type ChangelogOperator = Operator<ChangelogRows, ChangelogRows> & Partial<Expiring>;

export interface Change {
  readonly kind: string;
  readonly row: unknown[];
  readonly rowtime: number;
}

export function batchOf(rows: readonly (readonly unknown[])[], rowtimes: readonly number[], kinds?: readonly RowKind[]): ChangelogRows {
  const width = rows[0]?.length ?? 0;
  const columns = Array.from({ length: width }, (_, c) => rows.map((r) => r[c] ?? null));
  const ops = kinds?.some((k) => k !== RowKind.Insert) ? Uint8Array.from(kinds) : undefined;
  return { count: rows.length, columns, rowtimes: [...rowtimes], ...(ops ? { ops } : {}) };
}

/** Every row of the batches, in order, with its kind as text. */
export function changes(batches: readonly ChangelogRows[]): Change[] {
  const out: Change[] = [];
  for (const b of batches) {
    for (let i = 0; i < b.count; i++) {
      out.push({ kind: ROW_KIND_TEXT[b.ops ? b.ops[i]! : RowKind.Insert], row: b.columns.map((c) => c[i] ?? null), rowtime: b.rowtimes[i]! });
    }
  }
  return out;
}

/**
 * Applies a changelog to a table kept as a multiset of rows (JSON text → count), as a sink that
 * keeps a table would; fails on a retraction of a row the table does not hold.
 */
export function materialize(batches: readonly ChangelogRows[], table = new Map<string, number>()): Map<string, number> {
  for (const b of batches) {
    for (let i = 0; i < b.count; i++) {
      const key = JSON.stringify(b.columns.map((c) => c[i] ?? null));
      const kind = (b.ops ? b.ops[i]! : RowKind.Insert) as RowKind;
      const n = table.get(key) ?? 0;
      if (isAccumulate(kind)) table.set(key, n + 1);
      else if (n === 0) throw new Error(`${ROW_KIND_TEXT[kind]} of a row the table does not hold: ${key}`);
      else if (n === 1) table.delete(key);
      else table.set(key, n - 1);
    }
  }
  return table;
}

export function multiset(rows: readonly (readonly unknown[])[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    const key = JSON.stringify(r.map((v) => v ?? null));
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/** A multiset as sorted lines, so a failing comparison shows the rows that differ. */
export function sortedLines(m: Map<string, number>): string[] {
  return [...m].map(([k, n]) => `${k} x${n}`).sort();
}

export interface DriveOptions {
  /** Seed of the batch splitting. */
  readonly seed?: number;
  /** Largest batch; 1 feeds rows one at a time. */
  readonly maxBatch?: number;
  /** Before step `restoreAt`, snapshot the operator and go on with a fresh one restored from it. */
  readonly restoreAt?: number;
  /** Called after every batch and watermark with everything emitted so far. */
  readonly check?: (emitted: readonly ChangelogRows[], stepsDone: number) => void;
}

/**
 * Feeds steps to an operator, cutting runs of rows into batches of random sizes (rows never cross
 * a watermark or a TTL sweep), and returns what it emitted.
 */
export function drive(make: () => ChangelogOperator, steps: readonly Step[], opts: DriveOptions = {}): ChangelogRows[] {
  const random = mulberry32(opts.seed ?? 1);
  const maxBatch = opts.maxBatch ?? 16;
  const emitted: ChangelogRows[] = [];
  const out = (rows: ChangelogRows): void => { emitted.push(rows); };
  let op = make();
  let rows: (readonly unknown[])[] = [];
  let rowtimes: number[] = [];
  let kinds: RowKind[] = [];
  let target = 1 + Math.floor(random() * maxBatch);
  let done = 0;
  const flush = (): void => {
    if (rows.length === 0) return;
    op.processBatch(batchOf(rows, rowtimes, kinds), out);
    rows = [];
    rowtimes = [];
    kinds = [];
    target = 1 + Math.floor(random() * maxBatch);
    opts.check?.(emitted, done);
  };
  steps.forEach((s, at) => {
    if (at === opts.restoreAt) {
      flush();
      const bytes = op.snapshot();
      op = make();
      op.restore(bytes);
    }
    if ('row' in s) {
      rows.push(s.row);
      rowtimes.push(s.rowtime);
      kinds.push(s.kind ?? RowKind.Insert);
      done = at + 1;
      if (rows.length >= target) flush();
    } else {
      flush();
      done = at + 1;
      if ('watermark' in s) op.onWatermark(s.watermark, out);
      else op.expire!(s.expire, out);
      opts.check?.(emitted, done);
    }
  });
  flush();
  return emitted;
}
