import type { SqlType } from '../planner/types.js';

/**
 * Columns as operators see them inside one thread. Numbers, timestamps and booleans are Float64
 * with a validity mask; decoded strings are dictionary codes; computed values are plain arrays.
 */
export type Vector =
  | { readonly kind: 'f64'; readonly values: Float64Array; readonly valid: Uint8Array | null }
  | { readonly kind: 'dict'; readonly codes: Int32Array; readonly dict: readonly string[] }
  | { readonly kind: 'js'; readonly values: readonly unknown[] };

export interface ColumnBatch {
  readonly length: number;
  readonly columns: readonly Vector[];
}

export type Reader = (i: number) => unknown;

/** A per-row reader of one vector, returning SQL values: number, string, boolean or null. */
export function readerOf(v: Vector, type: SqlType): Reader {
  switch (v.kind) {
    case 'f64': {
      const { values, valid } = v;
      if (type === 'BOOLEAN') return valid ? (i) => (valid[i] ? values[i] !== 0 : null) : (i) => values[i] !== 0;
      return valid ? (i) => (valid[i] ? values[i] : null) : (i) => values[i];
    }
    case 'dict': {
      const { codes, dict } = v;
      return (i) => {
        const c = codes[i]!;
        return c < 0 ? null : dict[c];
      };
    }
    case 'js': {
      const { values } = v;
      return (i) => values[i] ?? null;
    }
  }
}

/** Builds a vector from SQL values of one type. */
export function vectorFromValues(values: readonly unknown[], type: SqlType): Vector {
  if (type === 'VARCHAR' || type === 'NULL') return { kind: 'js', values };
  const out = new Float64Array(values.length);
  const valid = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === null || x === undefined) continue;
    valid[i] = 1;
    out[i] = typeof x === 'boolean' ? (x ? 1 : 0) : (x as number);
  }
  return { kind: 'f64', values: out, valid };
}
