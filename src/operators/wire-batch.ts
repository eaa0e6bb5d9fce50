/**
 * Columns that cross a thread boundary as one structured-cloned object: numbers as a Float64Array
 * with a validity byte per row, strings as an array. Cloning copies a typed array as one block and
 * a string without re-encoding it, which costs less both ways than writing and reading Arrow IPC,
 * and the threads never load Arrow.
 */
export type WireColumn =
  | { readonly kind: 'f64'; readonly values: Float64Array; readonly valid: Uint8Array | null }
  | { readonly kind: 'utf8'; readonly values: readonly (string | null)[] };

export interface WireBatch {
  readonly length: number;
  readonly columns: readonly WireColumn[];
}

/** A column of JS values: strings (or NULL) for string columns, else numbers, with booleans as 1/0. */
export function wireColumn(values: readonly unknown[], isString: boolean): WireColumn {
  const n = values.length;
  if (isString) {
    const out = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      out[i] = v === null || v === undefined ? null : String(v);
    }
    return { kind: 'utf8', values: out };
  }
  const f = new Float64Array(n);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      valid ??= new Uint8Array(n).fill(1);
      valid[i] = 0;
    } else f[i] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
  }
  return { kind: 'f64', values: f, valid };
}

/** The JS value of row `i`; `bool` turns 1/0 back into true/false. */
export function wireValue(c: WireColumn, i: number, bool = false): unknown {
  if (c.kind === 'utf8') return c.values[i] ?? null;
  if (c.valid && !c.valid[i]) return null;
  return bool ? c.values[i] !== 0 : c.values[i];
}
