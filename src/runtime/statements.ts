import type * as A from '../sql/ast.js';
import { sqlError, type SqlError } from '../sql/diagnostics.js';
import { Catalog, ROWTIME, type StreamDef, type WatermarkSpec } from '../planner/catalog.js';
import type { Field } from '../planner/types.js';
import { declaredFields } from '../planner/stream-columns.js';
import type { RecordFormat } from '../decode/types.js';
import { streamOptions } from './connectors.js';
import { kdaName } from '../planner/kda-names.js';
import type { Dialect } from '../planner/kda-calls.js';

/**
 * A stream declared by CREATE STREAM name (columns) WITH (...). In a KDA application unquoted
 * column names are upper-cased, and records are still read by the name as written.
 */
export function declareStream(s: A.CreateStream, catalog: Catalog, diagnostics: SqlError[], dialect: Dialect = 'flink'): StreamDef | undefined {
  const before = diagnostics.length;
  if (s.primaryKey) diagnostics.push(sqlError('SQL_UNSUPPORTED', 'PRIMARY KEY is not supported yet', s.primaryKey[0]!.span));
  const resolved = streamOptions(s, diagnostics);
  const options = resolved?.options ?? {};
  const format = (options['format'] ?? 'json').toLowerCase();
  const declared = declaredFields(s, format, diagnostics);
  // Records are read by the names as written; a KDA application upper-cases unquoted ones.
  const recordKeys = declared.map((f) => f.name);
  const identOf = (name: string) => s.columns.find((c) => c.name.name === name)?.name;
  const fields = dialect === 'kda' ? declared.map((f) => {
    const id = !f.path && !f.computed ? identOf(f.name) : undefined;
    return id ? { ...f, name: kdaName(id, true) } : f;
  }) : declared;
  let watermark: WatermarkSpec | undefined;
  if (s.watermark) watermark = watermarkOf(s.watermark, fields, diagnostics);
  if (resolved && !resolved.connector && format !== 'json' && format !== 'csv' && !(options['sink'] === 'file' && format === 'parquet')) {
    const span = s.options.find((o) => o.key === 'format')!.span;
    diagnostics.push(sqlError('SQL_BAD_OPTION', `unknown format '${format}'`, span, "use format = 'json' or format = 'csv'"));
  }
  const existing = catalog.get(s.name.name, s.name.quoted);
  if (existing && !s.orReplace) diagnostics.push(sqlError('SQL_STREAM_EXISTS', `stream ${s.name.name} already exists`, s.name.span, 'use CREATE OR REPLACE STREAM to redefine it'));
  if (diagnostics.length > before) return undefined;
  const renamed = recordKeys.some((k, i) => k !== fields[i]!.name);
  return { name: s.name.name, fields, ...(renamed ? { recordKeys } : {}), ...(watermark ? { watermark } : {}), format: (format === 'csv' ? 'csv' : 'json') as RecordFormat, options, declared: true, ...(resolved?.connector ? { connector: resolved.connector } : {}) };
}

function watermarkOf(w: A.WatermarkDef, fields: Field[], diagnostics: SqlError[]): WatermarkSpec | undefined {
  let idx = fields.findIndex((f) => f.name === w.column.name || (!w.column.quoted && f.name.toLowerCase() === w.column.name.toLowerCase()));
  if (idx < 0) {
    diagnostics.push(sqlError('SQL_UNKNOWN_COLUMN', `WATERMARK FOR unknown column ${w.column.name}`, w.column.span));
    return undefined;
  }
  if (fields[idx]!.type !== 'TIMESTAMP') {
    diagnostics.push(sqlError('SQL_TYPE', `WATERMARK column ${w.column.name} must be a TIMESTAMP`, w.column.span));
    return undefined;
  }
  // A computed column that copies another column is read as that column (see resolve-path.ts).
  const copied = fields[idx]!.computed;
  if (copied?.k === 'col') {
    if (copied.index === fields.length - 1) {
      diagnostics.push(sqlError('SQL_WATERMARK', `${w.column.name} is a processing-time column (ROWTIME): it has no watermark to declare`, w.column.span, 'windows over it close as the clock passes their end'));
      return undefined;
    }
    idx = copied.index;
  }
  const e = w.expr;
  const sameCol = (x: A.Expr) => x.kind === 'column' && x.name.name.toLowerCase() === w.column.name.toLowerCase();
  if (sameCol(e)) return { column: idx, delayMs: 0 };
  if (e.kind === 'binary' && e.op === '-' && sameCol(e.left) && e.right.kind === 'interval' && e.right.millis >= 0) return { column: idx, delayMs: e.right.millis };
  diagnostics.push(sqlError('SQL_WATERMARK', 'a WATERMARK must be the column itself or the column minus an INTERVAL', e.span, `WATERMARK FOR ${w.column.name} AS ${w.column.name} - INTERVAL '5' SECOND`));
  return undefined;
}

/** A stream created by CREATE STREAM name AS SELECT: its columns are the query's. */
export function derivedStream(name: A.Ident, fields: readonly Field[], options: readonly A.WithOption[]): StreamDef {
  const opts: Record<string, string> = {};
  for (const o of options) opts[o.key] = o.value;
  return { name: name.name, fields: [...fields, { name: ROWTIME, type: 'TIMESTAMP' }], format: 'json', options: opts, declared: true };
}

export const ERROR_STREAM = 'error_stream';

/** KDA's error stream columns. */
export function errorStreamDef(): StreamDef {
  const f = (name: string, type: Field['type']): Field => ({ name, type });
  return {
    name: ERROR_STREAM,
    fields: [f('ERROR_TIME', 'TIMESTAMP'), f('ERROR_LEVEL', 'VARCHAR'), f('ERROR_NAME', 'VARCHAR'), f('MESSAGE', 'VARCHAR'), f('DATA_ROWTIME', 'TIMESTAMP'), f('DATA_ROW', 'VARCHAR'), f('PUMP_NAME', 'VARCHAR'), f(ROWTIME, 'TIMESTAMP')],
    format: 'json',
    options: {},
    declared: true,
  };
}
