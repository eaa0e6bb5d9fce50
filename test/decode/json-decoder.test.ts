import { describe, it, expect } from 'vitest';
import { generateClickstream } from '../../bench/clickstream.js';
import { createJsonDecoder } from '../../src/decode/json-decoder.js';
import { createDecoder } from '../../src/decode/index.js';
import type { ColumnSpec } from '../../src/decode/types.js';
import { columnValues, decodeLines, encodeLines, rows } from './helpers.js';

const CLICK_COLUMNS: ColumnSpec[] = [
  { name: 'ts', type: 'TIMESTAMP' },
  { name: 'user_id', type: 'VARCHAR' },
  { name: 'page', type: 'VARCHAR' },
  { name: 'country', type: 'VARCHAR' },
  { name: 'duration_ms', type: 'BIGINT' },
];

interface Click {
  ts: string;
  user_id: string;
  page: string;
  country: string;
  duration_ms: number;
}

describe('decoders that reuse their columns', () => {
  it('give each chunk exactly what a fresh decoder gives, NULLs included', () => {
    const chunks = [
      ['{"ts":"2026-11-25T00:00:01Z","page":"/a","duration_ms":5}', '{"ts":"2026-11-25T00:00:02Z","page":"/b","duration_ms":6}', '{"ts":"2026-11-25T00:00:03Z","page":"/c","duration_ms":7}'],
      ['{"page":"/b"}', '{"ts":"2026-11-25T00:00:04Z","duration_ms":null}', 'not json'],
      ['{"ts":"2026-11-25T00:00:05Z","page":"/d","duration_ms":8}'],
    ];
    const columns: ColumnSpec[] = [{ name: 'ts', type: 'TIMESTAMP' }, { name: 'page', type: 'VARCHAR' }, { name: 'duration_ms', type: 'BIGINT' }];
    for (const format of ['json', 'csv'] as const) {
      const lines = format === 'json' ? chunks : chunks.map((c) => c.map((l) => (l.startsWith('{') ? Object.values(JSON.parse(l) as object).map((v) => v ?? '').join(',') : l)));
      const specs = format === 'json' ? columns : columns.map((c, position) => ({ ...c, position }));
      const reusing = createDecoder(format, specs, { reuseColumns: true });
      for (const chunk of lines) {
        const fresh = createDecoder(format, specs);
        const got = reusing.decode(encodeLines(chunk));
        const want = fresh.decode(encodeLines(chunk));
        expect(got.length).toBe(want.length);
        expect(got.errors.map((e) => e.raw)).toEqual(want.errors.map((e) => e.raw));
        for (let c = 0; c < columns.length; c++) expect(columnValues(got, reusing, c)).toEqual(columnValues(want, fresh, c));
      }
    }
  });
});

describe('JSON decoder on generated clickstream', () => {
  const lines = [...generateClickstream({ events: 50_000, seed: 11 })];
  const parsed = lines.map((l) => JSON.parse(l) as Click);

  it('agrees with JSON.parse on every column of 50k lines', () => {
    const decoder = createJsonDecoder(CLICK_COLUMNS);
    const batch = decoder.decode(encodeLines(lines));
    expect(batch.errors).toEqual([]);
    expect(batch.length).toBe(50_000);
    expect(batch.records).toBe(50_000);
    expect(columnValues(batch, decoder, 0)).toEqual(parsed.map((e) => Date.parse(e.ts)));
    expect(columnValues(batch, decoder, 1)).toEqual(parsed.map((e) => e.user_id));
    expect(columnValues(batch, decoder, 2)).toEqual(parsed.map((e) => e.page));
    expect(columnValues(batch, decoder, 3)).toEqual(parsed.map((e) => e.country));
    expect(columnValues(batch, decoder, 4)).toEqual(parsed.map((e) => e.duration_ms));
  });

  it('reads only the requested fields, in the requested order, under other names', () => {
    const decoder = createJsonDecoder([
      { name: 'd', field: 'duration_ms', type: 'DOUBLE' },
      { name: 'when', field: 'ts', type: 'TIMESTAMP' },
    ]);
    const batch = decoder.decode(encodeLines(lines.slice(0, 5000)));
    expect(batch.columns).toHaveLength(2);
    expect(columnValues(batch, decoder, 0)).toEqual(parsed.slice(0, 5000).map((e) => e.duration_ms));
    expect(columnValues(batch, decoder, 1)).toEqual(parsed.slice(0, 5000).map((e) => Date.parse(e.ts)));
  });

  it('keeps dictionary codes stable across decode calls and byte ranges', () => {
    const decoder = createJsonDecoder(CLICK_COLUMNS);
    const bytes = encodeLines(lines.slice(0, 20_000));
    // Split at a line boundary in the middle, and decode the halves as two ranges of one buffer.
    const middle = bytes.indexOf(0x0a, bytes.length >> 1) + 1;
    const first = decoder.decode(bytes, 0, middle);
    const pagesSoFar = [...decoder.dictionary(2)];
    const second = decoder.decode(bytes, middle, bytes.length);
    expect(first.length + second.length).toBe(20_000);
    // Codes handed out earlier still mean the same strings; new strings only append.
    expect(decoder.dictionary(2).slice(0, pagesSoFar.length)).toEqual(pagesSoFar);
    const codeOf = new Map(decoder.dictionary(2).map((p, code) => [p, code]));
    const pages = parsed.slice(0, 20_000).map((e) => codeOf.get(e.page));
    const firstCodes = first.columns[2]!.kind === 'dict' ? Array.from(first.columns[2]!.codes) : [];
    const secondCodes = second.columns[2]!.kind === 'dict' ? Array.from(second.columns[2]!.codes) : [];
    expect([...firstCodes, ...secondCodes]).toEqual(pages);
    // Each distinct string appears once in the dictionary.
    expect(new Set(decoder.dictionary(2)).size).toBe(decoder.dictionary(2).length);
    expect(decoder.dictionary(0)).toEqual([]);
  });

  it('grows the dictionary past many rehashes (50k distinct pages)', () => {
    const distinct = [...generateClickstream({ events: 50_000, seed: 5, distinctPages: true })];
    const decoder = createJsonDecoder([{ name: 'page', type: 'VARCHAR' }]);
    const batch = decoder.decode(encodeLines(distinct));
    expect(decoder.dictionary(0)).toHaveLength(50_000);
    expect(columnValues(batch, decoder, 0)).toEqual(distinct.map((l) => (JSON.parse(l) as Click).page));
    const again = decoder.decode(encodeLines(distinct.slice(0, 100)));
    expect(again.columns[0]!.kind === 'dict' && Array.from(again.columns[0]!.codes)).toEqual(Array.from({ length: 100 }, (_, k) => k));
  });

  it('accepts a Buffer, CRLF line ends, blank lines and a last line without a newline', () => {
    const text = `\r\n${lines[0]}\r\n\r\n   \n${lines[1]}\n \t\r\n\n\r${lines[2]}\n\t`;
    const decoder = createDecoder('json', CLICK_COLUMNS);
    const batch = decoder.decode(Buffer.from(text));
    expect(batch.errors).toEqual([]);
    expect(batch.records).toBe(3);
    expect(columnValues(batch, decoder, 1)).toEqual(parsed.slice(0, 3).map((e) => e.user_id));
  });

  it('never reads past the end of the range it was given', () => {
    const line = '{"ts":"2026-11-25T00:00:10.123Z","user_id":"u1","page":"/products/17"}';
    const bytes = encodeLines([line, line]);
    const decoder = createJsonDecoder(CLICK_COLUMNS);
    decoder.decode(bytes, 0, line.length + 1);
    // Cut the second record at every byte: the cut record is an error, the first is unaffected.
    for (let cut = line.length + 2; cut < bytes.length - 1; cut++) {
      const batch = decoder.decode(bytes, 0, cut);
      expect(batch.length).toBe(1);
      expect(batch.errors.map((e) => e.raw)).toEqual([line.slice(0, cut - line.length - 1)]);
    }
  });

  it('returns an empty batch for empty input', () => {
    const decoder = createJsonDecoder(CLICK_COLUMNS);
    const batch = decoder.decode(new Uint8Array(0));
    expect(batch).toMatchObject({ length: 0, records: 0, errors: [] });
    expect(batch.columns[0]!.kind === 'f64' && batch.columns[0]!.values.length).toBe(0);
  });
});

describe('JSON decoder record layouts', () => {
  const columns: ColumnSpec[] = [
    { name: 'a', type: 'BIGINT' },
    { name: 'b', type: 'VARCHAR' },
    { name: 'c', type: 'DOUBLE' },
  ];

  it('handles records whose keys change order, go missing, or come with extra fields and spaces', () => {
    const lines = [
      '{"a":1,"b":"x","c":1.5}',
      '{"a":2,"b":"y","c":2.5}',
      '{"a":3,"b":"z"}',
      '{"a":4,"b":"w","c":4.5,"d":[1,{"e":"}"}]}',
      '{"c":5.5,"a":5,"b":"v"}',
      '{ "a" : 6 , "b" : "u" , "c" : 6.5 }',
      '{"a":7,"b":"t","c":7.5}',
      '{"x":{"a":99},"a":8,"y":"\\"a\\":1","b":"s"}',
      '{}',
      '{"a":null,"b":null,"c":null}',
      '{"a":9,"a":10,"b":"dup","b":null}',
      '\t{"a":11,"b":"r","c":11.5}\t',
      '{"a":12,"b":"q","c":12.5}',
    ];
    const { rows, batch } = decodeLines(createJsonDecoder(columns), lines);
    expect(batch.errors).toEqual([]);
    const expected = lines.map((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      return ['a', 'b', 'c'].map((k) => (o[k] ?? null) as number | string | null);
    });
    expect(rows).toEqual(expected);
  });

  it('tells apart keys that differ in any one byte, after a layout has been learned', () => {
    // Names of lengths 1..21 so the key literals (4 to 24 bytes) cover every word-tail length.
    const names = Array.from({ length: 21 }, (_, k) => 'abcdefghijklmnopqrstu'.slice(0, k + 1));
    const decoder = createJsonDecoder(names.map((name) => ({ name, type: 'BIGINT' as const })));
    const base = (values: number[], keys = names): string => `{${keys.map((n, k) => `"${n}":${values[k]}`).join(',')}}`;
    const lines = [base(names.map((_, k) => k))];
    const expected: Array<Array<number | null>> = [names.map((_, k) => k)];
    for (let k = 0; k < names.length; k++) {
      for (let at = 0; at < names[k]!.length; at++) {
        const keys = [...names];
        keys[k] = names[k]!.slice(0, at) + 'Z' + names[k]!.slice(at + 1);
        lines.push(base(names.map((_, j) => 100 + j), keys), base(names.map((_, j) => 200 + j)));
        expected.push(names.map((_, j) => (j === k ? null : 100 + j)), names.map((_, j) => 200 + j));
      }
    }
    const { rows, batch } = decodeLines(decoder, lines);
    expect(batch.errors).toEqual([]);
    expect(rows).toEqual(expected);
  });

  it('decodes records whose learned key bytes read as a NaN (they never compare equal) the general way', () => {
    // `{"abcd` then 0xF0 0x7F: as a little-endian double, exponent bits all set and a mantissa, a NaN.
    const key = [0x61, 0x62, 0x63, 0x64, 0xf0, 0x7f, 0x7a];
    const record = (b: number) => [0x7b, 0x22, ...key, 0x22, 0x3a, 0x31, ...new TextEncoder().encode(`,"b":${b}}\n`)];
    const bytes = Uint8Array.from([...record(1), ...record(2), ...record(3)]);
    expect(new DataView(bytes.buffer).getFloat64(0, true)).toBeNaN();
    const decoder = createJsonDecoder([{ name: 'b', type: 'BIGINT' }]);
    const batch = decoder.decode(bytes);
    expect(batch.errors).toEqual([]);
    expect(rows(batch, decoder)).toEqual([[1], [2], [3]]);
  });

  it('feeds one field to several columns', () => {
    const decoder = createJsonDecoder([
      { name: 'n', field: 'v', type: 'BIGINT' },
      { name: 's', field: 'v', type: 'VARCHAR' },
      { name: 'd', field: 'v', type: 'DOUBLE' },
    ]);
    const { rows } = decodeLines(decoder, ['{"v":42}', '{"v":"7"}', '{"w":1}']);
    expect(rows).toEqual([
      [42, '42', 42],
      [7, '7', 7],
      [null, null, null],
    ]);
  });

  it('turns numbers, booleans and nested JSON into text for a VARCHAR column', () => {
    const decoder = createJsonDecoder([{ name: 'v', type: 'VARCHAR' }]);
    const { rows } = decodeLines(decoder, ['{"v":1.50}', '{"v":-0}', '{"v":true}', '{"v":false}', '{"v":{"k":[1, 2]}}', '{"v":[]}', '{"v":"1.50"}']);
    expect(rows.map((r) => r[0])).toEqual(['1.50', '-0', 'true', 'false', '{"k":[1, 2]}', '[]', '1.50']);
    // The number 1.50 and the string "1.50" are the same text, so they share a code.
    expect(decoder.dictionary(0)).toEqual(['1.50', '-0', 'true', 'false', '{"k":[1, 2]}', '[]']);
  });

  it('reads NULL for missing fields and JSON null in every type', () => {
    const types = ['BOOLEAN', 'INTEGER', 'BIGINT', 'DOUBLE', 'DECIMAL', 'VARCHAR', 'TIMESTAMP'] as const;
    const decoder = createJsonDecoder(types.map((type, k) => ({ name: `f${k}`, type })));
    const nulls = `{${types.map((_, k) => `"f${k}":null`).join(',')}}`;
    const batch = decoder.decode(encodeLines([nulls, '{}', '{"other":1}']));
    expect(batch.errors).toEqual([]);
    expect(batch.length).toBe(3);
    for (let c = 0; c < types.length; c++) expect(columnValues(batch, decoder, c)).toEqual([null, null, null]);
    const varchar = batch.columns[5]!;
    expect(varchar.kind === 'dict' && Array.from(varchar.codes)).toEqual([-1, -1, -1]);
    const bool = batch.columns[0]!;
    expect(bool.kind === 'f64' && Array.from(bool.valid)).toEqual([0, 0, 0]);
  });
});
