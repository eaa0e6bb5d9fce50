import { describe, it, expect } from 'vitest';
import { evalExpr, evalOne } from '../../helpers/eval-expr.js';

const KDA = { bind: { dialect: 'kda' as const } };
const ts = (s: string) => Date.parse(`${s}Z`);

describe("Kinesis Data Analytics' string functions", () => {
  it("OVERLAY: the reference's examples", () => {
    const cases: [string, string][] = [
      ["OVERLAY('12345' PLACING 'foo' FROM 1)", 'foo45'],
      ["OVERLAY('12345' PLACING 'foo' FROM 0)", 'foo345'],
      ["OVERLAY('12345' PLACING 'foo' FROM -2)", 'foo12345'],
      ["OVERLAY('12345' PLACING 'foo' FROM 4)", '123foo'],
      ["OVERLAY('12345' PLACING 'foo' FROM 17)", '12345foo'],
      ["OVERLAY('12345' PLACING 'foo' FROM 2 FOR 0)", '1foo2345'],
      ["OVERLAY('12345' PLACING 'foo' FROM 2 FOR 2)", '1foo45'],
      ["OVERLAY('12345' PLACING 'foo' FROM 2 FOR 9)", '1foo'],
    ];
    for (const [expr, want] of cases) expect(evalOne(expr), expr).toBe(want);
    expect(evalOne("OVERLAY(s PLACING 'x' FROM 1)", { s: null })).toBeNull();
    expect(evalOne("OVERLAY('abc' PLACING 'x' FROM 1 FOR -1)")).toEqual({ error: 'OVERLAY length must not be negative, got -1' });
  });

  it("SUBSTRING by position, by regular expression and by SIMILAR pattern: the reference's examples", () => {
    expect(evalOne("SUBSTRING('123456789' FROM 3 FOR 4)")).toBe('3456');
    expect(evalOne("SUBSTRING('123456789' FROM 17 FOR 4)")).toBe('');
    expect(evalOne("SUBSTRING('123456789' FROM -1 FOR 4)")).toBe('12');
    expect(evalOne("SUBSTRING('123456789' FROM 6 FOR 0)")).toBe('');
    expect(evalOne("SUBSTRING('123456789' FROM 8 FOR 4)")).toBe('89');
    expect(evalOne("SUBSTRING('TECHNOLOGY' FROM 'L[A-Z]*')")).toBe('LOGY');
    expect(evalOne("SUBSTRING('TECHNOLOGY' FROM 'X+')")).toBeNull();
    expect(evalOne(`SUBSTRING('abc123def' SIMILAR '%#"[0-9]+#"%' ESCAPE '#')`)).toBe('123');
    expect(evalOne(`SUBSTRING('TECHNOLOGY' SIMILAR 'TECH#"NOLO#"GY' ESCAPE '#')`)).toBe('NOLO');
    expect(evalOne(`SUBSTRING('TECHNOLOGY' SIMILAR 'TECH#"NOLO#"GX' ESCAPE '#')`)).toBeNull();
  });

  it('REGEX_REPLACE is Java\'s replaceAll from a start position, for every match or the nth', () => {
    expect(evalOne("REGEX_REPLACE('http://www.amazon.com', 'http://', 'https://', 1, 0)")).toBe('https://www.amazon.com');
    expect(evalOne("REGEX_REPLACE('abcabc', '(b)(c)', '[$2$1]', 1, 0)")).toBe('a[cb]a[cb]');
    expect(evalOne("REGEX_REPLACE('abcabc', 'b', 'X', 1, 2)")).toBe('abcaXc');
    expect(evalOne("REGEX_REPLACE('abcabc', 'a', 'X', 2, 0)")).toBe('abcXbc');
    expect(evalOne("REGEX_REPLACE('abc', 'a', 'X', 9, 0)")).toBe('abc');
    expect(evalOne("REGEX_REPLACE('a$b', '\\$', '[\\$]', 1, 0)")).toBe('a[$]b');
    expect(evalOne("REGEX_REPLACE('abc', 'a', 'X', 0, 0)")).toEqual({ error: 'REGEX_REPLACE start position must be at least 1, got 0' });
    expect(evalOne("REGEX_REPLACE('abc', 'a', 'X', 1, -1)")).toEqual({ error: 'REGEX_REPLACE occurrence must not be negative, got -1' });
    expect(evalOne("REGEX_REPLACE('abc', '(a)', '$2', 1, 0)")).toEqual({ error: 'no group 2 in the regular expression' });
  });

  it('SIMILAR TO: % and _ as in LIKE, | * + ? {m,n} ( ) [...] as in regular expressions, the rest literal', () => {
    const rows = [{ s: 'abc' }, { s: 'abd' }, { s: 'a.c' }, { s: 'xabcx' }, { s: null }];
    expect(evalExpr("s SIMILAR TO 'ab(c|d)'", rows)).toEqual([true, true, false, false, null]);
    expect(evalExpr("s SIMILAR TO 'a.c'", rows)).toEqual([false, false, true, false, null]);
    expect(evalExpr("s SIMILAR TO '%b[cd]_*'", rows)).toEqual([true, true, false, true, null]);
    expect(evalExpr("s NOT SIMILAR TO '_{3}'", rows)).toEqual([false, false, false, true, null]);
    expect(evalOne("'50%' SIMILAR TO '[0-9]+#%' ESCAPE '#'")).toBe(true);
    expect(() => evalOne("s SIMILAR TO 'a[bc'")).toThrow(/unclosed '\['/);
  });

  it('INITCAP: KDA capitalizes space-delimited words; Flink any word after a non-alphanumeric', () => {
    expect(evalOne("INITCAP('Each FIRST lEtTeR is cAPITALIZED')", {}, KDA)).toBe('Each First Letter Is Capitalized');
    expect(evalOne("INITCAP('o''neil-smith x')", {}, KDA)).toBe("O'neil-smith X");
    expect(evalOne("INITCAP('o''neil-smith x')")).toBe("O'Neil-Smith X");
  });
});

describe("Kinesis Data Analytics' date and time functions", () => {
  it('CHAR_TO_TIMESTAMP takes the format first, reads what the template names and fills the rest', () => {
    expect(evalOne("CHAR_TO_TIMESTAMP('yyyy-MM-dd hh:mm:ss', '2009-09-16 03:15:24')")).toBe(ts('2009-09-16T03:15:24'));
    expect(evalOne("CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2009-09-16 03:15:24')")).toBe(ts('2009-09-16T00:00:00'));
    expect(evalOne("CHAR_TO_TIMESTAMP('yyyy-MM', '2009-09-16 03:15:24')")).toBe(ts('2009-09-01T00:00:00'));
    expect(evalOne("CHAR_TO_TIMESTAMP('yyyy', '2009-09-16 03:15:24')")).toBe(ts('2009-01-01T00:00:00'));
    expect(evalOne("CHAR_TO_TIMESTAMP('yyyy-MM-dd HH:mm', '2009-9-6 23:15')")).toBe(ts('2009-09-06T23:15:00'));
    expect(evalOne("CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2009-02-30')")).toEqual({ error: "cannot read '2009-02-30' with the format 'yyyy-MM-dd'" });
    expect(evalOne("CHAR_TO_TIMESTAMP('yyyy-MM-dd', 'soon')")).toEqual({ error: "cannot read 'soon' with the format 'yyyy-MM-dd'" });
    expect(evalOne("CHAR_TO_DATE('dd.MM.yyyy', '16.09.2009')")).toBe(ts('2009-09-16T00:00:00'));
    expect(evalOne("CHAR_TO_TIME('HH:mm:ss', '03:15:24')")).toBe(ts('1970-01-01T03:15:24'));
    expect(() => evalOne("CHAR_TO_TIMESTAMP('yyyy-bb', s)")).toThrow(/invalid format: illegal pattern character 'b'/);
  });

  it("TIMESTAMP_TO_CHAR formats with SimpleDateFormat's letters, and a NULL timestamp as 'null'", () => {
    const row = { ts: ts('2018-05-09T12:50:41.337') };
    expect(evalOne("TIMESTAMP_TO_CHAR('yyyy-MM-dd hh:mm:ss', ts)", row)).toBe('2018-05-09 12:50:41');
    expect(evalOne("TIMESTAMP_TO_CHAR('EEE, d MMM yyyy HH:mm:ss.SSS a', ts)", row)).toBe('Wed, 9 May 2018 12:50:41.337 PM');
    expect(evalOne("TIMESTAMP_TO_CHAR('yyyy', ts)", { ts: null })).toBe('null');
    expect(evalOne("DATE_TO_CHAR('dd/MM/yy', ts)", row)).toBe('09/05/18');
    expect(evalOne("TIME_TO_CHAR('HH:mm', ts)", row)).toBe('12:50');
    expect(evalOne("DATE_TO_CHAR('yyyy', ts)", { ts: null })).toBeNull();
  });

  it('TO_TIMESTAMP and UNIX_TIMESTAMP convert epoch milliseconds, TSDIFF subtracts in milliseconds', () => {
    expect(evalOne('TO_TIMESTAMP(n)', { n: 1525870241337 })).toBe(ts('2018-05-09T12:50:41.337'));
    expect(evalOne("UNIX_TIMESTAMP(TIMESTAMP '2018-05-09 12:50:41.337')")).toBe(1525870241337);
    expect(evalOne("TO_TIMESTAMP('2018-05-09 12:50:41')")).toBe(ts('2018-05-09T12:50:41'));
    expect(evalOne("TSDIFF(TIMESTAMP '2018-05-09 12:50:41', TIMESTAMP '2018-05-09 12:51:42.5')")).toBe(61500);
    expect(evalOne('TSDIFF(n, 1000)', { n: 400 })).toBe(600);
    expect(evalOne('TSDIFF(ts, n)', { ts: null, n: 1 })).toBeNull();
  });

  it("STEP over numbers and times: the reference's examples, calendar months and years included", () => {
    expect(evalOne('STEP(23 BY 5)')).toBe(20);
    expect(evalOne('STEP(30 BY 10)')).toBe(30);
    expect(evalOne('STEP(n BY 5)', { n: -23 })).toBe(-25);
    expect(evalOne('STEP(d BY 0.5)', { d: 2.7 })).toBe(2.5);
    const at = (unit: string) => evalOne(`STEP(CAST('2004-09-30 13:48:23' AS TIMESTAMP) BY INTERVAL ${unit})`);
    expect(at("'10' SECOND")).toBe(ts('2004-09-30T13:48:20'));
    expect(at("'5' MINUTE")).toBe(ts('2004-09-30T13:45:00'));
    expect(at("'2' HOUR")).toBe(ts('2004-09-30T12:00:00'));
    expect(at("'1' DAY")).toBe(ts('2004-09-30T00:00:00'));
    expect(at("'5' DAY")).toBe(Math.floor(ts('2004-09-30T13:48:23') / (5 * 86_400_000)) * 5 * 86_400_000);
    expect(at("'1' YEAR")).toBe(ts('2004-01-01T00:00:00'));
    expect(at("'3' MONTH")).toBe(ts('2004-07-01T00:00:00'));
    expect(at("'10' YEAR")).toBe(ts('2000-01-01T00:00:00'));
    expect(at("'1-6' YEAR TO MONTH")).toBe(ts('2004-07-01T00:00:00'));
    expect(evalOne("STEP(ts BY INTERVAL '1' MONTH)", { ts: ts('1969-12-31T23:00:00') })).toBe(ts('1969-12-01T00:00:00'));
    expect(() => evalOne("STEP(s BY INTERVAL '1' SECOND)")).toThrow(/STEP needs a TIMESTAMP or a number, got VARCHAR/);
    expect(() => evalOne('STEP(n BY 0)')).toThrow(/positive number literal/);
  });

  it('(a - b) with an interval qualifier: truncated to its last field, cast to text as SQL writes it or to a number', () => {
    const diff = "(TIMESTAMP '2000-01-01 12:03:34' - TIMESTAMP '2000-01-01 11:57:23')";
    expect(evalOne(`CAST(${diff} MINUTE TO SECOND AS VARCHAR(8))`)).toBe('+6:11');
    expect(evalOne(`CAST(${diff} SECOND AS VARCHAR(8))`)).toBe('+371');
    expect(evalOne(`CAST(${diff} MINUTE AS INTEGER)`)).toBe(6);
    expect(evalOne(`CAST(${diff} SECOND AS BIGINT)`)).toBe(371);
    expect(evalOne(`${diff} MINUTE`)).toBe(360_000);
    expect(evalOne(`CAST((TIMESTAMP '2000-01-01 00:00:00' - TIMESTAMP '2000-01-03 04:30:00') DAY TO HOUR AS VARCHAR(10))`)).toBe('-2 04');
    expect(evalOne(`CAST((TIMESTAMP '2000-01-01 00:00:01.25' - TIMESTAMP '2000-01-01 00:00:00') HOUR TO SECOND AS VARCHAR(20))`)).toBe('+0:00:01.25');
    expect(evalOne("CAST(INTERVAL '90' SECOND AS INTEGER)")).toBe(90);
    expect(evalOne("(ts - TIMESTAMP '2000-01-01 00:00:00') HOUR", { ts: null })).toBeNull();
    expect(() => evalOne("(ts - ts) MONTH")).toThrow(/TIMESTAMPDIFF\(MONTH, b, a\)/);
    expect(() => evalOne('(n) SECOND')).toThrow(/applies to a difference of times/);
  });

  it('in a KDA application CURRENT_TIMESTAMP, LOCALTIMESTAMP and CURRENT_DATE are the time the query started; CURRENT_ROW_TIMESTAMP is read per row', () => {
    const started = ts('2026-01-05T10:11:12.500');
    const opts = { bind: { dialect: 'kda' as const, startedAt: started } };
    expect(evalExpr('CURRENT_TIMESTAMP', [{}, {}], opts)).toEqual([started, started]);
    expect(evalOne('LOCALTIMESTAMP', {}, opts)).toBe(started);
    expect(evalOne('CURRENT_DATE', {}, opts)).toBe(ts('2026-01-05T00:00:00'));
    expect(evalOne('LOCALTIME', {}, opts)).toBe(ts('1970-01-01T10:11:12.500'));
    const before = Date.now();
    const t = evalOne('CURRENT_ROW_TIMESTAMP', {}, opts) as number;
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
    expect(evalOne('CURRENT_TIMESTAMP') as number).toBeGreaterThanOrEqual(before);
  });

  it('EXP, LN and LOG10', () => {
    expect(evalOne('EXP(0)')).toBe(1);
    expect(evalOne('LN(EXP(2))')).toBeCloseTo(2, 12);
    expect(evalOne('LOG10(1000)')).toBe(3);
    expect(evalOne('LN(0)')).toEqual({ error: 'LN of 0: the argument must be positive' });
  });
});
