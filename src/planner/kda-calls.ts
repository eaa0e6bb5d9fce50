import type * as A from '../sql/ast.js';
import { call, lit, type BoundExpr } from './bound-expr.js';
import { isNumeric, isIntegral, type SqlType } from './types.js';
import { datePattern, DatePatternError } from '../operators/kernels/date-pattern.js';
import { javaRegExp, JavaRegexError } from '../operators/kernels/java-regex.js';
import { similarRegExp, substringSimilar, SimilarPatternError } from '../operators/kernels/kda-string-functions.js';
import { INTERVAL_FIELDS } from '../operators/kernels/kda-time-functions.js';

/**
 * Binding rules of Kinesis Data Analytics SQL that depend on the application's dialect or on the
 * arguments' types: the clock functions, INITCAP, SUBSTRING by regex, STEP over numbers and
 * calendar intervals, interval-qualified differences and their casts, SIMILAR TO.
 */

/** How an application is written: `kda` (pumps, SELECT STREAM) or `flink`. */
export type Dialect = 'kda' | 'flink';

export interface BindOptions {
  readonly dialect?: Dialect;
  /** When the query starts: what KDA's CURRENT_TIMESTAMP, LOCALTIMESTAMP and CURRENT_DATE read. */
  readonly startedAt?: number;
}

const DAY = 86_400_000;
const CLOCKS_AT_START = new Set(['CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME']);

/** A bound call as the dialect means it; undefined when it binds as written. */
export function dialectCall(name: string, args: readonly BoundExpr[], opts: BindOptions): BoundExpr | undefined {
  const kda = opts.dialect === 'kda';
  if (name === 'SUBSTRING' && args.length === 2 && args[1]!.type === 'VARCHAR') return call('SUBSTRING_REGEX', args, 'VARCHAR');
  if (name === 'INITCAP' && kda) return call('INITCAP_WORDS', args, 'VARCHAR');
  if (kda && args.length === 0 && CLOCKS_AT_START.has(name)) {
    // KDA puts the time the query is first run into every row: "LOCALTIMESTAMP ... puts into all output rows the time the query is first run".
    const now = opts.startedAt ?? Date.now();
    const t = name === 'CURRENT_DATE' ? now - (now % DAY) : name === 'CURRENT_TIME' || name === 'LOCALTIME' ? now % DAY : now;
    return lit(t, 'TIMESTAMP');
  }
  return undefined;
}

const FORMAT_FIRST = new Set(['CHAR_TO_TIMESTAMP', 'CHAR_TO_DATE', 'CHAR_TO_TIME', 'TIMESTAMP_TO_CHAR', 'DATE_TO_CHAR', 'TIME_TO_CHAR']);

/** A literal format or regular expression of a KDA function that cannot work: [argument index, message, hint]. */
export function kdaLiteralProblem(name: string, args: readonly BoundExpr[]): [number, string, string] | undefined {
  const at = FORMAT_FIRST.has(name) ? 0 : name === 'REGEX_REPLACE' || name === 'SUBSTRING' ? 1 : -1;
  const p = args[at];
  if (!p || p.k !== 'lit' || typeof p.value !== 'string') return undefined;
  try {
    if (at === 0) datePattern(p.value, 'simple');
    else if (name === 'REGEX_REPLACE' || p.type === 'VARCHAR') javaRegExp(p.value, name === 'REGEX_REPLACE');
  } catch (e) {
    if (e instanceof DatePatternError) return [0, `${name}: invalid format: ${e.message}`, "formats are Java's SimpleDateFormat patterns: 'yyyy-MM-dd HH:mm:ss'"];
    if (e instanceof JavaRegexError) return [1, `${name}: invalid regular expression '${p.value}': ${e.message}`, 'patterns are Java regular expressions'];
    throw e;
  }
  return undefined;
}

/** Months of a YEAR, MONTH or YEAR TO MONTH interval literal ('1-6' YEAR TO MONTH is 18); undefined for other units. */
export function intervalMonths(e: A.IntervalLit): number | undefined {
  if (e.unit !== 'YEAR' && e.unit !== 'MONTH') return undefined;
  const neg = e.millis < 0 ? -1 : 1;
  const ym = /^(\d+)-(\d+)$/.exec(e.text.replace(/^-/, ''));
  if (e.toUnit === 'MONTH' && ym) return neg * (Number(ym[1]) * 12 + Number(ym[2]));
  const n = Number(e.text.replace(/^-/, ''));
  if (!Number.isInteger(n)) return undefined;
  return neg * n * (e.unit === 'YEAR' ? 12 : 1);
}

/** STEP(x BY step): over numbers, over calendar months and years, or over a fixed interval; or why not. */
export function bindStep(e: A.Step, x: BoundExpr, step: BoundExpr): BoundExpr | string {
  if (isNumeric(x.type) && x.type !== 'NULL') {
    if (step.k !== 'lit' || !isNumeric(step.type) || typeof step.value !== 'number' || step.value <= 0) return 'STEP over a number needs a positive number literal: STEP(23 BY 5)';
    if (!isIntegral(step.type) && isIntegral(x.type)) return `STEP(${x.type} BY ...) needs an integer step`;
    return call('STEP_NUMBER', [x, step], x.type);
  }
  if (x.type !== 'TIMESTAMP' && x.type !== 'NULL') return `STEP needs a TIMESTAMP or a number, got ${x.type}`;
  if (e.interval.kind !== 'interval' || step.k !== 'lit' || step.type !== 'INTERVAL') return 'STEP needs an INTERVAL literal';
  const months = intervalMonths(e.interval);
  if (months !== undefined) return months > 0 ? call('STEP_MONTHS', [x, lit(months, 'INTEGER')], 'TIMESTAMP') : 'STEP needs a positive INTERVAL';
  if ((step.value as number) <= 0) return 'STEP needs a positive INTERVAL';
  return call('STEP', [x, step], 'TIMESTAMP');
}

/** `(a - b) unit [TO unit]` over a bound difference; or why not. */
export function bindQualified(e: A.IntervalQualify, x: BoundExpr): BoundExpr | string {
  const last = e.toUnit ?? e.unit;
  if (e.unit === 'YEAR' || e.unit === 'MONTH' || last === 'YEAR' || last === 'MONTH') {
    return `(a - b) ${e.unit}${e.toUnit ? ` TO ${e.toUnit}` : ''} is not supported: Sluice's intervals are day-time intervals; count months with TIMESTAMPDIFF(MONTH, b, a)`;
  }
  const names = Object.keys(INTERVAL_FIELDS);
  if (!(e.unit in INTERVAL_FIELDS) || !(last in INTERVAL_FIELDS) || names.indexOf(last) < names.indexOf(e.unit)) return `${e.unit} TO ${last} is not an interval qualifier`;
  if (x.type !== 'INTERVAL' && x.type !== 'NULL') return `an interval qualifier applies to a difference of times, (a - b) ${e.unit}, not to ${x.type}`;
  return call('INTERVAL_QUALIFY', [x, lit(e.unit, 'VARCHAR'), lit(last, 'VARCHAR')], 'INTERVAL');
}

/** CAST of a qualified interval: to text as SQL writes it ('+6:11'), or to a number of its last field. Undefined: cast as usual. */
export function castInterval(operand: A.Expr, x: BoundExpr, to: SqlType): BoundExpr | undefined {
  let fields: [string, string] | undefined;
  if (x.k === 'call' && x.fn === 'INTERVAL_QUALIFY') fields = [String((x.args[1] as { value: unknown }).value), String((x.args[2] as { value: unknown }).value)];
  else if (operand.kind === 'interval' && operand.unit in INTERVAL_FIELDS && (!operand.toUnit || operand.toUnit in INTERVAL_FIELDS)) fields = [operand.unit, operand.toUnit ?? operand.unit];
  if (!fields) return undefined;
  if (to === 'VARCHAR') return call('INTERVAL_TO_CHAR', [x, lit(fields[0], 'VARCHAR'), lit(fields[1], 'VARCHAR')], 'VARCHAR');
  if (isNumeric(to)) return call('INTERVAL_TO_NUMBER', [x, lit(fields[1], 'VARCHAR')], to);
  return undefined;
}

/** A literal SIMILAR TO pattern (or SUBSTRING SIMILAR pattern) that cannot work, found when planned. */
export function similarProblem(pattern: BoundExpr, escape: BoundExpr | undefined, substring: boolean): string | undefined {
  if (pattern.k !== 'lit' || typeof pattern.value !== 'string' || (escape && escape.k !== 'lit')) return undefined;
  const esc = escape ? (escape.value as string | null) : null;
  try {
    if (substring) substringSimilar('', pattern.value, esc ?? '');
    else similarRegExp(pattern.value, esc);
  } catch (e) {
    if (e instanceof SimilarPatternError) return e.message;
    throw e;
  }
  return undefined;
}
