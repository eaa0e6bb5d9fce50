import { describe, it, expect } from 'vitest';
import { mulberry32 } from '../../bench/clickstream.js';
import { createJsonDecoder } from '../../src/decode/json-decoder.js';
import type { ColumnType } from '../../src/decode/types.js';
import { columnValues, decodeLines, encodeLines } from './helpers.js';

/** Decodes `{"v": <text>}` per text into one column of `type`; returns values and errors. */
function decodeValues(type: ColumnType, texts: readonly string[]) {
  const decoder = createJsonDecoder([{ name: 'v', type }]);
  const batch = decoder.decode(encodeLines(texts.map((t) => `{"v":${t}}`)));
  return { values: columnValues(batch, decoder, 0), errors: batch.errors, decoder };
}

describe('JSON strings', () => {
  it('decodes every escape, and unicode written raw or escaped, like JSON.parse', () => {
    const texts = [
      String.raw`"plain"`,
      String.raw`"q\"b\\s\/f\bb\ff\nn\rr\tt"`,
      String.raw`"\u00e9\u4E2D\ud83d\ude00"`,
      '"é中😀"',
      String.raw`"\u0000\u001f\u007F"`,
      String.raw`"tail\\"`,
      String.raw`"\"\""`,
      String.raw`""`,
      String.raw`"\ud800"`,
      String.raw`"x\udc00y"`,
      String.raw`"\ud83d\ud83d\ude00"`,
      '"\uFFFD"',
      String.raw`"a very long string that is longer than thirty two bytes, with an escape \n at the end"`,
    ];
    const { values, errors, decoder } = decodeValues('VARCHAR', texts);
    expect(errors).toEqual([]);
    expect(values).toEqual(texts.map((t) => JSON.parse(t) as string));
    // Raw and escaped spellings of one string share a code; a lone surrogate is not U+FFFD.
    expect(decoder.dictionary(0).filter((s) => s === 'é中😀')).toHaveLength(1);
    expect(decoder.dictionary(0)).toContain('\ud800');
    expect(decoder.dictionary(0)).toContain('\uFFFD');
  });

  it('round-trips 5000 random strings through JSON.stringify and hand-written \\u escapes', () => {
    const random = mulberry32(99);
    const pool = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\u0001', 'é', 'ß', '中', '😀', '\ud800', '\udfff', '\u2028', '{', '}', ',', ':'];
    const strings: string[] = [];
    for (let k = 0; k < 5000; k++) {
      let s = '';
      const len = Math.floor(random() * 40);
      for (let j = 0; j < len; j++) s += pool[Math.floor(random() * pool.length)];
      strings.push(s);
    }
    // Escape every other string entirely as \uXXXX, in random hex case.
    const texts = strings.map((s, k) =>
      k % 2 === 0
        ? JSON.stringify(s)
        : `"${Array.from({ length: s.length }, (_, j) => {
            const hex = s.charCodeAt(j).toString(16).padStart(4, '0');
            return `\\u${random() < 0.5 ? hex : hex.toUpperCase()}`;
          }).join('')}"`,
    );
    const { values, errors } = decodeValues('VARCHAR', texts);
    expect(errors).toEqual([]);
    expect(values).toEqual(strings);
  });

  it('matches escaped keys against field names', () => {
    const decoder = createJsonDecoder([
      { name: 'page', type: 'VARCHAR' },
      { name: 'qu"ote', type: 'BIGINT' },
      { name: 'ünï', type: 'BIGINT' },
    ]);
    const { rows, batch } = decodeLines(decoder, [String.raw`{"p\u0061ge":"x","qu\"ote":1,"\u00fcn\u00ef":2}`, '{"page":"y","qu\\"ote":3,"ünï":4}']);
    expect(batch.errors).toEqual([]);
    expect(rows).toEqual([
      ['x', 1, 2],
      ['y', 3, 4],
    ]);
  });
});

describe('JSON numbers', () => {
  const forms = [
    '0', '-0', '1', '-1', '42', '2147483647', '-2147483648', '9007199254740991', '9007199254740993',
    '1.5', '-0.25', '0.1', '0.30000000000000004', '3.141592653589793', '123.456e-2', '1e3', '1E-7',
    '-2.5e+10', '123456789012345678901234567890', '0.000001234567890123456789', '1.7976931348623157e308',
    '5e-324', '1e400', '-1e400', '4.35', '100.0', '0.0',
  ];

  it('parses every number form to the same double as JSON.parse', () => {
    const { values, errors } = decodeValues('DOUBLE', forms);
    expect(errors).toEqual([]);
    values.forEach((v, k) => expect(Object.is(v, JSON.parse(forms[k]!))).toBe(true));
  });

  it('parses 20k random decimals exactly (the fast path must round like JSON.parse)', () => {
    const random = mulberry32(7);
    const texts: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      const intDigits = Math.floor(random() * 12);
      const fracDigits = Math.floor(random() * 12);
      let t = random() < 0.3 ? '-' : '';
      t += intDigits === 0 ? '0' : String(1 + Math.floor(random() * 9));
      for (let j = 1; j < intDigits; j++) t += Math.floor(random() * 10);
      if (fracDigits > 0) {
        t += '.';
        for (let j = 0; j < fracDigits; j++) t += Math.floor(random() * 10);
      }
      if (random() < 0.1) t += `e${Math.floor(random() * 40) - 20}`;
      texts.push(t);
    }
    const { values, errors } = decodeValues('DOUBLE', texts);
    expect(errors).toEqual([]);
    expect(values).toEqual(texts.map((t) => JSON.parse(t) as number));
  });

  it('coerces numeric strings and rejects non-integral values for integer types', () => {
    expect(decodeValues('BIGINT', ['"42"', '" 7 "', '"+5"', '"-1e3"', '1.0', '1e3']).values).toEqual([42, 7, 5, -1000, 1, 1000]);
    expect(decodeValues('DOUBLE', ['"1.5"', '".5"', '"2."']).values).toEqual([1.5, 0.5, 2]);
    const bad = decodeValues('BIGINT', ['1.5', '"abc"', '""', 'true', '{"x":1}', '[1]', '1e300', '"NaN"', '"Infinity"', '"0x10"']);
    expect(bad.values).toEqual([]);
    expect(bad.errors.map((e) => e.message)).toEqual([
      'cannot coerce 1.5 to BIGINT for column v',
      'cannot coerce "abc" to BIGINT for column v',
      'cannot coerce "" to BIGINT for column v',
      'cannot coerce true to BIGINT for column v',
      'cannot coerce {"x":1} to BIGINT for column v',
      'cannot coerce [1] to BIGINT for column v',
      'cannot coerce 1e300 to BIGINT for column v',
      'cannot coerce "NaN" to BIGINT for column v',
      'cannot coerce "Infinity" to BIGINT for column v',
      'cannot coerce "0x10" to BIGINT for column v',
    ]);
    expect(bad.errors.map((e) => e.record)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a column that is only checked accepts and rejects exactly the records a stored one does', () => {
    const texts = ['0', '-0', '7', '-42', '123456789', '1234567890', '2147483647', '2147483648', '-2147483649', '999999999999999', '1234567890123456',
      '9223372036854775807', '1.5', '1.0', '1e3', '1E3', '-', '01', '-01', '00', '"12"', '"x"', 'true', 'null', '[1]', '12a', '1.', '.5'];
    for (const type of ['INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL', 'TIMESTAMP', 'BOOLEAN', 'VARCHAR'] as const) {
      // The value alone, and between other fields (the learned-layout path).
      for (const record of [(t: string) => `{"v":${t}}`, (t: string) => `{"a":"x","v":${t},"z":1}`]) {
        const stored = createJsonDecoder([{ name: 'v', type }, { name: 'z', type: 'BIGINT' }]);
        const checked = createJsonDecoder([{ name: 'v', type, checkOnly: true }, { name: 'z', type: 'BIGINT' }]);
        const bytes = encodeLines(texts.map(record));
        const a = stored.decode(bytes);
        const b = checked.decode(bytes);
        expect(b.length, type).toBe(a.length);
        expect(b.errors, type).toEqual(a.errors);
        expect(columnValues(b, checked, 1), type).toEqual(columnValues(a, stored, 1));
      }
    }
    // A stored column beside one that is only checked still gets every value.
    const checked = createJsonDecoder([{ name: 'v', type: 'BIGINT', checkOnly: true }, { name: 'w', type: 'BIGINT' }]);
    const batch = checked.decode(encodeLines(['{"v":5,"w":5}', '{"v":1.0,"w":1.0}']));
    expect(columnValues(batch, checked, 1)).toEqual([5, 1]);
    expect(batch.errors).toEqual([]);
  });

  it('keeps INTEGER inside 32 bits', () => {
    const { values, errors } = decodeValues('INTEGER', ['2147483647', '-2147483648', '2147483648', '-2147483649']);
    expect(values).toEqual([2147483647, -2147483648]);
    expect(errors.map((e) => e.message)).toEqual(['cannot coerce 2147483648 to INTEGER for column v', 'cannot coerce -2147483649 to INTEGER for column v']);
  });

  it('reads booleans from literals and "true"/"false" strings only', () => {
    const { values, errors } = decodeValues('BOOLEAN', ['true', 'false', '"true"', '"FALSE"', '1', '"yes"']);
    expect(values).toEqual([1, 0, 1, 0]);
    expect(errors.map((e) => e.message)).toEqual(['cannot coerce 1 to BOOLEAN for column v', 'cannot coerce "yes" to BOOLEAN for column v']);
  });
});

describe('JSON timestamps', () => {
  /** What Date.parse gives once the text is made explicit UTC (it reads a bare time as local). */
  function expectedMs(text: string): number {
    let iso = text.replace(' ', 'T');
    if (/T/.test(iso) && !/(Z|z|[+-]\d\d(:?\d\d)?)$/.test(iso)) iso += 'Z';
    return Date.parse(iso);
  }

  it('parses every accepted ISO-8601 form like Date.parse', () => {
    const forms = [
      '2026-11-25T00:00:10.123Z', '2026-11-25 00:00:10', '2026-11-25T00:00:10', '2026-11-25T00:00:10.1Z',
      '2026-11-25T00:00:10.12', '2026-11-25T00:00:10.123456789Z', '2026-11-25T00:00:10.999999Z',
      '2026-11-25T00:00:10+01:00', '2026-11-25T00:00:10.5-05:30', '2026-11-25T23:59:59+0100',
      '2026-11-25', '2026-11-25T00:00Z', '2026-11-25 13:45', '2024-02-29T12:00:00Z', '1969-12-31T23:59:59.999Z',
      '1900-03-01T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-11-25t00:00:10z',
    ];
    const { values, errors } = decodeValues('TIMESTAMP', forms.map((f) => JSON.stringify(f)));
    expect(errors).toEqual([]);
    expect(values).toEqual(forms.map(expectedMs));
  });

  it('accepts forms Date.parse does not: "+hh" offsets and comma fractions', () => {
    const { values } = decodeValues('TIMESTAMP', ['"2026-11-25T00:00:10+01"', '"2026-11-25T00:00:10,5Z"']);
    expect(values).toEqual([Date.parse('2026-11-25T00:00:10+01:00'), Date.parse('2026-11-25T00:00:10.5Z')]);
  });

  it('round-trips 20k random instants written in varied forms', () => {
    const random = mulberry32(3);
    const forms: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      const ms = Math.floor((random() - 0.3) * 4e12);
      const iso = new Date(ms).toISOString();
      const variant = k % 4;
      if (variant === 0) forms.push(iso);
      else if (variant === 1) forms.push(iso.replace('T', ' ').replace('Z', ''));
      else if (variant === 2) forms.push(iso.slice(0, 19) + '+02:30');
      else forms.push(iso.slice(0, 23) + '456-11:00');
    }
    const { values, errors } = decodeValues('TIMESTAMP', forms.map((f) => JSON.stringify(f)));
    expect(errors).toEqual([]);
    expect(values).toEqual(forms.map(expectedMs));
  });

  it('reads numbers and numeric strings as epoch milliseconds, escapes included', () => {
    const { values } = decodeValues('TIMESTAMP', ['1764028810123', '-1', '1.5', '"1764028810123"', String.raw`"2026-11-25T00:00:10\u002e123Z"`]);
    expect(values).toEqual([1764028810123, -1, 1.5, 1764028810123, Date.parse('2026-11-25T00:00:10.123Z')]);
  });

  it('rejects bad timestamps with a message naming the column', () => {
    const bad = [
      'yesterday', '', '2026-13-01T00:00:00Z', '2026-02-30', '2026-11-25T24:00:00Z', '2026-11-25T00:60',
      '2026-11-25T00:00:60Z', '2026-11-25T00:00:10.Z', '2026-11-25T00:00:10.1234567890Z', '2026-11-25T00:00:10+25:00',
      '2026-11-25T00:00:10Z ', '26-11-25', '2026-11-25T', '2026-11-25T00:00:10ZZ',
    ];
    const { values, errors } = decodeValues('TIMESTAMP', bad.map((b) => JSON.stringify(b)));
    expect(values).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual(bad.map((b) => `cannot coerce ${JSON.stringify(b)} to TIMESTAMP for column v`));
    expect(decodeValues('TIMESTAMP', ['true', '1e400']).errors).toHaveLength(2);
  });
});
