import type { TypeName } from '../sql/ast.js';
import type { ColumnType } from '../decode/types.js';
import type { BoundExpr } from './bound-expr.js';

/**
 * SQL types the engine computes with. INTERVAL values are milliseconds; TIMESTAMP values epoch ms.
 * ROW is a log parser's result (KDA's REGEX_LOG_PARSE ...), read only field by field (`t.rec.COLUMN1`).
 */
export type SqlType = ColumnType | 'INTERVAL' | 'NULL' | 'ROW';

export interface Field {
  readonly name: string;
  readonly type: SqlType;
  /**
   * A leaf of a ROW column: its names from the column down (`['bid', 'price']`, named `bid.price`),
   * which is also where the decoder finds it in a nested JSON object.
   */
  readonly path?: readonly string[];
  /** A computed column (`name AS expr`): its value per row, over the stream's other fields; never decoded. */
  readonly computed?: BoundExpr;
  /** A ROW column's fields. */
  readonly row?: readonly Field[];
}

const TYPE_ALIASES: Record<string, ColumnType> = {
  VARCHAR: 'VARCHAR', CHAR: 'VARCHAR', STRING: 'VARCHAR', TEXT: 'VARCHAR', CHARACTER: 'VARCHAR',
  INTEGER: 'INTEGER', INT: 'INTEGER', SMALLINT: 'INTEGER', TINYINT: 'INTEGER',
  BIGINT: 'BIGINT', LONG: 'BIGINT',
  DOUBLE: 'DOUBLE', REAL: 'DOUBLE', FLOAT: 'DOUBLE',
  DECIMAL: 'DECIMAL', NUMERIC: 'DECIMAL', DEC: 'DECIMAL',
  BOOLEAN: 'BOOLEAN', BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP', TIMESTAMP_LTZ: 'TIMESTAMP', DATE: 'TIMESTAMP', DATETIME: 'TIMESTAMP',
};

export function columnTypeOf(t: TypeName): ColumnType | undefined {
  return TYPE_ALIASES[t.name];
}

export const KNOWN_TYPES = Object.keys(TYPE_ALIASES);

export function isNumeric(t: SqlType): boolean {
  return t === 'INTEGER' || t === 'BIGINT' || t === 'DOUBLE' || t === 'DECIMAL' || t === 'NULL';
}

export function isIntegral(t: SqlType): boolean {
  return t === 'INTEGER' || t === 'BIGINT';
}

/** The wider of two numeric types, as SQL's arithmetic promotes them. */
export function widen(a: SqlType, b: SqlType): SqlType {
  if (a === 'NULL') return b;
  if (b === 'NULL') return a;
  if (a === 'DOUBLE' || b === 'DOUBLE') return 'DOUBLE';
  if (a === 'DECIMAL' || b === 'DECIMAL') return 'DECIMAL';
  if (a === 'BIGINT' || b === 'BIGINT') return 'BIGINT';
  return 'INTEGER';
}

/** Whether values of two types can be compared with = < > and friends. */
export function comparable(a: SqlType, b: SqlType): boolean {
  if (a === 'NULL' || b === 'NULL' || a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if ((a === 'TIMESTAMP' && b === 'VARCHAR') || (a === 'VARCHAR' && b === 'TIMESTAMP')) return true;
  return false;
}
