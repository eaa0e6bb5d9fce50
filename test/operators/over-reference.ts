import type { OverAggregateSpec } from '../../src/operators/over-aggregate.js';
import { compareValues } from '../../src/operators/kernels/sort-order.js';
import type { Step } from './changelog-helpers.js';

interface Seen { readonly row: readonly unknown[]; readonly rowtime: number; readonly time: number; readonly arrival: number }

/**
 * OVER by definition, for tests: every frame recomputed from all rows of its partition. Returns
 * the output rows (event time: in (time, arrival) order; arrival time: in arrival order) and the
 * rows that were late.
 */
export function overReference(spec: OverAggregateSpec, steps: readonly Step[]): { rows: unknown[][]; late: unknown[][] } {
  let watermark = -Infinity;
  const seen: Seen[] = [];
  const late: unknown[][] = [];
  for (const s of steps) {
    if ('watermark' in s) watermark = Math.max(watermark, s.watermark);
    if (!('row' in s)) continue;
    const t = spec.orderBy === 'rowtime' ? s.rowtime : s.row[spec.orderBy];
    if (typeof t !== 'number' || (spec.time === 'event' && t <= watermark)) late.push([...s.row]);
    else seen.push({ row: s.row, rowtime: s.rowtime, time: t, arrival: seen.length });
  }
  const ordered = spec.time === 'event' ? [...seen].sort((a, b) => a.time - b.time || a.arrival - b.arrival) : seen;
  const parts = new Map<string, Seen[]>();
  for (const r of ordered) {
    const key = JSON.stringify(spec.partitionBy.map((c) => r.row[c] ?? null));
    parts.set(key, [...(parts.get(key) ?? []), r]);
  }
  const values = new Map<Seen, unknown[]>();
  for (const rows of parts.values()) rows.forEach((r, j) => values.set(r, spec.calls.map((c) => callValue(spec, c, rows, j))));
  return { rows: ordered.map((r) => [...r.row.map((v) => v ?? null), ...values.get(r)!]), late };
}

function frameOf(spec: OverAggregateSpec, rows: readonly Seen[], j: number): Seen[] {
  const f = spec.frame;
  const t = rows[j]!.time;
  if (f.kind === 'rows') return rows.slice(f.preceding === null ? 0 : Math.max(0, j - f.preceding), j + 1);
  // Arrival time has no holding: peers after the row are not in its frame.
  const upTo = spec.time === 'event' ? rows.filter((r) => r.time <= t) : rows.slice(0, j + 1);
  return upTo.filter((r) => f.precedingMs === null || r.time >= t - f.precedingMs);
}

function callValue(spec: OverAggregateSpec, c: OverAggregateSpec['calls'][number], rows: readonly Seen[], j: number): unknown {
  const arg = (r: Seen): unknown => (c.arg === null ? null : r.row[c.arg] ?? null);
  const t = rows[j]!.time;
  switch (c.fn) {
    case 'ROW_NUMBER': return j + 1;
    case 'RANK': return rows.filter((r, k) => k < j && r.time < t).length + 1;
    case 'DENSE_RANK': return new Set(rows.slice(0, j + 1).map((r) => r.time)).size;
    case 'LAG': {
      const k = j - (c.offset ?? 1);
      return k >= 0 ? arg(rows[k]!) : c.default ?? null;
    }
    case 'LEAD': {
      const k = j + (c.offset ?? 1);
      return k < rows.length ? arg(rows[k]!) : c.default ?? null;
    }
    default: break;
  }
  const frame = frameOf(spec, rows, j);
  const vals = frame.map(arg).filter((v) => v !== null);
  switch (c.fn) {
    case 'COUNT_STAR': return frame.length;
    case 'COUNT': return vals.length;
    case 'SUM': return vals.length ? vals.reduce((a: number, v) => a + (v as number), 0) : null;
    case 'AVG': return vals.length ? vals.reduce((a: number, v) => a + (v as number), 0) / vals.length : null;
    case 'MIN': return vals.length ? vals.reduce((a, v) => (compareValues(v, a) < 0 ? v : a)) : null;
    case 'MAX': return vals.length ? vals.reduce((a, v) => (compareValues(v, a) > 0 ? v : a)) : null;
    case 'COUNT_DISTINCT': return new Set(vals).size;
    case 'FIRST_VALUE': return frame.length ? arg(frame[0]!) : null;
    case 'LAST_VALUE': return frame.length ? arg(frame[frame.length - 1]!) : null;
    default: throw new Error(`no reference for ${c.fn}`);
  }
}
