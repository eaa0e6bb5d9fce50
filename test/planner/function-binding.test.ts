import { describe, it, expect } from 'vitest';
import { bindExpr } from '../helpers/eval-expr.js';
import { SqlDiagnosticsError, type SqlError } from '../../src/sql/diagnostics.js';
import { ExprBinder } from '../../src/planner/bind-expr.js';
import * as A from '../../src/sql/ast.js';
import { NO_SPAN } from '../../src/sql/diagnostics.js';

function diagnostic(expr: string): SqlError & { rendered: string } {
  try {
    bindExpr(expr);
  } catch (e) {
    expect(e).toBeInstanceOf(SqlDiagnosticsError);
    return { ...(e as SqlDiagnosticsError).diagnostics[0]!, rendered: (e as Error).message };
  }
  throw new Error(`${expr} bound without a diagnostic`);
}

describe('binding scalar functions', () => {
  it('checks argument types with the usage and what was given', () => {
    expect(diagnostic("HOUR('x')")).toMatchObject({ code: 'SQL_BAD_CALL', message: 'HOUR takes (TIMESTAMP), got (VARCHAR)' });
    expect(diagnostic('DATE_FORMAT(n, s)').message).toBe('DATE_FORMAT takes (TIMESTAMP or VARCHAR, pattern VARCHAR), got (BIGINT, VARCHAR)');
    expect(diagnostic("SPLIT_INDEX(s, '/')").message).toMatch(/^SPLIT_INDEX takes \(VARCHAR, separator VARCHAR, zero-based index INTEGER\), got \(VARCHAR, VARCHAR\)/);
    expect(diagnostic("REGEXP_EXTRACT(s, 'a', 1.5)").code).toBe('SQL_BAD_CALL');
    expect(diagnostic("IF(n, 'a', 'b')").message).toMatch(/^IF takes \(BOOLEAN condition/);
    expect(diagnostic("IF(b, 'a', 2)").message).toBe('IF needs values of one type, got (VARCHAR, INTEGER)');
    expect(diagnostic('UUID(1)').message).toBe('UUID takes no arguments, got (INTEGER)');
  });

  it('gives the type Flink gives', () => {
    expect(bindExpr('HOUR(ts)').type).toBe('BIGINT');
    expect(bindExpr('TIMESTAMPDIFF(DAY, ts, ts)').type).toBe('INTEGER');
    expect(bindExpr("TO_TIMESTAMP('2024-01-01')").type).toBe('TIMESTAMP');
    expect(bindExpr('IF(b, n, d)').type).toBe('DOUBLE');
    expect(bindExpr("REGEXP(s, 'a')").type).toBe('BOOLEAN');
  });

  it('refuses a literal pattern it cannot use, pointing at the pattern', () => {
    const bad = diagnostic("DATE_FORMAT(ts, 'yyyy-bb')");
    expect(bad.message).toBe("DATE_FORMAT: invalid date pattern: illegal pattern character 'b' in 'yyyy-bb'");
    expect(bad.span.start.column).toBe('SELECT DATE_FORMAT(ts, '.length + 1);
    expect(bad.rendered).toMatch(/\^{9}/);
    expect(diagnostic("REGEXP_EXTRACT(s, 'a*+')").message).toMatch(/possessive quantifiers .* not supported/);
    expect(diagnostic("REGEXP(s, '(')").message).toMatch(/^REGEXP: invalid regular expression '\('/);
    expect(diagnostic("DATE_FORMAT(ts, 'HH:mm X')").message).toMatch(/time zone/);
    expect(() => bindExpr("DATE_FORMAT(s, 'HH:mm X')")).not.toThrow();
  });

  it('takes the unit of TIMESTAMPADD and TIMESTAMPDIFF as a word', () => {
    expect(bindExpr('TIMESTAMPADD(hour, 1, ts)')).toMatchObject({ fn: 'TIMESTAMPADD', args: [{ k: 'lit', value: 'HOUR' }, {}, {}] });
    expect(diagnostic('TIMESTAMPADD(FORTNIGHT, 1, ts)')).toMatchObject({ code: 'SQL_BAD_UNIT', message: expect.stringMatching(/^TIMESTAMPADD takes a unit first: one of SECOND, MINUTE/) });
    expect(diagnostic("TIMESTAMPDIFF('DAY', ts, ts)").code).toBe('SQL_BAD_UNIT');
  });

  it('reads a bare CURRENT_TIMESTAMP as the function, unless a column has that name', () => {
    expect(bindExpr('CURRENT_TIMESTAMP')).toMatchObject({ k: 'call', fn: 'CURRENT_TIMESTAMP', type: 'TIMESTAMP' });
    expect(bindExpr('localtimestamp')).toMatchObject({ k: 'call', fn: 'LOCALTIMESTAMP' });
    const ref: A.ColumnRef = { kind: 'column', name: { kind: 'ident', name: 'current_timestamp', quoted: false, span: NO_SPAN }, span: NO_SPAN };
    const bound = new ExprBinder([]).bind(ref, { fields: [{ name: 'CURRENT_TIMESTAMP', type: 'VARCHAR' }], qualifiers: [] });
    expect(bound).toEqual({ k: 'col', index: 0, type: 'VARCHAR' });
    expect(diagnostic('"CURRENT_TIMESTAMP"').code).toBe('SQL_UNKNOWN_COLUMN');
  });

  it('suggests a near name for an unknown function', () => {
    expect(diagnostic('DATEFORMAT(ts)')).toMatchObject({ code: 'SQL_UNKNOWN_FUNCTION', hint: 'did you mean DATE_FORMAT?' });
  });
});
