import type { Field } from '../planner/types.js';
import type { ColumnType } from '../decode/types.js';
import { splitCsvLine } from './input-format.js';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Schema discovery, as KDA does it: look at a sample of records and pick each column's type.
 * JSON: the union of top-level keys in first-seen order; CSV: COL_0, COL_1, ... by position.
 */
export function inferSchema(sample: readonly string[], format: 'json' | 'csv'): Field[] {
  const order: string[] = [];
  const seen = new Map<string, Map<ColumnType, number>>();
  const see = (name: string, t: ColumnType | null) => {
    let counts = seen.get(name);
    if (!counts) {
      order.push(name);
      seen.set(name, (counts = new Map()));
    }
    if (t) counts.set(t, (counts.get(t) ?? 0) + 1);
  };
  for (const line of sample) {
    if (!line.trim()) continue;
    if (format === 'json') {
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        continue;
      }
      if (!rec || typeof rec !== 'object' || Array.isArray(rec)) continue;
      for (const [k, v] of Object.entries(rec)) see(k, typeOfJson(v));
    } else {
      splitCsvLine(line).forEach((v, i) => see(`COL_${i}`, typeOfText(v.trim())));
    }
  }
  return order.map((name) => ({ name, type: choose(seen.get(name)!) }));
}

/**
 * The column's type: the one every value has; numbers when at least 90% of values are numbers
 * (the odd record then fails coercion and goes to error_stream); otherwise VARCHAR.
 */
function choose(counts: Map<ColumnType, number>): ColumnType {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (counts.size === 0) return 'VARCHAR';
  if (counts.size === 1) return [...counts.keys()][0]!;
  const ints = counts.get('BIGINT') ?? 0;
  const doubles = counts.get('DOUBLE') ?? 0;
  if (ints + doubles >= 0.9 * total) return doubles > 0 ? 'DOUBLE' : 'BIGINT';
  return 'VARCHAR';
}

function typeOfJson(v: unknown): ColumnType | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'number') return Number.isInteger(v) ? 'BIGINT' : 'DOUBLE';
  if (typeof v === 'string') return ISO_TIMESTAMP.test(v) ? 'TIMESTAMP' : 'VARCHAR';
  return 'VARCHAR';
}

function typeOfText(v: string): ColumnType | null {
  if (v === '') return null;
  if (/^-?\d+$/.test(v)) return 'BIGINT';
  if (/^-?\d*\.\d+([eE][+-]?\d+)?$/.test(v)) return 'DOUBLE';
  if (v === 'true' || v === 'false') return 'BOOLEAN';
  return ISO_TIMESTAMP.test(v) ? 'TIMESTAMP' : 'VARCHAR';
}
