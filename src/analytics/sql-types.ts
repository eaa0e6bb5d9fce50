/**
 * A RecordColumn's SqlType (`VARCHAR(16)`, `DECIMAL(5,2)`, `TINYINT`, `REAL`...) read as KDA
 * reads it: the engine type the in-application column is declared with, and what the record
 * mapping needs to convert a value the way KDA does (VARCHAR(n) truncated to n characters).
 */

import type { ColumnType } from '../decode/types.js';

export interface ColumnSqlType {
  /** The engine's type of the in-application column. */
  readonly type: ColumnType;
  /** VARCHAR(n) and CHAR(n): longer values are cut to n characters, as KDA does, silently. */
  readonly length?: number;
  /** The SqlType as given, for DescribeApplication. */
  readonly text: string;
}

const TYPES: Readonly<Record<string, ColumnType>> = {
  VARCHAR: 'VARCHAR', CHAR: 'VARCHAR', CHARACTER: 'VARCHAR',
  TINYINT: 'INTEGER', SMALLINT: 'INTEGER', INTEGER: 'INTEGER', INT: 'INTEGER',
  BIGINT: 'BIGINT',
  REAL: 'DOUBLE', DOUBLE: 'DOUBLE', FLOAT: 'DOUBLE',
  DECIMAL: 'DECIMAL', NUMERIC: 'DECIMAL',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP', DATE: 'TIMESTAMP',
};

/** KDA's types the engine has no column type for. */
const UNSUPPORTED = ['TIME', 'BINARY', 'VARBINARY'];

const SHAPE = /^\s*([A-Za-z]+)(?:\s+PRECISION)?\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/i;

/** The column type of `sqlType`, or a sentence saying why Sluice cannot declare it. */
export function parseSqlType(sqlType: string): ColumnSqlType | string {
  const m = SHAPE.exec(sqlType);
  const name = m?.[1]!.toUpperCase();
  if (!m || name === undefined) return `SqlType ${sqlType} is not a SQL type (e.g. VARCHAR(16), INTEGER, DOUBLE, DECIMAL(5,2), BOOLEAN, TIMESTAMP)`;
  if (UNSUPPORTED.includes(name)) return `SqlType ${sqlType} is not supported by Sluice (it has no ${name} column type); use VARCHAR(n) and convert it in the application code`;
  const type = TYPES[name];
  if (!type) return `SqlType ${sqlType} is not a type KDA declares (VARCHAR, CHAR, TINYINT, SMALLINT, INTEGER, BIGINT, REAL, DOUBLE, DECIMAL, BOOLEAN, TIMESTAMP, DATE)`;
  const length = m[2] !== undefined ? Number(m[2]) : undefined;
  if (type === 'VARCHAR' && length === 0) return `SqlType ${sqlType} has no room for a character`;
  return { type, text: sqlType, ...(type === 'VARCHAR' && length !== undefined ? { length } : {}) };
}

/** The declaration of a column in generated SQL: the quoted name and the engine's type. */
export function columnDeclaration(name: string, type: ColumnType): string {
  return `${quoteIdent(name)} ${type}`;
}

/** A name as a quoted SQL identifier: KDA quotes the identifiers of the streams it creates, so their case is kept. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal. */
export function quoteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
