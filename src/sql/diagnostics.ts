/** One diagnostic shape for lex, parse, bind and plan errors, rendered with a caret under the span. */

export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export interface Span {
  readonly start: Position;
  readonly end: Position;
}

export interface SqlError {
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
}

export const NO_SPAN: Span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

export function sqlError(code: string, message: string, span: Span, hint?: string): SqlError {
  return hint === undefined ? { code, message, span } : { code, message, span, hint };
}

/** Thrown when a phase produced diagnostics; carries all of them, not just the first. */
export class SqlDiagnosticsError extends Error {
  constructor(
    readonly diagnostics: readonly SqlError[],
    readonly source: string,
    readonly fileName = '<sql>',
  ) {
    super(renderDiagnostics(diagnostics, source, fileName));
    this.name = 'SqlDiagnosticsError';
  }
}

export function renderDiagnostic(d: SqlError, source: string, fileName = '<sql>'): string {
  const lines = source.split(/\r?\n/);
  const { line, column } = d.span.start;
  const text = lines[line - 1] ?? '';
  const sameLine = d.span.end.line === line;
  const width = Math.max(1, sameLine ? d.span.end.column - column : text.length - column + 1);
  const gutter = String(line).length;
  const pad = ' '.repeat(gutter);
  const out = [
    `error[${d.code}]: ${d.message}`,
    `${pad}--> ${fileName}:${line}:${column}`,
    `${pad} |`,
    `${line} | ${text}`,
    `${pad} | ${' '.repeat(Math.max(0, column - 1))}${'^'.repeat(width)}`,
  ];
  if (d.hint) out.push(`${pad} = hint: ${d.hint}`);
  return out.join('\n');
}

export function renderDiagnostics(ds: readonly SqlError[], source: string, fileName = '<sql>'): string {
  return ds.map((d) => renderDiagnostic(d, source, fileName)).join('\n\n');
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
