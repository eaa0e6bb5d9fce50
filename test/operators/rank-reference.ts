import type { RankSpec } from '../../src/operators/rank.js';
import { RowKind, isAccumulate } from '../../src/operators/changelog.js';
import type { Step } from './changelog-helpers.js';

/** ORDER BY with Flink's default NULL order (NULL lowest) unless told, for tests. */
export function compareRows(spec: Pick<RankSpec, 'orderBy'>, a: readonly unknown[], b: readonly unknown[]): number {
  for (const k of spec.orderBy) {
    const x = a[k.column] ?? null;
    const y = b[k.column] ?? null;
    const nullsFirst = k.nullsFirst ?? !k.descending;
    let c: number;
    if (x === null || y === null) c = x === y ? 0 : (x === null) === nullsFirst ? -1 : 1;
    else {
      c = (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
      if (k.descending) c = -c;
    }
    if (c !== 0) return c;
  }
  return 0;
}

/** The live input rows after some steps: inserts in arrival order, a retraction removes the earliest equal row. */
export function liveRows(steps: readonly Step[]): unknown[][] {
  const live: unknown[][] = [];
  for (const s of steps) {
    if (!('row' in s)) continue;
    if (isAccumulate(s.kind ?? RowKind.Insert)) live.push([...s.row]);
    else {
      const at = live.findIndex((r) => JSON.stringify(r) === JSON.stringify(s.row));
      if (at >= 0) live.splice(at, 1);
    }
  }
  return live;
}

/** Top-N by definition: each partition's rows stably sorted, ranked, kept while rank <= N. */
export function topN(spec: RankSpec, rows: readonly unknown[][]): unknown[][] {
  const parts = new Map<string, unknown[][]>();
  for (const r of rows) {
    const key = JSON.stringify(spec.partitionBy.map((c) => r[c] ?? null));
    parts.set(key, [...(parts.get(key) ?? []), r]);
  }
  const out: unknown[][] = [];
  for (const part of parts.values()) {
    const sorted = [...part].sort((a, b) => compareRows(spec, a, b));
    let rank = 0;
    let dense = 0;
    sorted.forEach((r, j) => {
      const peer = j > 0 && compareRows(spec, sorted[j - 1]!, r) === 0;
      if (!peer) dense++;
      rank = spec.fn === 'ROW_NUMBER' ? j + 1 : spec.fn === 'RANK' ? (peer ? rank : j + 1) : dense;
      if (rank <= spec.limit) out.push(spec.outputRank ? [...r, rank] : [...r]);
    });
  }
  return out;
}
