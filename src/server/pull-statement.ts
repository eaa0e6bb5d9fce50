import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';

/**
 * Which SQL a pull query may run, decided from DuckDB's own parse and bind rather than from the
 * text: exactly one statement, which DuckDB can serialize as a SELECT tree (json_serialize_sql
 * refuses everything else: EXPLAIN [ANALYZE], PRAGMA, SET, COPY, ATTACH, INSTALL, LOAD, CALL...)
 * and which binds as a SELECT, reading tables and only the table functions listed here (none of
 * which touch files). This is the second line: the instance the query runs on
 * (pull-query.ts) has file access, extensions and configuration changes switched off anyway.
 */

export class RefusedStatement extends Error {
  override readonly name = 'RefusedStatement';
}

const TABLE_FUNCTIONS = new Set([
  'range', 'generate_series', 'unnest',
  'duckdb_columns', 'duckdb_constraints', 'duckdb_functions', 'duckdb_indexes', 'duckdb_keywords',
  'duckdb_schemas', 'duckdb_sequences', 'duckdb_tables', 'duckdb_types', 'duckdb_views',
  'pragma_table_info',
]);

/** Table names DuckDB would read as files (its replacement scans) rather than look up. */
const FILE_LIKE = /[/\\]|\.(csv|tsv|parquet|json|jsonl|ndjson|txt)(\.gz|\.zst)?$/i;

const READ_ONLY = 'pull queries are read-only: send one SELECT (or WITH, FROM, VALUES, TABLE, SHOW, DESCRIBE, SUMMARIZE) statement';

/** The statement, prepared, when it is one that only reads; otherwise throws RefusedStatement or DuckDB's own error. */
export async function preparePullStatement(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const extracted = await conn.extractStatements(sql);
  if (extracted.count !== 1) throw new RefusedStatement(extracted.count === 0 ? 'no statement was sent' : 'send one statement at a time');
  const tree = (await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql])).getRowObjectsJS()[0]!['tree'];
  const parsed = JSON.parse(String(tree)) as { error: boolean; statements?: unknown[] };
  if (parsed.error || parsed.statements?.length !== 1) throw new RefusedStatement(READ_ONLY);
  for (const ref of tableRefs(parsed.statements[0])) {
    if (ref.type === 'TABLE_FUNCTION' && !TABLE_FUNCTIONS.has(ref.name)) {
      throw new RefusedStatement(`the table function ${ref.name} is not served to pull queries; these are: ${[...TABLE_FUNCTIONS].join(', ')}`);
    }
    if (ref.type === 'BASE_TABLE' && FILE_LIKE.test(ref.name)) throw new RefusedStatement(`pull queries read the database's tables, not files: ${ref.name}`);
  }
  const prepared = await extracted.prepare(0);
  if (prepared.statementType !== StatementType.SELECT) {
    prepared.destroySync();
    throw new RefusedStatement(READ_ONLY);
  }
  return prepared;
}

/** Every table function call and named table in a serialized statement, at any depth (subqueries, CTEs, joins). */
function tableRefs(node: unknown): { type: 'TABLE_FUNCTION' | 'BASE_TABLE'; name: string }[] {
  const found: { type: 'TABLE_FUNCTION' | 'BASE_TABLE'; name: string }[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const object = value as Record<string, unknown>;
    if (object['type'] === 'TABLE_FUNCTION') {
      const fn = object['function'] as { function_name?: unknown } | undefined;
      found.push({ type: 'TABLE_FUNCTION', name: String(fn?.function_name ?? '').toLowerCase() });
    } else if (object['type'] === 'BASE_TABLE') {
      found.push({ type: 'BASE_TABLE', name: String(object['table_name'] ?? '') });
    }
    for (const child of Object.values(object)) visit(child);
  };
  visit(node);
  return found;
}
