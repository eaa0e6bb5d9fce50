import { describe, it, expect } from 'vitest';
import { evalExpr, evalOne } from '../../helpers/eval-expr.js';
import { addMonths, monthsBetween } from '../../../src/operators/kernels/time-functions.js';

const TS = Date.UTC(1994, 8, 27, 13, 14, 15, 678); // Tuesday 1994-09-27 13:14:15.678 UTC

describe('temporal functions (session time zone UTC)', () => {
  it("returns Flink's documented fields", () => {
    const row = { ts: TS };
    expect(evalOne('YEAR(ts)', row)).toBe(1994);
    expect(evalOne('QUARTER(ts)', row)).toBe(3);
    expect(evalOne('MONTH(ts)', row)).toBe(9);
    expect(evalOne('WEEK(ts)', row)).toBe(39);
    expect(evalOne('DAYOFYEAR(ts)', row)).toBe(270);
    expect(evalOne('DAYOFMONTH(ts)', row)).toBe(27);
    expect(evalOne('DAYOFWEEK(ts)', row)).toBe(3);
    expect(evalOne('HOUR(ts)', row)).toBe(13);
    expect(evalOne('MINUTE(ts)', row)).toBe(14);
    expect(evalOne('SECOND(ts)', row)).toBe(15);
    expect(evalOne("HOUR(TIMESTAMP '1969-12-31 23:30:00')")).toBe(23);
    expect(evalOne("DAYOFWEEK(TIMESTAMP '2024-01-07 00:00:00')")).toBe(1);
  });

  it('passes NULL through every function', () => {
    for (const f of ['YEAR(ts)', 'HOUR(ts)', "DATE_FORMAT(ts, 'yyyy')", "DATE_FORMAT(s, 'yyyy')", 'TO_TIMESTAMP(s)', "TO_TIMESTAMP(s, 'yyyy')", 'UNIX_TIMESTAMP(s)', 'FROM_UNIXTIME(n)', "DATE_FORMAT(ts, CAST(NULL AS VARCHAR))", 'TIMESTAMPADD(HOUR, n, ts)', 'TIMESTAMPDIFF(DAY, ts, ts)']) {
      expect(evalOne(f), f).toBeNull();
    }
  });

  it('DATE_FORMAT formats a TIMESTAMP with Java patterns, and a string read as yyyy-MM-dd HH:mm:ss', () => {
    expect(evalOne("DATE_FORMAT(ts, 'yyyy-MM-dd')", { ts: TS })).toBe('1994-09-27');
    expect(evalOne("DATE_FORMAT(ts, 'HH:mm')", { ts: TS })).toBe('13:14');
    expect(evalOne("DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss.SSS')", { ts: TS })).toBe('1994-09-27 13:14:15.678');
    expect(evalOne("DATE_FORMAT('2024-01-05 10:20:30', 'yyyy/MM/dd HH')")).toBe('2024/01/05 10');
    expect(evalOne("DATE_FORMAT('2024-01-05', 'yyyy')")).toBeNull();
    expect(evalExpr('DATE_FORMAT(ts, s)', [{ ts: TS, s: 'yyyy' }, { ts: TS, s: 'bb' }])).toEqual(['1994', { error: "illegal pattern character 'b' in 'bb'" }]);
  });

  it('TO_TIMESTAMP reads the default form or a pattern, NULL when it cannot', () => {
    expect(evalOne("TO_TIMESTAMP('2024-01-05 10:20:30')")).toBe(Date.UTC(2024, 0, 5, 10, 20, 30));
    expect(evalOne("TO_TIMESTAMP('2024-1-5 1:2:3.45')")).toBe(Date.UTC(2024, 0, 5, 1, 2, 3, 450));
    expect(evalOne("TO_TIMESTAMP('2024-01-05')")).toBe(Date.UTC(2024, 0, 5));
    expect(evalOne("TO_TIMESTAMP('05.01.2024 10:20', 'dd.MM.yyyy HH:mm')")).toBe(Date.UTC(2024, 0, 5, 10, 20));
    expect(evalOne("TO_TIMESTAMP('2024-1-5 10:20:30', 'yyyy-MM-dd HH:mm:ss')")).toBe(Date.UTC(2024, 0, 5, 10, 20, 30));
    expect(evalOne("TO_TIMESTAMP('yesterday')")).toBeNull();
    expect(evalOne("TO_TIMESTAMP('2024-01-05T10:20:30')")).toBeNull();
  });

  it('UNIX_TIMESTAMP and FROM_UNIXTIME convert seconds, as in Flink with the UTC zone', () => {
    expect(evalOne("UNIX_TIMESTAMP('1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS')")).toBe(28801);
    expect(evalOne("UNIX_TIMESTAMP('1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS X')")).toBe(1);
    expect(evalOne("UNIX_TIMESTAMP('1970-01-01 08:00:01')")).toBe(28801);
    expect(evalOne("UNIX_TIMESTAMP('not a time')")).toBeNull();
    const now = evalOne('UNIX_TIMESTAMP()') as number;
    expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(5);
    expect(evalOne('FROM_UNIXTIME(44)')).toBe('1970-01-01 00:00:44');
    expect(evalOne("FROM_UNIXTIME(n, 'yyyy-MM-dd')", { n: 1704450030 })).toBe('2024-01-05');
  });

  it('CURRENT_TIMESTAMP, LOCALTIMESTAMP and NOW() are the time of the call', () => {
    for (const f of ['CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'NOW()']) {
      const t = evalOne(f) as number;
      expect(Math.abs(t - Date.now()), f).toBeLessThan(5000);
    }
  });

  it('TIMESTAMPADD and TIMESTAMPDIFF count units, months on the calendar', () => {
    const at = (s: string) => evalOne(`TIMESTAMP '${s}'`) as number;
    expect(evalOne("TIMESTAMPADD(WEEK, 1, TIMESTAMP '2003-01-02 00:00:00')")).toBe(at('2003-01-09 00:00:00'));
    expect(evalOne("TIMESTAMPADD(HOUR, -2, TIMESTAMP '2003-01-02 01:00:00')")).toBe(at('2003-01-01 23:00:00'));
    expect(evalOne("TIMESTAMPADD(MONTH, 1, TIMESTAMP '2024-01-31 10:00:00')")).toBe(at('2024-02-29 10:00:00'));
    expect(evalOne("TIMESTAMPADD(YEAR, 1, TIMESTAMP '2024-02-29 00:00:00')")).toBe(at('2025-02-28 00:00:00'));
    expect(evalOne("TIMESTAMPDIFF(DAY, TIMESTAMP '2003-01-02 10:00:00', TIMESTAMP '2003-01-03 09:59:59')")).toBe(0);
    expect(evalOne("TIMESTAMPDIFF(SECOND, TIMESTAMP '2003-01-02 10:00:00', TIMESTAMP '2003-01-02 09:59:58.5')")).toBe(-1);
    expect(evalOne("TIMESTAMPDIFF(MONTH, TIMESTAMP '2024-01-31 10:00:00', TIMESTAMP '2024-02-29 10:00:00')")).toBe(1);
    expect(evalOne("TIMESTAMPDIFF(MONTH, TIMESTAMP '2024-01-31 10:00:00', TIMESTAMP '2024-02-29 09:00:00')")).toBe(0);
    expect(evalOne("TIMESTAMPDIFF(YEAR, TIMESTAMP '2025-06-01 00:00:00', TIMESTAMP '2024-06-02 00:00:00')")).toBe(0);
    expect(evalOne("TIMESTAMPDIFF(QUARTER, TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-12-31 00:00:00')")).toBe(3);
    expect(addMonths(Date.UTC(2024, 0, 31, 5), -2)).toBe(Date.UTC(2023, 10, 30, 5));
    expect(monthsBetween(Date.UTC(2024, 2, 31), Date.UTC(2024, 0, 31))).toBe(-2);
  });
});
