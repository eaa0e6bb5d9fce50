import type { ChangelogRows } from '../../../src/operators/changelog.js';
import type { Operator } from '../../../src/operators/operator.js';

/** A small seeded uniform generator (mulberry32) for the synthetic series, independent of the code under test. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform generator (Box-Muller). */
export function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** Rows from per-column arrays; ROWTIME one millisecond apart unless given. */
export function rowsOf(columns: unknown[][], rowtimes?: number[]): ChangelogRows {
  const count = columns[0]!.length;
  return { count, columns, rowtimes: rowtimes ?? Array.from({ length: count }, (_, i) => i) };
}

export function slice(rows: ChangelogRows, from: number, to: number): ChangelogRows {
  return { count: to - from, columns: rows.columns.map((c) => c.slice(from, to)), rowtimes: rows.rowtimes.slice(from, to) };
}

/** Concatenates emitted batches into one. */
export function concat(batches: readonly ChangelogRows[], width: number): ChangelogRows {
  const columns: unknown[][] = Array.from({ length: width }, () => []);
  const rowtimes: number[] = [];
  for (const b of batches) {
    b.columns.forEach((c, i) => columns[i]!.push(...c));
    rowtimes.push(...b.rowtimes);
  }
  return { count: rowtimes.length, columns, rowtimes };
}

/** Feeds `rows` to `op` in batches of the given sizes (cycled) and returns everything it emitted. */
export function runInBatches(op: Operator<ChangelogRows, ChangelogRows>, rows: ChangelogRows, sizes: readonly number[], width: number): ChangelogRows {
  const out: ChangelogRows[] = [];
  let at = 0;
  for (let k = 0; at < rows.count; k++) {
    const to = Math.min(rows.count, at + sizes[k % sizes.length]!);
    op.processBatch(slice(rows, at, to), (r) => out.push(r));
    at = to;
  }
  return concat(out, width);
}

/** The score a record must reach to be in the top `fraction` of the scores from `from` on. */
export function topThreshold(scores: readonly number[], from: number, fraction: number): number {
  const warm = scores.slice(from).sort((a, b) => b - a);
  return warm[Math.max(0, Math.ceil(warm.length * fraction) - 1)]!;
}

/** 1-based rank of each index's score among the scores from `from` on (1 = highest). */
export function ranks(scores: readonly number[], from: number, indices: readonly number[]): number[] {
  return indices.map((i) => scores.slice(from).filter((s) => s > scores[i]!).length + 1);
}
