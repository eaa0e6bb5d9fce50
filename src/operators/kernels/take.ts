import type { ColumnBatch, Vector } from '../column-batch.js';

/** Gathers rows by index into a new batch (a row may repeat, as hop windows repeat rows). */
export function take(batch: ColumnBatch, indices: Int32Array | readonly number[]): ColumnBatch {
  const n = indices.length;
  const columns = batch.columns.map((v): Vector => {
    switch (v.kind) {
      case 'f64': {
        const values = new Float64Array(n);
        const valid = v.valid ? new Uint8Array(n) : null;
        // for each i: values[i] = v.values[indices[i]]
        for (let i = 0; i < n; i++) {
          const j = indices[i]!;
          values[i] = v.values[j]!;
          if (valid) valid[i] = v.valid![j]!;
        }
        return { kind: 'f64', values, valid };
      }
      case 'dict': {
        const codes = new Int32Array(n);
        for (let i = 0; i < n; i++) codes[i] = v.codes[indices[i]!]!;
        return { kind: 'dict', codes, dict: v.dict };
      }
      case 'js': {
        const values = new Array<unknown>(n);
        for (let i = 0; i < n; i++) values[i] = v.values[indices[i]!];
        return { kind: 'js', values };
      }
    }
  });
  return { length: n, columns };
}
