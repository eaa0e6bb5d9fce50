import { describe, it, expect } from 'vitest';
import { mulberry32 } from '../../bench/clickstream.js';
import { jsonNumberValue, parseBooleanText, parseNumberText, scanJsonNumber } from '../../src/decode/parse-number.js';
import { daysFromCivil, parseTimestamp } from '../../src/decode/parse-timestamp.js';
import { StringDictionary } from '../../src/decode/string-dictionary.js';
import { findStringStop, findStringStopHashing, hashRange, stopHash, viewOf } from '../../src/decode/swar.js';

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('byte-level parsers', () => {
  it('scans JSON number tokens by the JSON grammar', () => {
    const cases: Array<[string, number]> = [
      ['0', 1], ['-0', 2], ['12', 2], ['1.5,', 3], ['1e5}', 3], ['1E+5', 4], ['-1.25e-3', 8],
      ['01', 1], ['1.', -1], ['.5', -1], ['-', -1], ['1e', -1], ['1e+', -1], ['--1', -1], ['+1', -1],
    ];
    for (const [text, end] of cases) expect([text, scanJsonNumber(bytesOf(text), 0, text.length)]).toEqual([text, end]);
  });

  it('gives JSON number values identical to Number()', () => {
    for (const text of ['0', '-0', '9007199254740993', '0.1', '123.456', '1e21', '4.9e-324', '99999999999999999999.5']) {
      const b = bytesOf(text);
      expect(Object.is(jsonNumberValue(b, 0, b.length), Number(text))).toBe(true);
    }
  });

  it('parses numeric and boolean text', () => {
    const num = (t: string): number => parseNumberText(bytesOf(t), 0, bytesOf(t).length);
    expect([num('42'), num(' 42'), num('+1.5'), num('.5'), num('1e3'), num('5.')]).toEqual([42, 42, 1.5, 0.5, 1000, 5]);
    expect([num(''), num('abc'), num('1,5'), num('0x1f'), num('Infinity'), num('1e')].every(Number.isNaN)).toBe(true);
    const bool = (t: string): number => parseBooleanText(bytesOf(t), 0, bytesOf(t).length);
    expect(['true', 'True', 'FALSE', 'false', 'yes', 'tru', ''].map(bool)).toEqual([1, 1, 0, 0, -1, -1, -1]);
  });

  it('computes days like Date.UTC over a wide range of dates', () => {
    const random = mulberry32(1);
    for (let k = 0; k < 5000; k++) {
      const y = 1 + Math.floor(random() * 9998);
      const m = 1 + Math.floor(random() * 12);
      const d = 1 + Math.floor(random() * 28);
      const utc = new Date(0);
      utc.setUTCFullYear(y, m - 1, d);
      expect(daysFromCivil(y, m, d)).toBe(Math.floor(utc.getTime() / 86_400_000));
    }
  });

  it('parses whole timestamps only', () => {
    const ts = (t: string): number => parseTimestamp(bytesOf(t), 0, bytesOf(t).length);
    expect(ts('2026-11-25T00:00:10.123Z')).toBe(Date.parse('2026-11-25T00:00:10.123Z'));
    expect(ts('2028-02-29')).toBe(Date.UTC(2028, 1, 29));
    expect(ts('2026-11-25T00:00:10.123Z"')).toBeNaN();
    expect(ts('2027-02-29')).toBeNaN();
    expect(ts('2100-02-29')).toBeNaN();
  });

  it('finds the first quote, backslash or control byte at any alignment', () => {
    const text = 'abcdefghij"klm\\nop\tq';
    const b = bytesOf(text);
    const view = viewOf(b);
    for (let start = 0; start < b.length; start++) {
      let expected = b.length;
      for (let k = start; k < b.length; k++) {
        if (b[k] === 0x22 || b[k] === 0x5c || b[k]! < 0x20) {
          expected = k;
          break;
        }
      }
      expect(findStringStop(view, b, start, b.length)).toBe(expected);
    }
    // High bytes (UTF-8) are not control bytes.
    const utf8 = bytesOf('ééé中中"');
    expect(findStringStop(viewOf(utf8), utf8, 0, utf8.length)).toBe(utf8.length - 1);
  });

  it('hashes while scanning exactly as hashRange does, for every start and length', () => {
    const b = bytesOf('"abcdefghijklmnopqrstuvwxyz"0123\\"é中😀"');
    const view = viewOf(b);
    for (let start = 0; start < b.length; start++) {
      for (let end = start; end <= b.length; end++) {
        const stop = findStringStopHashing(view, b, start, end);
        expect(stop).toBe(findStringStop(view, b, start, end));
        expect(stopHash[0]).toBe(hashRange(view, b, start, stop));
      }
    }
  });

  it('hashes by content, wherever the bytes sit', () => {
    const a = bytesOf('xx/products/17');
    const b = bytesOf('/products/17yyy');
    expect(hashRange(viewOf(a), a, 2, a.length)).toBe(hashRange(viewOf(b), b, 0, 12));
    expect(hashRange(viewOf(a), a, 2, a.length)).not.toBe(hashRange(viewOf(b), b, 0, 11));
  });
});

describe('StringDictionary', () => {
  it('interns by bytes, hands out dense codes in order, and survives growth', () => {
    const dict = new StringDictionary();
    const words = Array.from({ length: 20_000 }, (_, k) => (k % 3 === 0 ? `w${k}` : k % 3 === 1 ? `長い単語${k}` : ''.padEnd(k % 50, 'z') + k));
    const codes = words.map((w) => dict.internString(w));
    expect(codes).toEqual(words.map((_, k) => k));
    expect(words.map((w) => dict.internString(w))).toEqual(codes);
    expect(dict.values).toEqual(words);
    const empty = dict.internString('');
    expect(dict.internString('')).toBe(empty);
    expect(dict.values[empty]).toBe('');
  });
});
