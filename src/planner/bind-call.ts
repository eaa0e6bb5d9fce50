import type * as A from '../sql/ast.js';
import { call, lit, type BoundExpr } from './bound-expr.js';
import type { Scope } from './bind-expr.js';
import { BARE_FUNCTIONS } from './functions.js';
import { TIMESTAMP_UNITS } from '../operators/kernels/time-functions.js';
import { javaRegExp, JavaRegexError } from '../operators/kernels/java-regex.js';
import { datePattern, DatePatternError } from '../operators/kernels/date-pattern.js';

/** Binding details of scalar functions that their signatures alone cannot express. */

/**
 * CURRENT_TIMESTAMP or LOCALTIMESTAMP written bare, as SQL writes them: they parse as column names,
 * and are the function only where no column has that name.
 */
export function bareFunction(ref: A.ColumnRef, scope: Scope): BoundExpr | undefined {
  if (ref.qualifier || ref.name.quoted) return undefined;
  const name = ref.name.name.toUpperCase();
  if (!BARE_FUNCTIONS.has(name) || scope.fields.some((f) => f.name.toUpperCase() === name)) return undefined;
  return call(name, [], 'TIMESTAMP');
}

/** The unit of TIMESTAMPADD(unit, ...) and TIMESTAMPDIFF(unit, ...), which parses as a column name, as a string literal; or why not. */
export function unitArgument(arg: A.Expr | undefined): BoundExpr | string {
  const unit = arg?.kind === 'column' && !arg.qualifier && !arg.name.quoted ? arg.name.name.toUpperCase() : undefined;
  if (!unit || !(unit in TIMESTAMP_UNITS)) return `takes a unit first: one of ${Object.keys(TIMESTAMP_UNITS).join(', ')}`;
  return lit(unit, 'VARCHAR');
}

/**
 * A literal regular expression or date pattern the function cannot use, found when the query is
 * planned rather than row by row: [argument index, message, hint].
 */
export function literalProblem(name: string, args: readonly BoundExpr[]): [number, string, string] | undefined {
  const p = args[1];
  if (!p || p.k !== 'lit' || typeof p.value !== 'string') return undefined;
  try {
    if (name === 'REGEXP' || name === 'REGEXP_EXTRACT' || name === 'REGEXP_REPLACE') javaRegExp(p.value, name === 'REGEXP_REPLACE');
    else if (name === 'DATE_FORMAT') datePattern(p.value, args[0]!.type === 'VARCHAR' ? 'simple' : 'java-time');
    else if (name === 'TO_TIMESTAMP') datePattern(p.value, 'java-time');
    else if (name === 'UNIX_TIMESTAMP' || name === 'FROM_UNIXTIME') datePattern(p.value, 'simple');
  } catch (e) {
    if (e instanceof JavaRegexError) return [1, `${name}: invalid regular expression '${p.value}': ${e.message}`, 'patterns are Java regular expressions, as in Flink'];
    if (e instanceof DatePatternError) return [1, `${name}: invalid date pattern: ${e.message}`, "patterns are Java's, as in Flink: 'yyyy-MM-dd HH:mm:ss'"];
    throw e;
  }
  return undefined;
}
