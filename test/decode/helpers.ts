import type { DecodedBatch, RecordDecoder } from '../../src/decode/types.js';

/** NDJSON/CSV bytes of `lines`, as a plain Uint8Array (not a Buffer) like a reader might pass. */
export function encodeLines(lines: readonly string[], separator = '\n'): Uint8Array {
  return new TextEncoder().encode(lines.map((l) => l + separator).join(''));
}

/** Column `c` of a batch as plain JS values: numbers, strings, or null. */
export function columnValues(batch: DecodedBatch, decoder: RecordDecoder, c: number): Array<number | string | null> {
  const column = batch.columns[c]!;
  if (column.kind === 'dict') {
    const dict = decoder.dictionary(c);
    return Array.from(column.codes, (code) => (code < 0 ? null : dict[code]!));
  }
  return Array.from(column.values, (v, i) => (column.valid[i] ? v : null));
}

/** All columns of a batch as rows, for compact assertions. */
export function rows(batch: DecodedBatch, decoder: RecordDecoder): Array<Array<number | string | null>> {
  const cols = batch.columns.map((_, c) => columnValues(batch, decoder, c));
  return Array.from({ length: batch.length }, (_, r) => cols.map((col) => col[r]!));
}

/** One-line decode of `lines` through a fresh call, returning rows and errors. */
export function decodeLines(decoder: RecordDecoder, lines: readonly string[]): { rows: ReturnType<typeof rows>; batch: DecodedBatch } {
  const batch = decoder.decode(encodeLines(lines));
  return { rows: rows(batch, decoder), batch };
}
