import type { SqlType } from './types.js';
import { isIntegral, isNumeric } from './types.js';
import type { Signature } from './functions.js';

/** Kinesis Data Analytics' scalar functions that Flink has not (their kernels: kda-time-functions.ts, kda-string-functions.ts). */

type Check = (t: SqlType) => boolean;
const isStr: Check = (t) => t === 'VARCHAR' || t === 'NULL';
const isTs: Check = (t) => t === 'TIMESTAMP' || t === 'NULL';
const isInt: Check = (t) => isIntegral(t) || t === 'NULL';
const isTime: Check = (t) => t === 'TIMESTAMP' || isIntegral(t) || t === 'NULL';

function sig(usage: string, forms: readonly (readonly Check[])[], result: SqlType): Signature {
  return (a) => (forms.some((f) => f.length === a.length && f.every((ok, i) => ok(a[i]!))) ? result : `takes ${usage}, got (${a.join(', ')})`);
}

const parse = sig('(format VARCHAR, VARCHAR)', [[isStr, isStr]], 'TIMESTAMP');
const format = sig('(format VARCHAR, TIMESTAMP)', [[isStr, isTs]], 'VARCHAR');
const clock = sig('no arguments', [[]], 'TIMESTAMP');
const math = sig('(number)', [[isNumeric]], 'DOUBLE');

export const KDA_FUNCTIONS: Record<string, Signature> = {
  CHAR_TO_TIMESTAMP: parse,
  CHAR_TO_DATE: parse,
  CHAR_TO_TIME: parse,
  TIMESTAMP_TO_CHAR: format,
  DATE_TO_CHAR: format,
  TIME_TO_CHAR: format,
  TSDIFF: sig('(start TIMESTAMP or BIGINT, end TIMESTAMP or BIGINT)', [[isTime, isTime]], 'BIGINT'),
  CURRENT_ROW_TIMESTAMP: clock,
  CURRENT_DATE: clock,
  CURRENT_TIME: clock,
  LOCALTIME: clock,
  EXP: math,
  LN: math,
  LOG10: math,
  REGEX_REPLACE: sig('(VARCHAR, regex VARCHAR, replacement VARCHAR, start INTEGER, occurrence INTEGER)', [[isStr, isStr, isStr, isInt, isInt]], 'VARCHAR'),
  OVERLAY: sig('(VARCHAR PLACING VARCHAR FROM start [FOR length])', [[isStr, isStr, isInt], [isStr, isStr, isInt, isInt]], 'VARCHAR'),
};

/** KDA's clock functions: CURRENT_ROW_TIMESTAMP is read per row; the rest, in a KDA application, when the query starts. */
export const KDA_CLOCKS: ReadonlySet<string> = new Set(['CURRENT_ROW_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME']);
