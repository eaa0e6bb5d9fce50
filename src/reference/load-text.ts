import { gunzipSync } from 'node:zlib';
import { createDecoder, type ColumnSpec, type DecodedBatch, type RecordDecoder } from '../decode/index.js';
import { ReferenceLoadError, type ReferenceColumn, type ReferenceFormat } from './reference-spec.js';

/**
 * CSV and JSON reference data typed by the declared columns with Sluice's own record decoders, so a
 * value reads the same in a reference table as in a stream. A JSON array is read as the NDJSON of
 * its elements. A gzip file (by its magic bytes, as Firehose's GZIP objects are) is unzipped first.
 * Any record that does not fit its columns fails the whole load: half a table is never served.
 */
export function rowsFromText(bytes: Uint8Array, columns: readonly ReferenceColumn[], options: { format: Exclude<ReferenceFormat, 'parquet'>; header?: boolean; delimiter?: string }, what: string): unknown[][] {
  let data = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes;
  let firstLine = 1;
  let specs: ColumnSpec[];
  if (options.format === 'json') {
    specs = columns.map((c) => ({ name: c.name, type: c.type, field: c.field ?? c.name }));
    data = jsonArrayAsLines(data, what);
  } else if (options.header) {
    const end = lineEnd(data);
    const names = splitCsvHeader(new TextDecoder().decode(data.subarray(0, end)), options.delimiter ?? ',');
    specs = columns.map((c) => {
      const position = names.indexOf(c.field ?? c.name);
      if (position < 0) throw new ReferenceLoadError(`${what}: the CSV header has no field ${JSON.stringify(c.field ?? c.name)} (it has ${names.map((n) => JSON.stringify(n)).join(', ')})`);
      return { name: c.name, type: c.type, position };
    });
    data = data.subarray(Math.min(data.length, end + 1));
    firstLine = 2;
  } else {
    specs = columns.map((c, position) => ({ name: c.name, type: c.type, position }));
  }
  const decoder = createDecoder(options.format, specs, options.delimiter ? { delimiter: options.delimiter } : {});
  const batch = decoder.decode(data);
  if (batch.errors.length > 0) {
    const shown = batch.errors.slice(0, 3).map((e) => `record ${e.record + firstLine}: ${e.message}`).join('; ');
    throw new ReferenceLoadError(`${what}: ${batch.errors.length} record(s) do not fit the declared columns (${shown})`);
  }
  return toRows(batch, decoder, columns);
}

function toRows(batch: DecodedBatch, decoder: RecordDecoder, columns: readonly ReferenceColumn[]): unknown[][] {
  const rows: unknown[][] = Array.from({ length: batch.length }, () => new Array<unknown>(columns.length));
  batch.columns.forEach((col, c) => {
    if (col.kind === 'dict') {
      const dict = decoder.dictionary(c);
      for (let i = 0; i < batch.length; i++) rows[i]![c] = col.codes[i]! < 0 ? null : dict[col.codes[i]!];
    } else {
      const bool = columns[c]!.type === 'BOOLEAN';
      for (let i = 0; i < batch.length; i++) rows[i]![c] = col.valid[i] ? (bool ? col.values[i] !== 0 : col.values[i]) : null;
    }
  });
  return rows;
}

function jsonArrayAsLines(data: Uint8Array, what: string): Uint8Array {
  let i = 0;
  while (i < data.length && (data[i] === 0x20 || data[i] === 0x09 || data[i] === 0x0a || data[i] === 0x0d)) i++;
  if (data[i] !== 0x5b) return data;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    throw new ReferenceLoadError(`${what}: not a JSON array: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ReferenceLoadError(`${what}: not a JSON array`);
  return new TextEncoder().encode(parsed.map((e) => JSON.stringify(e)).join('\n'));
}

function lineEnd(data: Uint8Array): number {
  const nl = data.indexOf(0x0a);
  return nl < 0 ? data.length : nl;
}

/** The field names of a CSV header line (quotes as RFC 4180; a trailing '\r' ignored). */
export function splitCsvHeader(line: string, delimiter: string): string[] {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const names: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) { names.push(field); field = ''; }
    else field += ch;
  }
  names.push(field);
  return names;
}
