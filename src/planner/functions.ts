import type { SqlType } from './types.js';
import { isNumeric, isIntegral, widen } from './types.js';

/** Result type of a scalar function for the given argument types, or an error message. */
export type Signature = (args: readonly SqlType[]) => SqlType | string;

const str: Signature = (a) => (a.length === 1 && (a[0] === 'VARCHAR' || a[0] === 'NULL') ? 'VARCHAR' : 'takes one string');
const num1: Signature = (a) => (a.length === 1 && isNumeric(a[0]!) ? a[0]! : 'takes one number');

export const SCALAR_FUNCTIONS: Record<string, Signature> = {
  LOWER: str,
  UPPER: str,
  LTRIM: str,
  RTRIM: str,
  INITCAP: str,
  CHAR_LENGTH: (a) => (a.length === 1 && (a[0] === 'VARCHAR' || a[0] === 'NULL') ? 'INTEGER' : 'takes one string'),
  SUBSTRING: (a) => (a.length >= 2 && a.length <= 3 && (a[0] === 'VARCHAR' || a[0] === 'NULL') && a.slice(1).every(isNumeric) ? 'VARCHAR' : 'takes (string, start [, length])'),
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
};

export const FUNCTION_ALIASES: Record<string, string> = {
  CHARACTER_LENGTH: 'CHAR_LENGTH',
  LENGTH: 'CHAR_LENGTH',
  CEILING: 'CEIL',
  SUBSTR: 'SUBSTRING',
  POW: 'POWER',
};

export const AGGREGATE_FUNCTIONS = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX']);
