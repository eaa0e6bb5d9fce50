import { lit, type BoundExpr } from './bound-expr.js';
import { logColumns, LogParseError } from '../operators/kernels/log-parsers.js';
import { JavaRegexError } from '../operators/kernels/java-regex.js';
import { DatePatternError } from '../operators/kernels/date-pattern.js';

/**
 * KDA's log parsers bind to a ROW value whose fields are known when the query is planned, from
 * their literal arguments (the pattern, format or column list): a field read from it
 * (`t.rec.COLUMN1`) binds to ROW_FIELD(parser(...), 'COLUMN1', 0), one scalar per field read.
 */
export const LOG_PARSER_USAGE: Readonly<Record<string, string>> = {
  REGEX_LOG_PARSE: "REGEX_LOG_PARSE(line, 'java regex' [, 'name type, ...'])",
  FAST_REGEX_LOG_PARSER: "FAST_REGEX_LOG_PARSER(line, 'java regex' [, 'name type, ...'])",
  W3C_LOG_PARSE: "W3C_LOG_PARSE(line, 'COMMON') (or COMMON WITH VHOST, NCSA EXTENDED, REFERER, AGENT, IIS, or Apache % specifiers)",
  SYS_LOG_PARSE: 'SYS_LOG_PARSE(line)',
  VARIABLE_COLUMN_LOG_PARSE: "VARIABLE_COLUMN_LOG_PARSE(line, 'A TYPE VARCHAR(10), B TYPE INTEGER' or a number of columns, ',' [, escape, quotes])",
  FIXED_COLUMN_LOG_PARSE: "FIXED_COLUMN_LOG_PARSE(line, 'A TYPE VARCHAR(4) START 0 FOR 4, B TYPE INTEGER START 5')",
};

const ARITY: Readonly<Record<string, [number, number]>> = {
  REGEX_LOG_PARSE: [2, 3], FAST_REGEX_LOG_PARSER: [2, 3], W3C_LOG_PARSE: [2, 2], SYS_LOG_PARSE: [1, 1],
  VARIABLE_COLUMN_LOG_PARSE: [3, 5], FIXED_COLUMN_LOG_PARSE: [2, 2],
};

/** A log parser's bound call, typed ROW with its fields; or what is wrong with it. */
export function bindLogParser(name: string, args: readonly BoundExpr[]): BoundExpr | string {
  const [min, max] = ARITY[name]!;
  if (args.length < min || args.length > max) return `${name} takes ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`;
  if (args[0]!.type !== 'VARCHAR' && args[0]!.type !== 'NULL') return `${name} parses a string, got ${args[0]!.type}`;
  const rest = args.slice(1);
  if (rest.some((a) => a.k !== 'lit')) return `${name}'s arguments after the line must be literals: they decide the ROW's fields when the query is planned`;
  try {
    const columns = logColumns(name, [null, ...rest.map((a) => (a as { value: string | number | null }).value)]);
    return { k: 'call', fn: name, args: [args[0]!, ...rest.map((a) => lit((a as { value: string | number | null }).value, a.type))], type: 'ROW', row: columns.map((c) => ({ name: c.name, type: c.type })) };
  } catch (e) {
    if (e instanceof LogParseError || e instanceof JavaRegexError || e instanceof DatePatternError) return `${name}: ${e.message}`;
    throw e;
  }
}
