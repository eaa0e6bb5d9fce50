import type { BoundExpr } from '../../planner/bound-expr.js';
import type { Reader } from '../column-batch.js';
import { javaRegExp, JavaRegexError } from './java-regex.js';
import { datePattern } from './date-pattern.js';
import { parseTimestampLiteral } from './timestamps.js';
import { RowError } from './row-error.js';

/**
 * Kinesis Data Analytics' log parsers. Each returns a ROW value, here an array with one value per
 * column (or null when the line does not parse), read only field by field (`t.rec.COLUMN1`).
 * Column lists ('name TYPE type [NOT NULL] [START n [FOR m]], ...') are read when the query is
 * planned; values are converted to their column's type row by row, a value that cannot be is an
 * error for error_stream.
 */

export class LogParseError extends Error {
  override readonly name = 'LogParseError';
}

export type LogColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'DECIMAL' | 'BOOLEAN' | 'TIMESTAMP';

export interface LogColumn {
  readonly name: string;
  readonly type: LogColumnType;
  /** A TIMESTAMP's SimpleDateFormat pattern; DATE and TIME columns are TIMESTAMPs too. */
  readonly format?: string;
  readonly notNull?: boolean;
  readonly start?: number;
  readonly length?: number;
}

const TYPES: Record<string, LogColumnType> = {
  VARCHAR: 'VARCHAR', CHAR: 'VARCHAR', CHARACTER: 'VARCHAR', STRING: 'VARCHAR',
  INTEGER: 'INTEGER', INT: 'INTEGER', SMALLINT: 'INTEGER', TINYINT: 'INTEGER', BIGINT: 'BIGINT',
  DOUBLE: 'DOUBLE', REAL: 'DOUBLE', FLOAT: 'DOUBLE', DECIMAL: 'DECIMAL', NUMERIC: 'DECIMAL',
  BOOLEAN: 'BOOLEAN', TIMESTAMP: 'TIMESTAMP', DATE: 'TIMESTAMP', TIME: 'TIMESTAMP',
};

/** Splits at commas outside parentheses and quotes. */
function topLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

/**
 * A column list: `name [TYPE] type[(n)] ['format'] [NOT NULL] [START n [FOR m]]`, comma separated.
 * Unquoted names are upper-cased as SQL identifiers are; "quoted" ones kept.
 */
export function parseColumnList(spec: string, positional = false): LogColumn[] {
  const columns = topLevel(spec).map((item) => {
    const m = /^\s*("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s+(?:TYPE\s+)?([A-Za-z]+)(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s+'((?:[^']|'')*)')?(\s+NOT\s+NULL)?(?:\s+START\s+(\d+)(?:\s+FOR\s+(\d+))?)?\s*$/i.exec(item);
    if (!m) throw new LogParseError(`cannot read the column description '${item.trim()}': write name TYPE type${positional ? ' START n [FOR m]' : ''}`);
    const type = TYPES[m[2]!.toUpperCase()];
    if (!type) throw new LogParseError(`unknown type ${m[2]} in '${item.trim()}'`);
    const name = m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replaceAll('""', '"') : m[1]!.toUpperCase();
    if (positional && m[5] === undefined) throw new LogParseError(`column ${name} needs START n: FIXED_COLUMN_LOG_PARSE reads fields by position`);
    const format = m[3] !== undefined ? m[3].replaceAll("''", "'") : m[2]!.toUpperCase() === 'TIME' ? 'HH:mm:ss' : undefined;
    if (format) datePattern(format, 'simple');
    return {
      name, type, ...(format ? { format } : {}), ...(m[4] ? { notNull: true } : {}),
      ...(m[5] !== undefined ? { start: Number(m[5]) } : {}), ...(m[6] !== undefined ? { length: Number(m[6]) } : {}),
    };
  });
  if (columns.length === 0) throw new LogParseError('the column list is empty');
  return columns;
}

/** COLUMN1 .. COLUMNn, all VARCHAR. */
export function numberedColumns(n: number): LogColumn[] {
  return Array.from({ length: n }, (_, i) => ({ name: `COLUMN${i + 1}`, type: 'VARCHAR' as const }));
}

/** A field's text as its column's type; empty text is NULL. */
export function convert(text: string | undefined, c: LogColumn): unknown {
  if (text === undefined || (text === '' && c.type !== 'VARCHAR')) {
    if (c.notNull) throw new RowError(`column ${c.name} is NOT NULL and the line has no value for it`);
    return null;
  }
  switch (c.type) {
    case 'VARCHAR': return text;
    case 'BOOLEAN': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === 'false') return t === 'true';
      break;
    }
    case 'TIMESTAMP': {
      const t = c.format ? datePattern(c.format, 'simple').parse(text.trim()) : parseTimestampLiteral(text.trim());
      if (t !== null && t !== undefined) return t;
      break;
    }
    default: {
      const n = Number(text.trim());
      if (text.trim() !== '' && Number.isFinite(n) && (c.type === 'DOUBLE' || c.type === 'DECIMAL' || Number.isInteger(n))) return n;
    }
  }
  throw new RowError(`cannot read '${text}' as ${c.type} for column ${c.name}`);
}

/** The number of capturing groups of a RegExp. */
export function groupCount(re: RegExp): number {
  return new RegExp(`${re.source}|`, re.flags.replace(/[gy]/g, '')).exec('')!.length - 1;
}

/** A Java pattern matched against the whole line, as Matcher.matches() does; `lazy` makes every greedy quantifier lazy (FAST_REGEX_LOG_PARSER). */
export function wholeLineRegExp(pattern: string, lazy = false): RegExp {
  const re = javaRegExp(pattern, false);
  const source = lazy ? lazyQuantifiers(re.source) : re.source;
  return new RegExp(`^(?:${source})$`, re.flags);
}

/** Appends `?` to each greedy quantifier of a RegExp source (outside classes and escapes). */
function lazyQuantifiers(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    out += ch;
    if (ch === '\\') {
      out += source[++i] ?? '';
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    const quantifier = ch === '*' || ch === '+' || (ch === '?' && source[i - 1] !== '(') || (ch === '}' && /(^|[^\\])\{\d+(,\d*)?\}$/.test(out));
    if (quantifier && source[i + 1] !== '?' && source[i + 1] !== '+') out += '?';
  }
  return out;
}

const PREDEFINED: Record<string, string> = {
  COMMON: '%h %l %u %t "%r" %>s %b',
  'COMMON WITH VHOST': '%v %h %l %u %t "%r" %>s %b',
  'NCSA EXTENDED': '%h %l %u %t "%r" %>s %b "%[Referer]i" "%[User-agent]i"',
  REFERER: '%[Referer]i ---> %U',
  AGENT: '%[User-agent]i',
};

/** The fields of Microsoft IIS's log format, comma separated. */
const IIS_FIELDS = 15;

/** W3C_LOG_PARSE's format (a predefined name or Apache's % specifiers) as a whole-line RegExp with a group per specifier. */
export function w3cRegExp(format: string): RegExp | 'IIS' {
  const name = format.trim().toUpperCase().replace(/\s+/g, ' ');
  if (name === 'IIS') return 'IIS';
  const spec = PREDEFINED[name] ?? format;
  let source = '';
  let groups = 0;
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i]!;
    if (ch !== '%') {
      source += /\s/.test(ch) ? '\\s+' : ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      continue;
    }
    const m = /^%([<>]?)(\{[^}]*\}|\[[^\]]*\])?([a-zA-Z%])/.exec(spec.slice(i));
    if (!m) throw new LogParseError(`cannot read the format specifier at '${spec.slice(i, i + 6)}' in '${format}'`);
    i += m[0].length - 1;
    if (m[3] === '%') {
      source += '%';
      continue;
    }
    groups++;
    const quoted = spec[i - m[0].length] === '"';
    source += m[3] === 't' ? '(\\[[^\\]]*\\])' : quoted ? '((?:[^"\\\\]|\\\\.)*)' : '(\\S*)';
  }
  if (groups === 0) throw new LogParseError(`the format '${format}' has no % specifiers`);
  return new RegExp(`^\\s*${source}\\s*$`);
}

/** The columns of a W3C format: COLUMN1 .. COLUMNn, VARCHAR. */
export function w3cColumns(format: string): LogColumn[] {
  const re = w3cRegExp(format);
  return numberedColumns(re === 'IIS' ? IIS_FIELDS : groupCount(re));
}

/** VARIABLE_COLUMN_LOG_PARSE's split: at `delimiter`, with `escape` quoting the next character and `quote` (one or two characters) enclosing fields. */
export function splitFields(line: string, delimiter: string, escape: string, quote: string): string[] {
  const fields: string[] = [];
  const [open, close] = [quote[0] ?? '', quote[1] ?? quote[0] ?? ''];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (escape && ch === escape && i + 1 < line.length) cur += line[++i];
    else if (inQuote) {
      if (ch === close) inQuote = false;
      else cur += ch;
    } else if (open && ch === open) inQuote = true;
    else if (delimiter && line.startsWith(delimiter, i)) {
      fields.push(cur);
      cur = '';
      i += delimiter.length - 1;
    } else cur += ch;
  }
  fields.push(cur);
  return fields;
}

const SYSLOG = /^([A-Za-z]{3} +\d{1,2} \d{1,2}:\d{2}:\d{2}) +(.*)$/s;

/** The columns each parser returns, for its literal arguments; throws LogParseError. */
export function logColumns(fn: string, args: readonly (string | number | null | undefined)[]): LogColumn[] {
  switch (fn) {
    case 'REGEX_LOG_PARSE': case 'FAST_REGEX_LOG_PARSER': {
      if (typeof args[2] === 'string') return parseColumnList(args[2]);
      return numberedColumns(groupCount(wholeLineRegExp(String(args[1]))));
    }
    case 'W3C_LOG_PARSE': return w3cColumns(String(args[1]));
    // A syslog time has no year: SimpleDateFormat's default, 1970.
    case 'SYS_LOG_PARSE': return [{ name: 'COLUMN1', type: 'TIMESTAMP', format: 'MMM d HH:mm:ss' }, { name: 'COLUMN2', type: 'VARCHAR' }];
    case 'VARIABLE_COLUMN_LOG_PARSE': return typeof args[1] === 'number' ? numberedColumns(args[1]) : parseColumnList(String(args[1]));
    case 'FIXED_COLUMN_LOG_PARSE': return parseColumnList(String(args[1]), true);
    default: throw new LogParseError(`${fn} is not a log parser`);
  }
}

export const LOG_PARSERS: ReadonlySet<string> = new Set(['REGEX_LOG_PARSE', 'FAST_REGEX_LOG_PARSER', 'W3C_LOG_PARSE', 'SYS_LOG_PARSE', 'VARIABLE_COLUMN_LOG_PARSE', 'FIXED_COLUMN_LOG_PARSE']);

/** The texts of a line's fields, before conversion; null when the line does not parse. */
function fieldsOf(fn: string, line: string, args: readonly unknown[], columns: readonly LogColumn[], re: RegExp | 'IIS' | null): (string | undefined)[] | null {
  switch (fn) {
    case 'REGEX_LOG_PARSE': case 'FAST_REGEX_LOG_PARSER': case 'W3C_LOG_PARSE': {
      if (re === 'IIS') return line.split(/,\s*/).slice(0, IIS_FIELDS);
      const m = re!.exec(line);
      return m ? m.slice(1) : null;
    }
    case 'SYS_LOG_PARSE': {
      const m = SYSLOG.exec(line);
      return m ? [m[1]!.replace(/ +/, ' '), m[2]!] : null;
    }
    case 'VARIABLE_COLUMN_LOG_PARSE':
      return splitFields(line, String(args[2] ?? ','), String(args[3] ?? ''), String(args[4] ?? ''));
    default:
      return columns.map((c) => (c.start! < line.length ? line.substr(c.start!, c.length ?? line.length) : undefined));
  }
}

/** A Reader for a log parser (its arguments after the line are literals), or for ROW_FIELD; undefined for other functions. */
export function buildLogParseCall(fn: string, args: readonly Reader[], argExprs: readonly BoundExpr[]): Reader | undefined {
  if (fn === 'ROW_FIELD') {
    const index = Number((argExprs[2] as { value: unknown }).value);
    return (i) => {
      const row = args[0]!(i) as unknown[] | null;
      return row === null ? null : (row[index] ?? null);
    };
  }
  if (!LOG_PARSERS.has(fn)) return undefined;
  const lits = argExprs.map((e) => (e.k === 'lit' ? (e.value as string | number | null) : undefined));
  let columns: LogColumn[];
  let re: RegExp | 'IIS' | null = null;
  try {
    columns = logColumns(fn, lits);
    if (fn === 'REGEX_LOG_PARSE' || fn === 'FAST_REGEX_LOG_PARSER') re = wholeLineRegExp(String(lits[1]), fn === 'FAST_REGEX_LOG_PARSER');
    if (fn === 'W3C_LOG_PARSE') re = w3cRegExp(String(lits[1]));
  } catch (e) {
    throw e instanceof JavaRegexError || e instanceof LogParseError ? new RowError(e.message) : e;
  }
  return (i) => {
    const line = args[0]!(i) as string | null;
    if (line === null) return null;
    const fields = fieldsOf(fn, line, lits, columns, re);
    if (!fields) return null;
    return columns.map((c, k) => convert(fields[k], c));
  };
}
