/**
 * The SQL an application runs as, around its own code: a preamble declaring the in-application
 * input streams (NamePrefix_001 ...) from the input schemas and the reference tables, and after
 * the code, per output, a stream that delivers to the Kinesis stream or Firehose delivery stream
 * with a pump from the in-application stream it names. Also the check of the code alone, which
 * CreateApplication, UpdateApplication and AddApplicationInput answer with CodeValidationException.
 */

import { createHash } from 'node:crypto';
import { ApiError } from '../ingest/api/index.js';
import type { LogStore } from '../ingest/index.js';
import { userFields, type StreamDef } from '../planner/catalog.js';
import { Engine } from '../runtime/engine.js';
import { parseSql } from '../sql/parse.js';
import { renderDiagnostics, SqlDiagnosticsError, type Position, type SqlError } from '../sql/diagnostics.js';
import { inAppStreamNames, type ApplicationRecord, type OutputConfig } from './application.js';
import { recordMapper, type MappedColumn, type SourceSchema } from './record-mapper.js';
import { columnDeclaration, quoteIdent, quoteString } from './sql-types.js';

export const CODE_FILE = 'application code';

export function codeValidation(message: string): ApiError {
  return new ApiError('CodeValidationException', message);
}

function columnsOf(schema: SourceSchema): readonly MappedColumn[] {
  const mapper = recordMapper(schema);
  if (typeof mapper === 'string') throw new Error(mapper);
  return mapper.columns;
}

/** CREATE STREAM for each in-application input stream and reference table (KDA quotes their names). */
export function preambleOf(app: Pick<ApplicationRecord, 'inputs' | 'references'>): string {
  const declare = (name: string, columns: readonly MappedColumn[]) => `CREATE STREAM ${quoteIdent(name)} (${columns.map((c) => columnDeclaration(c.name, c.type)).join(', ')});\n`;
  let sql = '';
  for (const input of app.inputs) for (const name of inAppStreamNames(input)) sql += declare(name, columnsOf(input.schema));
  for (const r of app.references) sql += declare(r.tableName, columnsOf(r.schema));
  return sql;
}

/** The stream an output delivers through, named so that no application code can declare it by chance. */
export function outputStreamName(o: OutputConfig): string {
  return `SLUICE$OUTPUT_${o.id}`;
}

/** The delivering stream and pump of one output, whose in-application stream is `def`. */
export function outputSql(o: OutputConfig, def: StreamDef): string {
  const columns = userFields(def).map((f) => columnDeclaration(f.name, f.type === 'INTERVAL' ? 'BIGINT' : f.type === 'NULL' || f.type === 'ROW' ? 'VARCHAR' : f.type));
  const format = quoteString(o.format === 'CSV' ? 'csv' : 'json');
  const sink = o.kind === 'kinesis' ? `sink = 'kinesis', stream = ${quoteString(o.target)}` : `sink = 'firehose', delivery_stream = ${quoteString(o.target)}`;
  const stream = quoteIdent(outputStreamName(o));
  return (
    `CREATE STREAM ${stream} (${columns.join(', ')}) WITH (${sink}, format = ${format});\n` +
    `CREATE PUMP ${quoteIdent(`SLUICE$OUTPUT_PUMP_${o.id}`)} AS INSERT INTO ${stream} SELECT STREAM * FROM ${quoteIdent(def.name)};\n`
  );
}

/**
 * A digest of what the application's query state depends on: a checkpoint's state is kept only for
 * the same digest. Outputs are not part of it: their pumps hold no state.
 */
export function scriptDigest(app: ApplicationRecord): string {
  return createHash('sha256').update(JSON.stringify([preambleOf(app), app.code])).digest('hex').slice(0, 16);
}

/**
 * A statement that always fails to bind (ROWTIME cannot be declared), put before the code when it
 * is checked: once a statement fails, the engine binds the rest against a scratch copy of its
 * catalog and starts nothing, so checking opens no sink and reads no source.
 */
const GUARD = 'CREATE STREAM "SLUICE$CHECK" ("ROWTIME" TIMESTAMP);\n';

/**
 * Parses the code and binds it against the application's input streams and reference tables.
 * Without an input there is nothing to bind against yet: the code is only parsed (AddApplicationInput checks it again).
 */
export async function checkCode(app: Pick<ApplicationRecord, 'code' | 'inputs' | 'references'>, log: LogStore): Promise<void> {
  const parsed = parseSql(app.code);
  if (parsed.diagnostics.length) throw codeValidation(renderDiagnostics(parsed.diagnostics, app.code, CODE_FILE));
  const fn = parsed.statements.find((s) => s.kind === 'create-function');
  if (fn) {
    const at = `${CODE_FILE}:${fn.span.start.line}:${fn.span.start.column}`;
    throw codeValidation(`${at}: CREATE FUNCTION is not allowed in an application deployed through the Kinesis Analytics API: it would run JavaScript modules from this machine's disk. Run such applications with sluice start --app.`);
  }
  if (app.inputs.length === 0) return;
  const engine = new Engine({ log });
  try {
    engine.execute(preambleOf(app), 'inputs');
    try {
      engine.execute(GUARD + app.code, CODE_FILE);
    } catch (e) {
      if (!(e instanceof SqlDiagnosticsError)) throw e;
      const own = e.diagnostics.filter((d) => d.span.start.offset >= GUARD.length).map(unguarded);
      if (own.length) throw codeValidation(renderDiagnostics(own, app.code, CODE_FILE));
    }
  } finally {
    await engine.close();
  }
}

function unguarded(d: SqlError): SqlError {
  const shift = (p: Position): Position => ({ line: p.line - 1, column: p.column, offset: p.offset - GUARD.length });
  return { ...d, span: { start: shift(d.span.start), end: shift(d.span.end) } };
}
