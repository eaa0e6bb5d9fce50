import { describe, it, expect } from 'vitest';
import { datePattern, DatePatternError } from '../../../src/operators/kernels/date-pattern.js';

const T = Date.UTC(2024, 0, 5, 13, 4, 5, 67); // Friday 2024-01-05 13:04:05.067 UTC
const fmt = (p: string, dialect: 'simple' | 'java-time' = 'java-time', t = T) => datePattern(p, dialect).format(t);
const parse = (p: string, text: string, dialect: 'simple' | 'java-time' = 'java-time') => datePattern(p, dialect).parse(text);

describe('Java date patterns, in UTC', () => {
  it('formats the common letters as both Java formatters do', () => {
    for (const dialect of ['simple', 'java-time'] as const) {
      expect(fmt('yyyy-MM-dd HH:mm:ss', dialect)).toBe('2024-01-05 13:04:05');
      expect(fmt('yy/M/d', dialect)).toBe('24/1/5');
      expect(fmt('EEE, d MMM yyyy hh:mm a', dialect)).toBe('Fri, 5 Jan 2024 01:04 PM');
      expect(fmt('EEEE MMMM', dialect)).toBe('Friday January');
      expect(fmt('H k K h', dialect, Date.UTC(2024, 0, 5, 0, 0))).toBe('0 24 0 12');
      expect(fmt('D', dialect, Date.UTC(2024, 11, 31))).toBe('366');
      expect(fmt("yyyy-MM-dd'T'HH:mm", dialect)).toBe('2024-01-05T13:04');
      expect(fmt("h 'o''clock'", dialect)).toBe("1 o'clock");
      expect(fmt("''", dialect)).toBe("'");
    }
  });

  it('differs where the two Java formatters differ: S and u', () => {
    expect(fmt('s.S', 'simple')).toBe('5.67');
    expect(fmt('s.SSS', 'simple')).toBe('5.067');
    expect(fmt('s.S', 'java-time')).toBe('5.0');
    expect(fmt('s.SSSSSS', 'java-time')).toBe('5.067000');
    expect(fmt('u', 'simple')).toBe('5');
    expect(fmt('u', 'java-time')).toBe('2024');
  });

  it("has SimpleDateFormat's zone letters (UTC), and DateTimeFormatter's optional sections and quarters", () => {
    expect(fmt('HH:mm z Z X', 'simple')).toBe('13:04 UTC +0000 Z');
    expect(fmt('yyyy[-MM][ HH]', 'java-time')).toBe('2024-01 13');
    expect(fmt('Q QQQ QQQQ', 'java-time')).toBe('1 Q1 1st quarter');
  });

  it('formats again whenever the time leaves the span the last value covered', () => {
    const p = datePattern('yyyy-MM-dd HH:mm', 'java-time');
    const times = [Date.UTC(2024, 0, 5, 10, 59, 59, 999), Date.UTC(2024, 0, 5, 11), Date.UTC(2024, 0, 5, 11, 0, 30), Date.UTC(2024, 0, 5, 10, 59), Date.UTC(2023, 0, 5, 10, 59)];
    expect(times.map((t) => p.format(t))).toEqual(['2024-01-05 10:59', '2024-01-05 11:00', '2024-01-05 11:00', '2024-01-05 10:59', '2023-01-05 10:59']);
    const day = datePattern('EEE d', 'simple');
    expect([Date.UTC(2024, 0, 5, 23, 59), Date.UTC(2024, 0, 6), Date.UTC(1969, 11, 31, 23)].map((t) => day.format(t))).toEqual(['Fri 5', 'Sat 6', 'Wed 31']);
  });

  it("formats SimpleDateFormat's week letters as its US locale does (weeks from Sunday, week 1 holds January 1st)", () => {
    const p = datePattern("YYYY 'w'ww 'W'W 'F'F", 'simple');
    // Tuesday 2024-01-02 (January 1st was a Monday); Thursday 2025-12-31 (its week holds January 1st, 2026); Saturday 2024-06-15.
    expect(p.format(Date.UTC(2024, 0, 2))).toBe('2024 w01 W1 F1');
    expect(p.format(Date.UTC(2025, 11, 31))).toBe('2026 w01 W5 F5');
    expect(p.format(Date.UTC(2024, 5, 15))).toBe('2024 w24 W3 F3');
    expect(datePattern('yyyy-MM-dd (w)', 'simple').parse('2024-06-15 (24)')).toBe(Date.UTC(2024, 5, 15));
  });

  it('refuses bad patterns with a message', () => {
    expect(() => datePattern('yyyy-bb', 'simple')).toThrow(/illegal pattern character 'b'/);
    expect(() => datePattern('HH:mm X', 'java-time')).toThrow(/time zone/);
    expect(() => datePattern('ww', 'java-time')).toThrow(/not supported/);
    expect(() => datePattern("'abc", 'simple')).toThrow(/unterminated quote/);
    expect(() => datePattern('ddd', 'java-time')).toThrow(/too many pattern letters/);
    expect(() => datePattern('[yyyy', 'java-time')).toThrow(DatePatternError);
    expect(() => datePattern('{y}', 'java-time')).toThrow(/reserved/);
  });

  it('parses leniently as SimpleDateFormat: short numbers, trailing text, overflow rolls over', () => {
    expect(parse('yyyy-MM-dd HH:mm:ss', '2024-1-5 13:4:5', 'simple')).toBe(Date.UTC(2024, 0, 5, 13, 4, 5));
    expect(parse('yyyy-MM-dd HH:mm:ss', '2024-01-05 13:04:05.999 tail', 'simple')).toBe(Date.UTC(2024, 0, 5, 13, 4, 5));
    expect(parse('yyyy-MM-dd HH:mm:ss', '2024-02-30 00:00:00', 'simple')).toBe(Date.UTC(2024, 2, 1));
    expect(parse('yyyy-MM-dd HH:mm:ss', '2024-01-05', 'simple')).toBeNull();
    expect(parse('yyyy-MM-dd HH:mm:ss.SSS X', '1970-01-01 08:00:01.001 +0800', 'simple')).toBe(1001);
    expect(parse('dd MMM yyyy', '05 january 2024', 'simple')).toBe(Date.UTC(2024, 0, 5));
  });

  it('parses strictly as DateTimeFormatter: widths, the whole text, SMART month ends', () => {
    expect(parse('yyyy-MM-dd HH:mm:ss', '2024-01-05 13:04:05')).toBe(Date.UTC(2024, 0, 5, 13, 4, 5));
    expect(parse('yyyy-MM-dd HH:mm:ss', '2024-1-5 13:04:05')).toBeNull();
    expect(parse('yyyy-MM-dd', '2024-01-05 tail')).toBeNull();
    expect(parse('yyyyMMddHHmmss', '20240105130405')).toBe(Date.UTC(2024, 0, 5, 13, 4, 5));
    expect(parse('dd/MM/yyyy', '05/01/2024')).toBe(Date.UTC(2024, 0, 5));
    expect(parse('yyyy-MM-dd HH:mm:ss.SSS', '2024-01-05 13:04:05.067')).toBe(T);
    expect(parse('yyyy-MM-dd', '2024-02-30')).toBe(Date.UTC(2024, 1, 29));
    expect(parse('yyyy-MM-dd', '2024-13-01')).toBeNull();
    expect(parse('hh:mm a', '01:04 PM')).toBe(Date.UTC(1970, 0, 1, 13, 4));
    expect(parse('yyyy[-MM]', '2024')).toBe(Date.UTC(2024, 0, 1));
    expect(parse('yyyy[-MM]', '2024-03')).toBe(Date.UTC(2024, 2, 1));
  });
});
