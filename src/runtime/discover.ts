import { parseSql } from '../sql/parse.js';
import { SqlDiagnosticsError } from '../sql/diagnostics.js';
import type { Engine } from './engine.js';
import { sampleLines } from './file-replay.js';
import { inferSchema } from './schema-inference.js';
import { csvHeader, formatFromName } from './input-format.js';
import type { Field } from '../planner/types.js';
import type { RecordFormat } from '../decode/types.js';

export interface InputToDiscover {
  readonly name: string;
  readonly path: string;
  /** Default: from the file name (CSV for `.csv`), else JSON. */
  readonly format?: RecordFormat;
  /** The input's first records; default: the file's first 1,000 lines. */
  readonly sample?: readonly string[];
}

export interface DiscoveredInput {
  readonly name: string;
  readonly columns: Field[];
  readonly format: RecordFormat;
  /** The CSV header row the column names came from (it is not a record). */
  readonly header: string[] | null;
}

/** The names of the streams a script declares with CREATE STREAM, lower-cased. */
export function declaredStreams(source: string, fileName?: string): Set<string> {
  const parsed = parseSql(source);
  if (parsed.diagnostics.length) throw new SqlDiagnosticsError(parsed.diagnostics, source, fileName);
  return new Set(parsed.statements.flatMap((s) => (s.kind === 'create-stream' ? [s.name.name.toLowerCase()] : [])));
}

/**
 * For inputs the application reads but does not declare (KDA's SOURCE_SQL_STREAM_001), discover
 * the schema from the input's first records and declare the stream, before the application runs.
 * A CSV input's header row names its columns; without one they are COL_0, COL_1, ...
 */
export async function declareUndeclaredInputs(engine: Engine, source: string, inputs: readonly InputToDiscover[], fileName?: string, rowtimeFrom?: string): Promise<DiscoveredInput[]> {
  const declared = declaredStreams(source, fileName);
  const out: DiscoveredInput[] = [];
  for (const i of inputs) {
    if (declared.has(i.name.toLowerCase()) || engine.catalog.get(i.name, false)) continue;
    const format = i.format ?? formatFromName(i.path) ?? 'json';
    const sample = i.sample ?? (await sampleLines(i.path));
    const header = format === 'csv' ? csvHeader(sample) : null;
    const inferred = inferSchema(header ? sample.slice(1) : sample, format);
    const named = header ? header.map((name, c) => ({ name, type: inferred[c]?.type ?? 'VARCHAR' as const })) : inferred;
    // The column ROWTIME replays from is a time, even where a few sampled values are not.
    const columns = named.map((c) =>
      rowtimeFrom !== undefined && c.type === 'VARCHAR' && c.name.toLowerCase() === rowtimeFrom.toLowerCase() ? { ...c, type: 'TIMESTAMP' as const } : c);
    if (columns.length === 0) throw new Error(`cannot discover a schema for ${i.name}: ${i.path} has no records`);
    engine.declareSource(i.name, columns, format);
    out.push({ name: i.name, columns, format, header });
  }
  return out;
}
