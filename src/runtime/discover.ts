import { parseSql } from '../sql/parse.js';
import { SqlDiagnosticsError } from '../sql/diagnostics.js';
import type { Engine } from './engine.js';
import { sampleLines } from './file-replay.js';
import { inferSchema } from './schema-inference.js';
import type { Field } from '../planner/types.js';

/**
 * For inputs the application reads but does not declare (KDA's SOURCE_SQL_STREAM_001), discover
 * the schema from the file's first records and declare the stream, before the application runs.
 */
export async function declareUndeclaredInputs(engine: Engine, source: string, inputs: readonly { name: string; path: string }[], fileName?: string, rowtimeFrom?: string): Promise<{ name: string; columns: Field[] }[]> {
  const parsed = parseSql(source);
  if (parsed.diagnostics.length) throw new SqlDiagnosticsError(parsed.diagnostics, source, fileName);
  const declared = new Set(parsed.statements.flatMap((s) => (s.kind === 'create-stream' ? [s.name.name.toLowerCase()] : [])));
  const out: { name: string; columns: Field[] }[] = [];
  for (const i of inputs) {
    if (declared.has(i.name.toLowerCase()) || engine.catalog.get(i.name, false)) continue;
    const format = /\.csv$/i.test(i.path) ? 'csv' : 'json';
    // The column ROWTIME replays from is a time, even where a few sampled values are not.
    const columns = inferSchema(await sampleLines(i.path), format).map((c) =>
      rowtimeFrom !== undefined && c.type === 'VARCHAR' && c.name.toLowerCase() === rowtimeFrom.toLowerCase() ? { ...c, type: 'TIMESTAMP' as const } : c);
    if (columns.length === 0) throw new Error(`cannot discover a schema for ${i.name}: ${i.path} has no records`);
    engine.declareSource(i.name, columns, format);
    out.push({ name: i.name, columns });
  }
  return out;
}
