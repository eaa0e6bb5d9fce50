/**
 * A KDA SourceSchema applied to records, as KDA schematizes a streaming source: JSON records
 * through each column's JSONPath (a flattened array gives a row per element), CSV records split
 * by RecordRowDelimiter and RecordColumnDelimiter and read by position, values converted as the
 * SQL Developer Guide's "Mapping JSON Data Types to SQL Data Types" says. Each row becomes one
 * NDJSON line keyed by column name, which the engine's decoder reads; a record that is not JSON
 * stays as it came, so the decoder reports it to error_stream with its text.
 */

import type { ShardRecord } from '../ingest/types.js';
import { parseJsonPath, samePrefix, walk, type JsonPath } from './json-path.js';
import { parseSqlType, type ColumnSqlType } from './sql-types.js';

export interface RecordColumn {
  readonly Name: string;
  readonly Mapping?: string;
  readonly SqlType: string;
}

export interface SourceSchema {
  readonly RecordFormat: {
    readonly RecordFormatType: 'JSON' | 'CSV';
    readonly MappingParameters?: {
      readonly JSONMappingParameters?: { readonly RecordRowPath: string };
      readonly CSVMappingParameters?: { readonly RecordRowDelimiter: string; readonly RecordColumnDelimiter: string };
    };
  };
  readonly RecordEncoding?: string;
  readonly RecordColumns: readonly RecordColumn[];
}

export interface MappedColumn extends ColumnSqlType {
  readonly name: string;
}

export interface RecordMapper {
  readonly columns: readonly MappedColumn[];
  /** The rows of one record, each value converted for its column (null where nothing maps). */
  rows(text: string): unknown[][] | null;
  /** One record as NDJSON lines (its raw text when it cannot be read). */
  lines(text: string): string;
  /** A shard's records as one chunk for the engine. */
  toChunk(records: readonly ShardRecord[]): Uint8Array;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The mapper of `schema`, or a sentence saying what KDA would refuse in it. */
export function recordMapper(schema: SourceSchema): RecordMapper | string {
  const columns: MappedColumn[] = [];
  const seen = new Set<string>();
  for (const c of schema.RecordColumns) {
    if (c.Name === '' || /["\u0000-\u001f]/.test(c.Name)) return `column name ${JSON.stringify(c.Name)} is not a name an in-application stream can have`;
    if (c.Name.toUpperCase() === 'ROWTIME') return 'ROWTIME is a column of every in-application stream and cannot be mapped';
    if (seen.has(c.Name)) return `column ${c.Name} is mapped twice`;
    seen.add(c.Name);
    const type = parseSqlType(c.SqlType);
    if (typeof type === 'string') return `column ${c.Name}: ${type}`;
    columns.push({ ...type, name: c.Name });
  }
  const read = schema.RecordFormat.RecordFormatType === 'JSON' ? jsonRows(schema, columns) : csvRows(schema, columns);
  if (typeof read === 'string') return read;
  // Each row written key by key (no object per row): `{"A":1,"B":"x"}`.
  const keys = columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
  const lines = (text: string): string => {
    const rows = read(text);
    if (rows === null) return text.replace(/[\r\n]/g, ' ') + '\n';
    let out = '';
    for (const row of rows) {
      for (let i = 0; i < keys.length; i++) out += keys[i] + JSON.stringify(row[i] ?? null);
      out += '}\n';
    }
    return out;
  };
  return {
    columns,
    rows: read,
    lines,
    toChunk: (records) => {
      let text = '';
      for (const r of records) text += lines(decoder.decode(r.data));
      return encoder.encode(text);
    },
  };
}

type ReadRows = (text: string) => unknown[][] | null;

function jsonRows(schema: SourceSchema, columns: readonly MappedColumn[]): ReadRows | string {
  const rowPath = parseJsonPath(schema.RecordFormat.MappingParameters?.JSONMappingParameters?.RecordRowPath ?? '$');
  if (typeof rowPath === 'string') return `RecordRowPath: ${rowPath}`;
  // A row path ending in [0:] names the array whose elements are the rows.
  const eachRow = /\[\s*(?:0\s*:|\*)\s*\]$/.test(rowPath.text);
  const paths: JsonPath[] = [];
  for (const [i, c] of schema.RecordColumns.entries()) {
    if (c.Mapping === undefined || c.Mapping === '') return `column ${c.Name} needs a Mapping (a JSONPath such as $.${c.Name}) when the RecordFormatType is JSON`;
    const p = parseJsonPath(c.Mapping);
    if (typeof p === 'string') return `column ${columns[i]!.name}: ${p}`;
    paths.push(p);
  }
  const flattened = paths.find((p) => p.perElement);
  if (flattened && paths.some((p) => p.perElement && !samePrefix(p.prefix, flattened.prefix))) {
    return 'only one array can be flattened in a schema (its elements as rows); other arrays can be read whole with $.array[0:]';
  }
  const convert = columns.map(jsonConverter);
  const rowOf = (record: unknown, element: unknown, hasElement: boolean): unknown[] =>
    paths.map((p, i) => convert[i]!(p.perElement ? (hasElement ? walk(element, p.perElement) : undefined) : walk(record, p.prefix)));
  return (text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    const records = rowPath.perElement !== undefined ? asArray(walk(parsed, rowPath.prefix)).map((e) => walk(e, rowPath.perElement!)) : eachRow ? asArray(walk(parsed, rowPath.prefix)) : [walk(parsed, rowPath.prefix)];
    const rows: unknown[][] = [];
    for (const record of records) {
      if (!flattened) {
        rows.push(rowOf(record, undefined, false));
        continue;
      }
      // An array is always at least one row: an empty or missing one gives a row of nulls.
      const elements = asArray(walk(record, flattened.prefix));
      if (elements.length === 0) rows.push(rowOf(record, undefined, false));
      for (const e of elements) rows.push(rowOf(record, e, true));
    }
    return rows;
  };
}

function csvRows(schema: SourceSchema, columns: readonly MappedColumn[]): ReadRows | string {
  const params = schema.RecordFormat.MappingParameters?.CSVMappingParameters;
  const rowDelimiter = params?.RecordRowDelimiter ?? '\n';
  const columnDelimiter = params?.RecordColumnDelimiter ?? ',';
  const positions: number[] = [];
  for (const [i, c] of schema.RecordColumns.entries()) {
    // KDA reads CSV columns in order; a whole-number Mapping names the (zero-based) field instead.
    if (c.Mapping === undefined || c.Mapping === '') positions.push(i);
    else if (/^\d+$/.test(c.Mapping.trim())) positions.push(Number(c.Mapping.trim()));
    else return `column ${c.Name}: a CSV column's Mapping is its field position (0, 1, ...), not ${c.Mapping}`;
  }
  const convert = columns.map(textConverter);
  return (text) => {
    const rows: unknown[][] = [];
    for (const line of splitRows(text, rowDelimiter)) {
      if (line === '') continue;
      const fields = splitFields(line, columnDelimiter);
      rows.push(positions.map((p, i) => convert[i]!(fields[p])));
    }
    return rows;
  };
}

/** Rows of a CSV record: `\r\n` counts as `\n` when the delimiter is a line break. */
function splitRows(text: string, delimiter: string): string[] {
  const rows = text.split(delimiter);
  return delimiter === '\n' ? rows.map((r) => (r.endsWith('\r') ? r.slice(0, -1) : r)) : rows;
}

/** Fields of one row; a field that starts with a double quote runs to its closing quote (`""` is a quote). */
export function splitFields(row: string, delimiter: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (row[i] === '"') {
      let value = '';
      let j = i + 1;
      for (; j < row.length; j++) {
        if (row[j] !== '"') value += row[j];
        else if (row[j + 1] === '"') value += row[j++];
        else break;
      }
      const next = row.indexOf(delimiter, j);
      out.push(value);
      if (next < 0) return out;
      i = next + delimiter.length;
    } else {
      const next = row.indexOf(delimiter, i);
      if (next < 0) {
        out.push(row.slice(i));
        return out;
      }
      out.push(row.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

type Convert = (v: unknown) => unknown;

/** A JSON value for a column, by KDA's conversion rules; a value it cannot convert is left for the decoder to report. */
function jsonConverter(c: MappedColumn): Convert {
  const cut = (s: string): string => (c.length !== undefined && s.length > c.length ? s.slice(0, c.length) : s);
  switch (c.type) {
    case 'VARCHAR':
      return (v) => (v === undefined || v === null ? null : cut(typeof v === 'string' ? v : JSON.stringify(v)));
    case 'BOOLEAN':
      return (v) => (v === undefined || v === null ? null : typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : typeof v === 'string' ? v.toLowerCase() === 'true' : v);
    case 'INTEGER':
    case 'BIGINT':
    case 'DOUBLE':
    case 'DECIMAL':
      return (v) => (v === undefined || v === null ? null : typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'string' ? numberOr(v) : v);
    case 'TIMESTAMP':
      return (v) => (v === undefined ? null : v);
  }
}

/** A CSV field for a column: text, a number, or a boolean; an empty field is NULL except in a VARCHAR column. */
function textConverter(c: MappedColumn): Convert {
  const json = jsonConverter(c);
  if (c.type === 'VARCHAR') return json;
  return (v) => (v === undefined || (v as string).trim() === '' ? null : json((v as string).trim()));
}

function numberOr(s: string): unknown {
  const t = s.trim();
  const n = Number(t);
  return t !== '' && Number.isFinite(n) ? n : s;
}
