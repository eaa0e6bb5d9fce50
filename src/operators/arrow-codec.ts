import { makeData, makeVector, vectorFromArray, Table, tableToIPC, tableFromIPC, Float64, Utf8, type Vector as ArrowVector } from 'apache-arrow';

/**
 * Columns that cross a thread boundary travel as one Arrow IPC buffer (transferred, not cloned):
 * Float64 columns keep their typed arrays and a validity bitmap, strings are Utf8.
 */
export type WireColumn =
  | { readonly name: string; readonly kind: 'f64'; readonly values: Float64Array; readonly valid?: Uint8Array | null }
  | { readonly name: string; readonly kind: 'utf8'; readonly values: readonly (string | null)[] };

function bitmapOf(valid: Uint8Array): Uint8Array {
  const bits = new Uint8Array((valid.length + 7) >> 3);
  // for (i) if (valid[i]) setBit(bits, i)
  for (let i = 0; i < valid.length; i++) if (valid[i]) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

export function encodeColumns(columns: readonly WireColumn[], length: number): Uint8Array {
  const vectors: Record<string, ArrowVector> = {};
  for (const c of columns) {
    if (c.kind === 'f64') {
      const data = c.valid
        ? makeData({ type: new Float64(), length, data: c.values.subarray(0, length), nullBitmap: bitmapOf(c.valid.subarray(0, length)) })
        : makeData({ type: new Float64(), length, data: c.values.subarray(0, length) });
      vectors[c.name] = makeVector(data);
    } else {
      vectors[c.name] = vectorFromArray(c.values.slice(0, length) as (string | null)[], new Utf8());
    }
  }
  if (columns.length === 0) return new Uint8Array(0);
  return tableToIPC(new Table(vectors), 'stream');
}

export interface DecodedColumns {
  readonly length: number;
  readonly columns: ReadonlyMap<string, WireColumn>;
}

export function decodeColumns(bytes: Uint8Array): DecodedColumns {
  if (bytes.byteLength === 0) return { length: 0, columns: new Map() };
  const table = tableFromIPC(bytes);
  const columns = new Map<string, WireColumn>();
  for (const field of table.schema.fields) {
    const vec = table.getChild(field.name)!;
    if (field.type instanceof Float64 || String(field.type) === 'Float64') {
      const values = new Float64Array(table.numRows);
      const valid = new Uint8Array(table.numRows);
      let row = 0;
      for (const data of vec.data) {
        const src = data.values as Float64Array;
        values.set(src.subarray(0, data.length), row);
        for (let i = 0; i < data.length; i++) valid[row + i] = data.getValid(i) ? 1 : 0;
        row += data.length;
      }
      columns.set(field.name, { name: field.name, kind: 'f64', values, valid });
    } else {
      columns.set(field.name, { name: field.name, kind: 'utf8', values: vec.toArray() as (string | null)[] });
    }
  }
  return { length: table.numRows, columns };
}
