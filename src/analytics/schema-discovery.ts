/**
 * DiscoverInputSchema's inference, as KDA's discovery does it: JSON when every sampled record is
 * a JSON object (one column per leaf, Mapping its JSONPath, nested objects as `$.a.b`, arrays whole
 * as `$.a[0:]`), otherwise CSV (the row delimiter `\r\n` or `\n`, the column delimiter that splits
 * every row alike, a header row naming the columns). Types come from the engine's own sampling
 * (src/runtime/schema-inference.ts) and are written as KDA writes them: INTEGER or BIGINT, REAL,
 * BOOLEAN, TIMESTAMP, VARCHAR(n) with n the next power of two (at least 4) above the longest value.
 * Names keep the source's where KDA would (letters, digits, `_`, not a reserved word, at most 100
 * characters, not starting with a digit); the rest become COL_<name>, or COL_<position>.
 */

import type { SqlType } from '../planner/types.js';
import { csvHeader } from '../runtime/input-format.js';
import { inferSchema } from '../runtime/schema-inference.js';
import { recordMapper, splitFields, type RecordColumn, type SourceSchema } from './record-mapper.js';
import { RESERVED_WORDS } from './reserved-words.js';

export interface Discovered {
  readonly InputSchema: SourceSchema;
  readonly ParsedInputRecords: (string | null)[][];
}

const INT32 = 2 ** 31;
const DELIMITERS = [',', '\t', '|', ';'];

/**
 * The schema of `records` (each one record's text), or null when nothing can be inferred. A CSV
 * file's first row may be a header (`fileHeader`); a stream's first record is a record like the rest.
 */
export function discoverSchema(records: readonly string[], fileHeader = false): Discovered | null {
  const present = records.filter((r) => r.trim() !== '');
  if (present.length === 0) return null;
  const objects = present.map(parseObject);
  return objects.every((o) => o !== null) ? discoverJson(present, objects as Record<string, unknown>[]) : discoverCsv(present, fileHeader);
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function discoverJson(records: readonly string[], objects: readonly Record<string, unknown>[]): Discovered | null {
  const paths = new Map<string, string[]>();
  const flat = objects.map((o) => {
    const out: Record<string, unknown> = {};
    leaves(o, [], (mapping, keys, value) => {
      if (!paths.has(mapping)) paths.set(mapping, keys);
      out[mapping] = value;
    });
    return out;
  });
  if (paths.size === 0) return null;
  const fields = inferSchema(flat.map((f) => JSON.stringify(f)), 'json');
  const used = new Set<string>();
  const columns: RecordColumn[] = fields.map((f, i) => {
    const keys = paths.get(f.name)!;
    const values = flat.map((r) => r[f.name]);
    return { Name: uniqueName(keys, i, used), Mapping: f.name, SqlType: sqlTypeOf(f.type, values) };
  });
  const schema: SourceSchema = { RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } }, RecordEncoding: 'UTF-8', RecordColumns: columns };
  return { InputSchema: schema, ParsedInputRecords: parsedRows(schema, records) };
}

/** Each leaf of a JSON object with its JSONPath: objects are walked into, arrays and scalars are leaves. */
function leaves(value: Record<string, unknown>, keys: string[], visit: (mapping: string, keys: string[], value: unknown) => void): void {
  for (const [k, v] of Object.entries(value)) {
    const path = [...keys, k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) leaves(v as Record<string, unknown>, path, visit);
    else visit(jsonPathOf(path, Array.isArray(v)), path, Array.isArray(v) || (v !== null && typeof v === 'object') ? JSON.stringify(v) : v);
  }
}

function jsonPathOf(keys: readonly string[], array: boolean): string {
  return '$' + keys.map((k) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `['${k.replace(/['\\]/g, '\\$&')}']`)).join('') + (array ? '[0:]' : '');
}

function discoverCsv(records: readonly string[], fileHeader: boolean): Discovered | null {
  const rowDelimiter = records.some((r) => r.includes('\r\n')) ? '\r\n' : '\n';
  const rows = records.flatMap((r) => r.split(rowDelimiter)).filter((r) => r.trim() !== '');
  if (rows.length === 0) return null;
  const columnDelimiter = DELIMITERS.find((d) => {
    const counts = rows.map((r) => splitFields(r, d).length);
    return counts[0]! > 1 && counts.every((c) => c === counts[0]);
  }) ?? ',';
  const split = rows.map((r) => splitFields(r, columnDelimiter));
  // As comma-separated lines, the shape the engine's header check and sampling read.
  const lines = split.map((fields) => fields.map(csvField).join(','));
  const header = fileHeader ? csvHeader(lines) : null;
  const body = header ? lines.slice(1) : lines;
  const fields = inferSchema(body.length ? body : lines, 'csv');
  const width = Math.max(...split.map((f) => f.length));
  const used = new Set<string>();
  const columns: RecordColumn[] = Array.from({ length: width }, (_, i) => {
    const values = (header ? split.slice(1) : split).map((f) => f[i]);
    return { Name: uniqueName([header?.[i] ?? ''], i, used), SqlType: sqlTypeOf(fields[i]?.type ?? 'VARCHAR', values.map((v) => (v === undefined || v === '' ? null : v))) };
  });
  const schema: SourceSchema = {
    RecordFormat: { RecordFormatType: 'CSV', MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: rowDelimiter, RecordColumnDelimiter: columnDelimiter } } },
    RecordEncoding: 'UTF-8',
    RecordColumns: columns,
  };
  return { InputSchema: schema, ParsedInputRecords: parsedRows(schema, records) };
}

function csvField(f: string): string {
  return /[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f;
}

/** The KDA SqlType of a column the sampling typed `type`, from its sampled values. */
function sqlTypeOf(type: SqlType, values: readonly unknown[]): string {
  const present = values.filter((v) => v !== null && v !== undefined);
  switch (type) {
    case 'BIGINT':
    case 'INTEGER':
      return present.every((v) => Math.abs(Number(v)) < INT32) ? 'INTEGER' : 'BIGINT';
    case 'DOUBLE':
    case 'DECIMAL':
      return 'REAL';
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'TIMESTAMP':
      return 'TIMESTAMP';
    default: {
      const longest = Math.max(1, ...present.map((v) => String(v).length));
      return `VARCHAR(${Math.max(4, 2 ** Math.ceil(Math.log2(longest)))})`;
    }
  }
}

/** KDA's column name for a source field (`keys` is its path; the last key is the field's own name). */
function uniqueName(keys: readonly string[], position: number, used: Set<string>): string {
  const own = columnName(keys[keys.length - 1]!, position);
  let name = own;
  if (used.has(name) && keys.length > 1) name = columnName(keys.join('_'), position);
  for (let n = 2; used.has(name); n++) name = `${own}_${n}`;
  used.add(name);
  return name;
}

export function columnName(source: string, position: number): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(source) && source.length <= 100;
  if (plain && !RESERVED_WORDS.has(source.toUpperCase())) return source;
  const kept = source.replace(/[^A-Za-z0-9_]/g, '').slice(0, 96);
  return kept === '' ? `COL_${position}` : `COL_${kept}`;
}

/** The sampled rows as the schema reads them, values as text (not cut to VARCHAR(n)); a value its column's type cannot hold is null. */
function parsedRows(schema: SourceSchema, records: readonly string[]): (string | null)[][] {
  const uncut = schema.RecordColumns.map((c) => ({ ...c, SqlType: c.SqlType.replace(/^VARCHAR\(\d+\)$/, 'VARCHAR') }));
  const mapper = recordMapper({ ...schema, RecordColumns: uncut });
  if (typeof mapper === 'string') return [];
  const out: (string | null)[][] = [];
  for (const r of records) {
    for (const row of mapper.rows(r) ?? []) {
      out.push(row.map((v, i) => {
        const type = mapper.columns[i]!.type;
        if (v === null || v === undefined) return null;
        if (type !== 'VARCHAR' && type !== 'TIMESTAMP' && typeof v === 'string') return null;
        return typeof v === 'string' ? v : String(v);
      }));
    }
  }
  return out;
}
