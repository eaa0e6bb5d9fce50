import { describe, it, expect } from 'vitest';
import { parseSql } from '../../src/sql/parse.js';
import { SqlParser } from '../../src/sql/parser.js';
import { createSqlLexer } from '../../src/sql/tokens.js';
import { renderDiagnostics } from '../../src/sql/diagnostics.js';
import type { CreatePump, CreateStream, Select } from '../../src/sql/ast.js';

describe('grammar', () => {
  it('passes Chevrotain\'s own checks of the tokens and the grammar (skipped at run time)', () => {
    expect(() => createSqlLexer(true)).not.toThrow();
    expect(createSqlLexer(true).lexerDefinitionErrors).toEqual([]);
    expect(() => new SqlParser(true)).not.toThrow();
  });
});

describe('SQL parser', () => {
  it('reads keywords in any case and keeps quoted identifiers exact', () => {
    const { statements, diagnostics } = parseSql(`create or replace stream "Dest" (Page varchar(64), "Views" bigint);`);
    expect(diagnostics).toEqual([]);
    const s = statements[0] as CreateStream;
    expect(s.orReplace).toBe(true);
    expect(s.name).toMatchObject({ name: 'Dest', quoted: true });
    expect(s.columns.map((c) => [c.name.name, c.name.quoted, c.type.name, c.type.params])).toEqual([
      ['Page', false, 'VARCHAR', [64]],
      ['Views', true, 'BIGINT', []],
    ]);
  });

  it('parses a Flink-style stream with a watermark and WITH options', () => {
    const { statements, diagnostics } = parseSql(`CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH (format = 'csv', 'x.y' = 'z');`);
    expect(diagnostics).toEqual([]);
    const s = statements[0] as CreateStream;
    expect(s.watermark?.column.name).toBe('ts');
    expect(s.watermark?.expr).toMatchObject({ kind: 'binary', op: '-', right: { kind: 'interval', millis: 2000 } });
    expect(s.options.map((o) => [o.key, o.value])).toEqual([['format', 'csv'], ['x.y', 'z']]);
  });

  it('parses every window TVF, positional and named', () => {
    const q = (from: string) => (parseSql(`SELECT * FROM ${from}`).statements[0] as { query: Select }).query.from;
    expect(q(`TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))`)).toMatchObject({ kind: 'window-tvf', fn: 'TUMBLE', args: [{ millis: 10_000 }] });
    expect(q(`TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '1' MINUTE))`)).toMatchObject({ fn: 'HOP', args: [{ millis: 5000 }, { millis: 60_000 }] });
    expect(q(`TABLE(CUMULATE(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), STEP => INTERVAL '1' HOUR, SIZE => INTERVAL '1' DAY))`)).toMatchObject({ fn: 'CUMULATE', args: [{ millis: 3_600_000 }, { millis: 86_400_000 }] });
    expect(q(`TABLE(SESSION(TABLE t PARTITION BY (a, b), DESCRIPTOR(ts), INTERVAL '30' MINUTE)) AS s`)).toMatchObject({ fn: 'SESSION', partitionBy: [{ kind: 'column' }, { kind: 'column' }], alias: { name: 's' } });
  });

  it('parses a KDA pump with STEP, FLOOR and qualified ROWTIME', () => {
    const { statements, diagnostics } = parseSql(`CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM page, COUNT(*) AS views, FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE) AS m
      FROM "SOURCE_SQL_STREAM_001"
      GROUP BY page, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`);
    expect(diagnostics).toEqual([]);
    const p = statements[0] as CreatePump;
    expect(p.insert.query.stream).toBe(true);
    expect(p.insert.query.items[2]).toMatchObject({ expr: { kind: 'floor-to', unit: 'MINUTE', operand: { kind: 'column', qualifier: { name: 'SOURCE_SQL_STREAM_001' }, name: { name: 'ROWTIME' } } } });
    expect(p.insert.query.groupBy[1]).toMatchObject({ kind: 'step', interval: { kind: 'interval', millis: 10_000 } });
  });

  it('parses the expression forms', () => {
    const expr = (e: string) => ((parseSql(`SELECT ${e} FROM t`).statements[0] as { query: Select }).query.items[0] as { expr: unknown }).expr;
    expect(expr(`CASE WHEN a > 1 THEN 'x' ELSE 'y' END`)).toMatchObject({ kind: 'case', whens: [{}], else: { value: 'y' } });
    expect(expr(`CAST(a AS DECIMAL(10, 2))`)).toMatchObject({ kind: 'cast', type: { name: 'DECIMAL', params: [10, 2] } });
    expect(expr(`a NOT IN (1, 2)`)).toMatchObject({ kind: 'in', negated: true, list: [{ value: 1 }, { value: 2 }] });
    expect(expr(`a NOT BETWEEN 1 AND 2`)).toMatchObject({ kind: 'between', negated: true });
    expect(expr(`a NOT LIKE 'x%' ESCAPE '!'`)).toMatchObject({ kind: 'like', negated: true, escape: { value: '!' } });
    expect(expr(`a IS NOT NULL`)).toMatchObject({ kind: 'is-null', negated: true });
    expect(expr(`TRIM(LEADING 'x' FROM a)`)).toMatchObject({ kind: 'trim', side: 'LEADING', chars: { value: 'x' } });
    expect(expr(`POSITION('a' IN b)`)).toMatchObject({ kind: 'position' });
    expect(expr(`SUBSTRING(a FROM 2 FOR 3)`)).toMatchObject({ kind: 'call', name: 'SUBSTRING', args: [{}, { value: 2 }, { value: 3 }] });
    expect(expr(`COUNT(DISTINCT a)`)).toMatchObject({ kind: 'call', name: 'COUNT', distinct: true });
    expect(expr(`INTERVAL '1:30' MINUTE TO SECOND`)).toMatchObject({ kind: 'interval', millis: 90_000 });
    expect(expr(`TIMESTAMP '2026-11-25 00:00:10'`)).toMatchObject({ kind: 'typed-literal', type: 'TIMESTAMP' });
    expect(expr(`1 + 2 * 3 - -4`)).toMatchObject({ kind: 'binary', op: '-', left: { op: '+', right: { op: '*' } }, right: { kind: 'number', value: -4 } });
    expect(expr(`a || 'x' || b`)).toMatchObject({ kind: 'binary', op: '||' });
  });

  it('accepts comments and statements separated by semicolons', () => {
    const { statements, diagnostics } = parseSql(`-- header\nSELECT a FROM t; /* block\ncomment */ SELECT b FROM u;;`);
    expect(diagnostics).toEqual([]);
    expect(statements).toHaveLength(2);
  });

  it('reports syntax errors with line, column and a caret', () => {
    const src = `SELECT page,\n  COUNT(* FROM clicks`;
    const { diagnostics } = parseSql(src);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'SQL_PARSE', message: "expected ')' but found 'FROM'", span: { start: { line: 2, column: 11 } } });
    const text = renderDiagnostics(diagnostics, src, 'app.sql');
    expect(text).toContain('--> app.sql:2:11');
    expect(text).toContain('2 |   COUNT(* FROM clicks');
    expect(text).toContain('  |           ^^^^');
  });

  it('reports an unterminated string at its opening quote', () => {
    const { diagnostics } = parseSql(`SELECT 'abc FROM t`);
    expect(diagnostics[0]).toMatchObject({ code: 'SQL_LEX', span: { start: { line: 1, column: 8 } } });
    expect(diagnostics[0]!.hint).toMatch(/closing quote/);
  });

  it('reports malformed special forms and units without throwing', () => {
    for (const bad of [`SELECT FLOOR(ts TO FORTNIGHT) FROM t`, `SELECT STEP(ts TO MINUTE) FROM t`, `SELECT CAST(a) FROM t`, `SELECT * FROM TABLE(SPIN(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))`, `SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))`]) {
      const { diagnostics } = parseSql(bad);
      expect(diagnostics.length, bad).toBeGreaterThan(0);
      expect(diagnostics[0]!.span.start.line).toBe(1);
    }
  });

  it('never throws on garbage', () => {
    const junk = ['', ';;;', 'SELECT', ')))', "'", '"', 'CREATE STREAM', 'SELECT * FROM t WHERE', '\u0000\u0001', 'SELECT 1e FROM t', 'INSERT INTO'];
    for (const j of junk) expect(() => parseSql(j)).not.toThrow();
  });
});
