import { describe, it, expect } from 'vitest';
import { evalExpr, evalOne } from '../../helpers/eval-expr.js';

describe('string, regular expression and hash functions', () => {
  it("matches Flink's documented examples", () => {
    expect(evalOne("REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 2)")).toBe('bar');
    expect(evalOne("REGEXP_REPLACE('foobar', 'oo|ar', '')")).toBe('fb');
    expect(evalOne("LPAD('hi', 4, '??')")).toBe('??hi');
    expect(evalOne("LPAD('hi', 1, '??')")).toBe('h');
    expect(evalOne("RPAD('hi', 4, '??')")).toBe('hi??');
    expect(evalOne("RPAD('hi', 1, '??')")).toBe('h');
    expect(evalOne("REPLACE('hello world', 'world', 'flink')")).toBe('hello flink');
    expect(evalOne("REPLACE('ababab', 'abab', 'z')")).toBe('zab');
    expect(evalOne("CONCAT_WS('~', 'AA', NULL, 'BB', '', 'CC')")).toBe('AA~BB~~CC');
    expect(evalOne("REPEAT('ab', 3)")).toBe('ababab');
    expect(evalOne('IF(5 > 3, 5, 3)')).toBe(5);
    expect(evalOne("SPLIT_INDEX('Jack,John,Mary', ',', 2)")).toBe('Mary');
  });

  it('SPLIT_INDEX is zero-based and NULL out of range', () => {
    expect(evalOne("SPLIT_INDEX('a/b/c', '/', 0)")).toBe('a');
    expect(evalOne("SPLIT_INDEX('a/b/c', '/', 3)")).toBeNull();
    expect(evalOne("SPLIT_INDEX('a/b/c', '/', -1)")).toBeNull();
    expect(evalOne("SPLIT_INDEX('a//c/', '/', 1)")).toBe('');
    expect(evalOne("SPLIT_INDEX('a//c/', '/', 3)")).toBe('');
    expect(evalOne("SPLIT_INDEX('a::b::c', '::', 2)")).toBe('c');
    expect(evalOne("SPLIT_INDEX('', '/', 0)")).toBeNull();
    expect(evalOne("SPLIT_INDEX('a b', '', 1)")).toBe('b');
  });

  it('REGEXP_EXTRACT: group 0 by default, NULL without a match or past the last group', () => {
    expect(evalOne("REGEXP_EXTRACT('abc123', '[0-9]+')")).toBe('123');
    expect(evalOne("REGEXP_EXTRACT('abc', '[0-9]+')")).toBeNull();
    expect(evalOne("REGEXP_EXTRACT('abc123', '([a-z]+)([0-9]+)', 3)")).toBeNull();
    expect(evalOne("REGEXP_EXTRACT('abc', '(x)?abc', 1)")).toBeNull();
    expect(evalOne("REGEXP_EXTRACT('abc', 'b', -1)")).toBeNull();
    const url = 'https://www.nexmark.com/a/b/item.htm?query=1&channel_id=1337';
    expect(evalOne("REGEXP_EXTRACT(s, '(&|^)channel_id=([^&]*)', 2)", { s: url })).toBe('1337');
  });

  it('REGEXP_REPLACE replaces every match with literal text; REGEXP finds any match', () => {
    expect(evalOne("REGEXP_REPLACE('a1b22c', '[0-9]+', '$1#')")).toBe('a$1#b$1#c');
    expect(evalOne("REGEXP_REPLACE('abc', 'x*', '-')")).toBe('-a-b-c-');
    expect(evalOne("REGEXP('hello', 'l+')")).toBe(true);
    expect(evalOne("REGEXP('hello', '^l')")).toBe(false);
    expect(evalOne("REGEXP('Hello', '(?i)^h')")).toBe(true);
  });

  it('a regular expression in a column: compiled once per pattern, bad ones give NULL (or fail the row for REGEXP)', () => {
    const rows = [{ s: 'a+' }, { s: '(' }, { s: 'a+' }];
    expect(evalExpr("REGEXP_EXTRACT('caaat', s)", rows)).toEqual(['aaa', null, 'aaa']);
    expect(evalExpr("REGEXP_REPLACE('caaat', s, 'o')", rows)).toEqual(['cot', null, 'cot']);
    expect(evalExpr("REGEXP('caaat', s)", rows)[1]).toEqual({ error: expect.stringContaining("invalid regular expression '('") });
  });

  it('LEFT, RIGHT, REVERSE, INSTR, LPAD edge cases', () => {
    expect(evalOne("LEFT('hello', 2)")).toBe('he');
    expect(evalOne("LEFT('hello', -1)")).toBe('');
    expect(evalOne("LEFT('hi', 10)")).toBe('hi');
    expect(evalOne("RIGHT('hello', 2)")).toBe('lo');
    expect(evalOne("RIGHT('hello', 0)")).toBe('');
    expect(evalOne("RIGHT('hi', 10)")).toBe('hi');
    expect(evalOne("REVERSE('ab\u{1F600}c')")).toBe('c\u{1F600}ba');
    expect(evalOne("INSTR('hello', 'll')")).toBe(3);
    expect(evalOne("INSTR('hello', 'z')")).toBe(0);
    expect(evalOne("LPAD('hi', -1, 'x')")).toBeNull();
    expect(evalOne("LPAD('hi', 5, '')")).toBeNull();
    expect(evalOne("LPAD('hi', 0, 'x')")).toBe('');
    expect(evalOne("RPAD('hi', 7, 'ab')")).toBe('hiababa');
    expect(evalOne("REPLACE('abc', '', '-')")).toBe('-a-b-c-');
    expect(evalOne("REPLACE('a.b', '.', '$&')")).toBe('a$&b');
  });

  it('passes NULL through', () => {
    for (const f of ['LEFT(s, 1)', 'RIGHT(s, n)', 'REPLACE(s, s, s)', "LPAD(s, 3, 'x')", 'REVERSE(s)', "SPLIT_INDEX(s, '/', 0)", "SPLIT_INDEX('a', '/', n)",
      "REGEXP_EXTRACT(s, 'a')", "REGEXP_EXTRACT('a', s)", "REGEXP_EXTRACT('a', 'a', n)", "REGEXP_REPLACE(s, 'a', 'b')", "REGEXP_REPLACE('a', 'a', s)", "REGEXP(s, 'a')",
      'MD5(s)', 'SHA256(s)', "INSTR(s, 'a')", 'CONCAT_WS(s, 1, 2)', "REPEAT(s, 2)"]) {
      expect(evalOne(f), f).toBeNull();
    }
  });

  it('hashes as hex digits, UUID() is a random version 4 UUID, IF and IFNULL pick a value', () => {
    expect(evalOne("MD5('hello')")).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(evalOne("SHA1('hello')")).toBe('aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
    expect(evalOne("SHA256('')")).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const [u1, u2] = evalExpr('UUID()', [{}, {}]) as string[];
    expect(u1).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(u1).not.toBe(u2);
    expect(evalOne("IF(b, 'yes', 'no')", { b: false })).toBe('no');
    expect(evalOne("IF(b, 'yes', 'no')", {})).toBe('no');
    expect(evalOne('IFNULL(n, 7)', {})).toBe(7);
    expect(evalOne('IFNULL(n, 7)', { n: 3 })).toBe(3);
  });

  it('keeps the per-code memo for deterministic calls over a dictionary column, and not for UUID()', () => {
    const rows = [{ s: 'a/b' }, { s: 'a/b' }, { s: 'c/d' }, {}];
    expect(evalExpr("SPLIT_INDEX(s, '/', 1)", rows, { dict: true })).toEqual(['b', 'b', 'd', null]);
    expect(evalExpr("UPPER(REGEXP_EXTRACT(s, '^[a-z]'))", rows, { dict: true })).toEqual(['A', 'A', 'C', null]);
    const ids = evalExpr('CONCAT(s, UUID())', rows, { dict: true }) as string[];
    expect(ids[0]).not.toBe(ids[1]);
  });
});
