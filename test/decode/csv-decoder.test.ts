import { describe, it, expect } from 'vitest';
import { generateClickstream, generateClickstreamCsv } from '../../bench/clickstream.js';
import { createCsvDecoder } from '../../src/decode/csv-decoder.js';
import { createDecoder } from '../../src/decode/index.js';
import type { ColumnSpec } from '../../src/decode/types.js';
import { columnValues, encodeLines, rows } from './helpers.js';

const CLICK_COLUMNS: ColumnSpec[] = [
  { name: 'ts', type: 'TIMESTAMP' },
  { name: 'user_id', type: 'VARCHAR' },
  { name: 'page', type: 'VARCHAR' },
  { name: 'country', type: 'VARCHAR' },
  { name: 'duration_ms', type: 'BIGINT' },
];

describe('CSV decoder', () => {
  it('decodes generated clickstream CSV to the same columns as the JSON decoder', () => {
    const options = { events: 20_000, seed: 8 };
    const csv = createDecoder('csv', CLICK_COLUMNS);
    const json = createDecoder('json', CLICK_COLUMNS);
    const fromCsv = csv.decode(encodeLines([...generateClickstreamCsv(options)]));
    const fromJson = json.decode(encodeLines([...generateClickstream(options)]));
    expect(fromCsv.errors).toEqual([]);
    expect(fromCsv.length).toBe(20_000);
    expect(rows(fromCsv, csv)).toEqual(rows(fromJson, json));
  });

  it('reads fields by position, skipping the ones no column needs', () => {
    const decoder = createCsvDecoder([
      { name: 'page', type: 'VARCHAR', position: 2 },
      { name: 'ts', type: 'TIMESTAMP', position: 0 },
    ]);
    const batch = decoder.decode(encodeLines(['2026-11-25T00:00:01Z,u1,/a,DE,5', '2026-11-25 00:00:02,u2,/b,extra,fields,"are, fine"']));
    expect(batch.errors).toEqual([]);
    expect(rows(batch, decoder)).toEqual([
      ['/a', Date.parse('2026-11-25T00:00:01Z')],
      ['/b', Date.parse('2026-11-25T00:00:02Z')],
    ]);
  });

  it('follows RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quotes', () => {
    const decoder = createCsvDecoder([
      { name: 'a', type: 'VARCHAR' },
      { name: 'b', type: 'BIGINT' },
      { name: 'c', type: 'VARCHAR' },
    ]);
    const text = ['"x,y",1,"say ""hi"""', '"multi\nline ""q""",2,plain', '"",3,""""', 'é中,4,"😀"', '"crlf\r\ninside",5,z'].join('\r\n') + '\r\n';
    const batch = decoder.decode(new TextEncoder().encode(text));
    expect(batch.errors).toEqual([]);
    expect(batch.records).toBe(5);
    expect(rows(batch, decoder)).toEqual([
      ['x,y', 1, 'say "hi"'],
      ['multi\nline "q"', 2, 'plain'],
      ['', 3, '"'],
      ['é中', 4, '😀'],
      ['crlf\r\ninside', 5, 'z'],
    ]);
  });

  it('reads an empty unquoted field as NULL and a quoted one as the empty string', () => {
    const decoder = createCsvDecoder([
      { name: 's', type: 'VARCHAR' },
      { name: 'n', type: 'DOUBLE' },
      { name: 't', type: 'TIMESTAMP' },
    ]);
    const batch = decoder.decode(encodeLines([',,', '"","",""', 'x,1.5,2026-11-25']));
    expect(batch.errors).toEqual([]);
    expect(rows(batch, decoder)).toEqual([
      [null, null, null],
      ['', null, null],
      ['x', 1.5, Date.parse('2026-11-25T00:00:00Z')],
    ]);
  });

  it('takes another delimiter, coerces text, and skips blank lines', () => {
    const decoder = createCsvDecoder(
      [
        { name: 'ok', type: 'BOOLEAN' },
        { name: 'n', type: 'INTEGER' },
        { name: 'ts', type: 'TIMESTAMP' },
      ],
      { delimiter: ';' },
    );
    const batch = decoder.decode(encodeLines(['true;42;1764028810123', '', ' \t', 'FALSE;-7;"2026-11-25T00:00:10.5+01:00"', '\r']));
    expect(batch.errors).toEqual([]);
    expect(batch.records).toBe(2);
    expect(rows(batch, decoder)).toEqual([
      [1, 42, 1764028810123],
      [0, -7, Date.parse('2026-11-24T23:00:10.5Z')],
    ]);
    const tabs = createCsvDecoder([{ name: 'b', type: 'VARCHAR', position: 1 }], { delimiter: '\t' });
    expect(columnValues(tabs.decode(encodeLines(['a\tb,c\td'])), tabs, 0)).toEqual(['b,c']);
    expect(() => createCsvDecoder([], { delimiter: '"' })).toThrow(/delimiter/);
    expect(() => createCsvDecoder([], { delimiter: '::' })).toThrow(/delimiter/);
  });

  it('reports missing fields, coercion failures and broken quotes, keeping the good rows', () => {
    const decoder = createCsvDecoder([
      { name: 'id', type: 'BIGINT', position: 0 },
      { name: 'name', type: 'VARCHAR', position: 1 },
      { name: 'when', type: 'TIMESTAMP', position: 3 },
    ]);
    const lines = [
      '1,a,x,2026-11-25',
      '2,b',
      'abc,c,x,2026-11-25',
      '3,d,x,soon',
      '4,"e"x,x,2026-11-25',
      '5,"unterminated,x,2026-11-25',
      '6,f,x,2026-11-26',
      '7.5,g,x,2026-11-25',
    ];
    const batch = decoder.decode(encodeLines(lines));
    expect(batch.errors.map((e) => [e.record, e.message])).toEqual([
      [1, 'record has 2 fields, column when reads field 3'],
      [2, 'cannot coerce "abc" to BIGINT for column id'],
      [3, 'cannot coerce "soon" to TIMESTAMP for column when'],
      [4, 'unexpected character after the closing quote of field 1'],
      [5, 'unterminated quoted field 1'],
      [7, 'cannot coerce "7.5" to BIGINT for column id'],
    ]);
    expect(batch.errors.map((e) => e.raw)).toEqual([lines[1], lines[2], lines[3], lines[4], lines[5], lines[7]]);
    expect(rows(batch, decoder)).toEqual([
      [1, 'a', Date.parse('2026-11-25T00:00:00Z')],
      [6, 'f', Date.parse('2026-11-26T00:00:00Z')],
    ]);
  });

  it('keeps dictionary codes stable across calls', () => {
    const decoder = createCsvDecoder([{ name: 'c', type: 'VARCHAR' }]);
    const first = decoder.decode(encodeLines(['DE', 'US', 'DE']));
    const second = decoder.decode(encodeLines(['US', 'FR', '"DE"']));
    const codes = (b: typeof first): number[] => (b.columns[0]!.kind === 'dict' ? Array.from(b.columns[0]!.codes) : []);
    expect(codes(first)).toEqual([0, 1, 0]);
    expect(codes(second)).toEqual([1, 2, 0]);
    expect(decoder.dictionary(0)).toEqual(['DE', 'US', 'FR']);
  });
});
