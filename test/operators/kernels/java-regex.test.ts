import { describe, it, expect } from 'vitest';
import { javaRegExp, JavaRegexError, translateJavaRegex } from '../../../src/operators/kernels/java-regex.js';

const finds = (pattern: string, text: string) => javaRegExp(pattern).test(text);

describe('Java regular expressions as JavaScript RegExps', () => {
  it('keeps the syntax both share', () => {
    expect(javaRegExp('foo(.*?)(bar)').exec('foothebar')?.[2]).toBe('bar');
    expect(javaRegExp('(?<word>[a-z]+)=(\\d+)').exec('k=42')?.groups?.['word']).toBe('k');
    expect(finds('^\\w+@\\w+\\.com$', 'me@example.com')).toBe(true);
    expect(finds('a{2,3}', 'baab')).toBe(true);
  });

  it('takes leading inline flags', () => {
    expect(finds('(?i)abc', 'xABCx')).toBe(true);
    expect(finds('(?s)a.b', 'a\nb')).toBe(true);
    expect(finds('a.b', 'a\nb')).toBe(false);
    expect(finds('(?m)^b$', 'a\nb\nc')).toBe(true);
  });

  it('quotes \\Q...\\E and escaped punctuation literally', () => {
    expect(finds('\\Qa.b*\\E', 'a.b*')).toBe(true);
    expect(finds('\\Qa.b\\E', 'axb')).toBe(false);
    expect(finds('[\\-\\:]x', ':x')).toBe(true);
    expect(finds('\\#\\@', '#@')).toBe(true);
  });

  it('anchors as Java does: \\A, \\z, \\Z, and $ before a final line break', () => {
    expect(finds('\\Aab', 'ab')).toBe(true);
    expect(finds('b\\z', 'ab\n')).toBe(false);
    expect(finds('b\\Z', 'ab\n')).toBe(true);
    expect(finds('b$', 'ab\n')).toBe(true);
    expect(finds('b$', 'ab\nc')).toBe(false);
  });

  it("uses Java's classes: ASCII \\s, \\h, \\v, \\R and POSIX \\p{...}", () => {
    expect(finds('\\s', '\u00a0')).toBe(false);
    expect(finds('\\h', '\u00a0')).toBe(true);
    expect(finds('a\\Rb', 'a\r\nb')).toBe(true);
    expect(finds('^\\p{Alpha}+$', 'abcXYZ')).toBe(true);
    expect(finds('^\\p{Alpha}+$', 'abc1')).toBe(false);
    expect(finds('^[\\p{Digit}x]+$', '12x3')).toBe(true);
    expect(finds('^\\P{Digit}+$', 'abc')).toBe(true);
    expect(finds('^\\p{L}+$', 'héllo')).toBe(true);
    expect(finds('^\\p{IsLatin}+$', 'abc')).toBe(true);
  });

  it('reads ] first in a class as a literal, octal and \\x{...} escapes', () => {
    expect(finds('[]a]', ']')).toBe(true);
    expect(finds('[^]a]', ']')).toBe(false);
    expect(finds('\\0101', 'A')).toBe(true);
    expect(finds('\\x{1F600}', 'smile \u{1F600}')).toBe(true);
  });

  it('refuses what JavaScript cannot express, rather than matching differently', () => {
    for (const p of ['a*+', 'a++', 'a?+', 'a{2}+', '(?>a)', '[a-z&&[^e]]', '[a[b]]', 'x(?i)y', '(?x)a b', '\\G']) {
      expect(() => javaRegExp(p), p).toThrow(JavaRegexError);
    }
    expect(() => javaRegExp('a*?')).not.toThrow();
    expect(() => javaRegExp('(?:a)+')).not.toThrow();
  });

  it('reports invalid patterns', () => {
    expect(() => javaRegExp('(')).toThrow(JavaRegexError);
    expect(() => javaRegExp('[abc')).toThrow(/unclosed/);
    expect(() => javaRegExp('abc\\')).toThrow(/backslash/);
  });

  it('caches compiled patterns by text', () => {
    expect(javaRegExp('x+y')).toBe(javaRegExp('x+y'));
    expect(javaRegExp('x+y', true)).not.toBe(javaRegExp('x+y'));
    expect(javaRegExp('x+y', true).flags).toContain('g');
    expect(translateJavaRegex('(?i)a').flags).toBe('i');
  });
});
