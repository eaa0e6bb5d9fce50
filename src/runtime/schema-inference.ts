import type { Field } from '../planner/types.js';
import type { ColumnType } from '../decode/types.js';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Schema discovery, as KDA does it: look at a sample of records and pick each column's type.
 * JSON: the union of top-level keys in first-seen order; CSV: COL_0, COL_1, ... by position.
 */
export function inferSchema(sample: readonly string[], format: 'json' | 'csv'): Field[] {
  const order: string[] = [];
  const types = new Map<string, ColumnType | null>();
  const see = (name: string, t: ColumnType | null) => {
    if (!types.has(name)) {
      order.push(name);
      types.set(name, t);
      return;
    }
    types.set(name, merge(types.get(name)!, t));
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
      line.split(',').forEach((v, i) => see(`COL_${i}`, typeOfText(v.trim().replace(/^"|"$/g, ''))));
    }
  }
  return order.map((name) => ({ name, type: types.get(name) ?? 'VARCHAR' }));
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

function merge(a: ColumnType | null, b: ColumnType | null): ColumnType | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  if ((a === 'BIGINT' && b === 'DOUBLE') || (a === 'DOUBLE' && b === 'BIGINT')) return 'DOUBLE';
  return 'VARCHAR';
}
