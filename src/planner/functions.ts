import type { SqlType } from './types.js';
import { isNumeric, isIntegral, widen } from './types.js';
import { KDA_FUNCTIONS, KDA_CLOCKS } from './kda-functions.js';

/** Result type of a scalar function for the given argument types, or an error message. */
export type Signature = (args: readonly SqlType[]) => SqlType | string;

const str: Signature = (a) => (a.length === 1 && (a[0] === 'VARCHAR' || a[0] === 'NULL') ? 'VARCHAR' : 'takes one string');
const num1: Signature = (a) => (a.length === 1 && isNumeric(a[0]!) ? a[0]! : 'takes one number');

type Check = (t: SqlType) => boolean;
const isStr: Check = (t) => t === 'VARCHAR' || t === 'NULL';
const isTs: Check = (t) => t === 'TIMESTAMP' || t === 'NULL';
const isInt: Check = (t) => isIntegral(t) || t === 'NULL';
const isBool: Check = (t) => t === 'BOOLEAN' || t === 'NULL';
const got = (a: readonly SqlType[]) => `got (${a.join(', ')})`;

/** A signature from the argument lists it accepts (one check per argument) and its result type. */
function sig(usage: string, forms: readonly (readonly Check[])[], result: SqlType): Signature {
  return (a) => (forms.some((f) => f.length === a.length && f.every((ok, i) => ok(a[i]!))) ? result : `takes ${usage}, ${got(a)}`);
}

/** The one type of values that must agree (IF's branches, IFNULL's arguments); numbers widen. */
function commonType(a: readonly SqlType[]): SqlType | string {
  const t = a.find((x) => x !== 'NULL') ?? 'NULL';
  if (a.every((x) => x === 'NULL' || x === t)) return t;
  if (a.every(isNumeric)) return a.reduce(widen);
  return `needs values of one type, ${got(a)}`;
}

const field = sig('(TIMESTAMP)', [[isTs]], 'BIGINT');
const now = sig('no arguments', [[]], 'TIMESTAMP');
const hash = sig('(VARCHAR)', [[isStr]], 'VARCHAR');

export const SCALAR_FUNCTIONS: Record<string, Signature> = {
  LOWER: str,
  UPPER: str,
  LTRIM: str,
  RTRIM: str,
  INITCAP: str,
  CHAR_LENGTH: (a) => (a.length === 1 && (a[0] === 'VARCHAR' || a[0] === 'NULL') ? 'INTEGER' : 'takes one string'),
  SUBSTRING: (a) => (a.length >= 2 && a.length <= 3 && (a[0] === 'VARCHAR' || a[0] === 'NULL') && (a.slice(1).every(isNumeric) || (a.length === 2 && a[1] === 'VARCHAR')) ? 'VARCHAR' : 'takes (string, start [, length]) or (string FROM regex VARCHAR)'),
  COALESCE: (a) => {
    if (a.length === 0) return 'takes at least one argument';
    const t = a.find((x) => x !== 'NULL') ?? 'NULL';
    if (a.every((x) => x === 'NULL' || x === t)) return t;
    if (a.every(isNumeric)) return a.reduce(widen);
    return 'arguments must have one type';
  },
  NULLIF: (a) => (a.length === 2 ? a[0]! : 'takes two arguments'),
  ABS: num1,
  FLOOR: (a) => (a.length === 1 && isNumeric(a[0]!) ? (isIntegral(a[0]!) ? a[0]! : 'DOUBLE') : 'takes one number'),
  CEIL: (a) => (a.length === 1 && isNumeric(a[0]!) ? (isIntegral(a[0]!) ? a[0]! : 'DOUBLE') : 'takes one number'),
  ROUND: (a) => (a.length >= 1 && a.length <= 2 && a.every(isNumeric) ? (isIntegral(a[0]!) ? a[0]! : 'DOUBLE') : 'takes (number [, digits])'),
  MOD: (a) => (a.length === 2 && a.every(isNumeric) ? widen(a[0]!, a[1]!) : 'takes two numbers'),
  POWER: (a) => (a.length === 2 && a.every(isNumeric) ? 'DOUBLE' : 'takes two numbers'),
  SQRT: (a) => (a.length === 1 && isNumeric(a[0]!) ? 'DOUBLE' : 'takes one number'),
  CONCAT: (a) => (a.length >= 1 ? 'VARCHAR' : 'takes at least one argument'),
  CONCAT_WS: (a) => (a.length >= 1 && isStr(a[0]!) ? 'VARCHAR' : `takes (separator VARCHAR, value, ...), ${got(a)}`),
  LEFT: sig('(VARCHAR, INTEGER)', [[isStr, isInt]], 'VARCHAR'),
  RIGHT: sig('(VARCHAR, INTEGER)', [[isStr, isInt]], 'VARCHAR'),
  REPEAT: sig('(VARCHAR, INTEGER)', [[isStr, isInt]], 'VARCHAR'),
  REPLACE: sig('(VARCHAR, search VARCHAR, replacement VARCHAR)', [[isStr, isStr, isStr]], 'VARCHAR'),
  LPAD: sig('(VARCHAR, length INTEGER, pad VARCHAR)', [[isStr, isInt, isStr]], 'VARCHAR'),
  RPAD: sig('(VARCHAR, length INTEGER, pad VARCHAR)', [[isStr, isInt, isStr]], 'VARCHAR'),
  REVERSE: sig('(VARCHAR)', [[isStr]], 'VARCHAR'),
  INSTR: sig('(VARCHAR, search VARCHAR)', [[isStr, isStr]], 'INTEGER'),
  SPLIT_INDEX: sig('(VARCHAR, separator VARCHAR, zero-based index INTEGER)', [[isStr, isStr, isInt]], 'VARCHAR'),
  REGEXP: sig('(VARCHAR, regex VARCHAR)', [[isStr, isStr]], 'BOOLEAN'),
  REGEXP_EXTRACT: sig('(VARCHAR, regex VARCHAR [, group INTEGER])', [[isStr, isStr], [isStr, isStr, isInt]], 'VARCHAR'),
  REGEXP_REPLACE: sig('(VARCHAR, regex VARCHAR, replacement VARCHAR)', [[isStr, isStr, isStr]], 'VARCHAR'),
  MD5: hash,
  SHA1: hash,
  SHA256: hash,
  UUID: sig('no arguments', [[]], 'VARCHAR'),
  IF: (a) => (a.length === 3 && isBool(a[0]!) ? commonType(a.slice(1)) : `takes (BOOLEAN condition, value if true, value otherwise), ${got(a)}`),
  IFNULL: (a) => (a.length === 2 ? commonType(a) : `takes (value, replacement), ${got(a)}`),
  YEAR: field,
  QUARTER: field,
  MONTH: field,
  WEEK: field,
  DAYOFYEAR: field,
  DAYOFMONTH: field,
  DAYOFWEEK: field,
  HOUR: field,
  MINUTE: field,
  SECOND: field,
  DATE_FORMAT: sig('(TIMESTAMP or VARCHAR, pattern VARCHAR)', [[isTs, isStr], [isStr, isStr]], 'VARCHAR'),
  TO_TIMESTAMP: sig('(VARCHAR [, pattern VARCHAR]) or (epoch milliseconds BIGINT)', [[isStr], [isStr, isStr], [isInt]], 'TIMESTAMP'),
  UNIX_TIMESTAMP: sig('no arguments, (VARCHAR [, pattern VARCHAR]) or (TIMESTAMP)', [[], [isStr], [isStr, isStr], [isTs]], 'BIGINT'),
  FROM_UNIXTIME: sig('(seconds BIGINT [, pattern VARCHAR])', [[isNumeric], [isNumeric, isStr]], 'VARCHAR'),
  CURRENT_TIMESTAMP: now,
  LOCALTIMESTAMP: now,
  NOW: now,
  TIMESTAMPADD: sig('(unit, INTEGER, TIMESTAMP)', [[isStr, isInt, isTs]], 'TIMESTAMP'),
  TIMESTAMPDIFF: sig('(unit, TIMESTAMP, TIMESTAMP)', [[isStr, isTs, isTs]], 'INTEGER'),
  ...KDA_FUNCTIONS,
};

/** Functions whose value changes from call to call (UNIX_TIMESTAMP() too, without arguments). */
export const NONDETERMINISTIC_FUNCTIONS: ReadonlySet<string> = new Set(['CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'NOW', 'UUID', ...KDA_CLOCKS]);

/** Functions SQL writes without parentheses, which therefore parse as column names. */
export const BARE_FUNCTIONS: ReadonlySet<string> = new Set(['CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', ...KDA_CLOCKS]);

/** Functions whose first argument is a time unit written as a word (TIMESTAMPADD(HOUR, 1, ts)). */
export const UNIT_FUNCTIONS: ReadonlySet<string> = new Set(['TIMESTAMPADD', 'TIMESTAMPDIFF']);

export const FUNCTION_ALIASES: Record<string, string> = {
  CHARACTER_LENGTH: 'CHAR_LENGTH',
  LENGTH: 'CHAR_LENGTH',
  CEILING: 'CEIL',
  SUBSTR: 'SUBSTRING',
  POW: 'POWER',
  STDDEV: 'STDDEV_SAMP',
  VARIANCE: 'VAR_SAMP',
};

export const AGGREGATE_FUNCTIONS = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'VAR_POP', 'VAR_SAMP', 'STDDEV_POP', 'STDDEV_SAMP', 'EXP_AVG', 'FIRST_VALUE', 'LAST_VALUE']);
