import type { IRecognitionException, ILexingError, IToken } from 'chevrotain';
import { sqlLexer, softKeywords } from './tokens.js';
import { sqlParser } from './parser.js';
import { CstToAst, tokenSpan } from './cst-to-ast.js';
import type { Statement } from './ast.js';
import { SqlDiagnosticsError, sqlError, type SqlError, type Span } from './diagnostics.js';

export interface ParseResult {
  readonly statements: Statement[];
  readonly diagnostics: SqlError[];
}

const visitor = new CstToAst();

/** Parse a script of `;`-separated statements, collecting lex, parse and shape diagnostics. */
export function parseSql(source: string): ParseResult {
  const lexed = sqlLexer.tokenize(source);
  const diagnostics: SqlError[] = lexed.errors.map((e) => lexError(e, source));
  sqlParser.input = lexed.tokens;
  const cst = sqlParser.script();
  diagnostics.push(...sqlParser.errors.map((e) => parseError(e, source)));
  if (diagnostics.length > 0) return { statements: [], diagnostics };
  visitor.diagnostics.length = 0;
  const statements = visitor.visit(cst) as Statement[];
  return { statements, diagnostics: [...visitor.diagnostics] };
}

/** Parse or throw a SqlDiagnosticsError whose message renders every diagnostic with a caret. */
export function parseSqlOrThrow(source: string, fileName?: string): Statement[] {
  const { statements, diagnostics } = parseSql(source);
  if (diagnostics.length) throw new SqlDiagnosticsError(diagnostics, source, fileName);
  return statements;
}

function lexError(e: ILexingError, source: string): SqlError {
  const ch = source.slice(e.offset, e.offset + e.length);
  const start = { line: e.line ?? 1, column: e.column ?? 1, offset: e.offset };
  const span: Span = { start, end: { ...start, column: start.column + Math.max(1, e.length), offset: e.offset + e.length } };
  const hint = ch.startsWith("'") ? 'a string literal is missing its closing quote' : ch.startsWith('"') ? 'a quoted identifier is missing its closing quote' : undefined;
  return sqlError('SQL_LEX', `unexpected character ${JSON.stringify(ch.slice(0, 1))}`, span, hint);
}

function describe(t: IToken): string {
  return t.tokenType.name === 'EOF' ? 'end of input' : `'${t.image}'`;
}

function parseError(e: IRecognitionException, source: string): SqlError {
  const t = e.token;
  let span: Span;
  if (t.tokenType.name === 'EOF' || Number.isNaN(t.startOffset)) {
    const prev = (e as { previousToken?: IToken }).previousToken;
    span = prev && !Number.isNaN(prev.startOffset) ? tokenSpan(prev) : endSpan(source);
  } else span = tokenSpan(t);
  const expected = expectedFrom(e.message);
  const message = expected ? `expected ${expected} but found ${describe(t)}` : `unexpected ${describe(t)}`;
  const hint = hintFor(t, e, expected ?? '');
  return sqlError('SQL_PARSE', message, span, hint);
}

function expectedFrom(message: string): string | undefined {
  const m = /Expecting (?:token of type )?--> (.*?) <--/.exec(message);
  if (m) return m[1];
  const alts = /one of these possible Token sequences:\n([\s\S]*?)\nbut found/.exec(message);
  if (!alts) return undefined;
  const firsts = new Set<string>();
  for (const line of alts[1]!.split('\n')) {
    const seq = /\[(.*)\]/.exec(line);
    if (seq) firsts.add(seq[1]!.split(', ')[0]!);
  }
  if (firsts.has('identifier')) {
    for (const soft of softKeywords) firsts.delete(soft.LABEL ?? '');
    firsts.delete('quoted identifier');
    firsts.delete('identifier');
    firsts.add('a name');
  }
  const list = [...firsts].slice(0, 8);
  return list.length === 1 ? list[0] : `one of ${list.join(', ')}`;
}

function hintFor(t: IToken, e: IRecognitionException, expected: string): string | undefined {
  const rules = e.context?.ruleStack ?? [];
  if (t.tokenType.name === 'EOF') return 'the statement ends too early';
  if (rules.includes('query') && rules[rules.length - 1] === 'query' && /Expecting token of type --> FROM/.test(e.message)) {
    return 'a continuous query reads FROM a stream';
  }
  const label = t.tokenType.LABEL ?? '';
  if (/^[A-Z]{2,}$/.test(label) && /name|identifier/.test(expected)) return `${label} is a keyword; quote it ("${t.image}") to use it as a name`;
  return undefined;
}

function endSpan(source: string): Span {
  const lines = source.split('\n');
  const line = lines.length;
  const column = (lines[line - 1]?.length ?? 0) + 1;
  const p = { line, column, offset: source.length };
  return { start: p, end: { ...p, column: column + 1 } };
}
