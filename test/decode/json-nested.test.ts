import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { generateNexmark } from '../../bench/nexmark.js';
import { createJsonDecoder } from '../../src/decode/json-decoder.js';
import type { ColumnSpec } from '../../src/decode/types.js';
import { columnValues, decodeLines, encodeLines } from './helpers.js';

const leaf = (path: string[], type: ColumnSpec['type']): ColumnSpec => ({ name: path.join('.'), type, path });

/** Every leaf of Nexmark's datagen table, the way a stream declared with its DDL decodes it. */
const NEXMARK_COLUMNS: ColumnSpec[] = [
  { name: 'event_type', type: 'INTEGER' },
  ...(['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra'] as const).map((f) => leaf(['person', f], f === 'id' ? 'BIGINT' : f === 'dateTime' ? 'TIMESTAMP' : 'VARCHAR')),
  ...(['id', 'itemName', 'description', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category', 'extra'] as const).map((f) => leaf(['auction', f], ['id', 'initialBid', 'reserve', 'seller', 'category'].includes(f) ? 'BIGINT' : f === 'dateTime' || f === 'expires' ? 'TIMESTAMP' : 'VARCHAR')),
  ...(['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra'] as const).map((f) => leaf(['bid', f], f === 'channel' || f === 'url' || f === 'extra' ? 'VARCHAR' : f === 'dateTime' ? 'TIMESTAMP' : 'BIGINT')),
];

/** What JSON.parse finds at a column's path: NULL where an object on the way is null or missing. */
function expected(record: unknown, spec: ColumnSpec): unknown {
  let v: unknown = record;
  for (const key of spec.path ?? [spec.field ?? spec.name]) {
    if (v === null || v === undefined) return null;
    v = (v as Record<string, unknown>)[key];
  }
  if (v === undefined || v === null) return null;
  return spec.type === 'TIMESTAMP' ? Date.parse(v as string) : v;
}

describe('JSON decoder reading fields of nested objects', () => {
  it('reads leaves at any depth; a null or missing object, or a missing key, is NULL', () => {
    const columns = [leaf(['a', 'x'], 'BIGINT'), leaf(['a', 'b', 'y'], 'VARCHAR'), { name: 'top', type: 'DOUBLE' } as ColumnSpec, leaf(['a', 'b', 'z'], 'TIMESTAMP')];
    const { rows, batch } = decodeLines(createJsonDecoder(columns), [
      '{"a":{"x":1,"b":{"y":"one","z":"2026-01-01T00:00:00.001Z"}},"top":1.5}',
      '{"a":{"x":2,"b":null},"top":2}',
      '{"a":null,"top":3}',
      '{"top":4}',
      '{"a":{"b":{"z":null,"y":"five","w":[1,{"y":"no"}]},"x":5}}',
      '{ "a" : { "x" : 6 , "b" : { "y" : "six" } } , "top" : 6 }',
      '{"a":{},"top":7}',
      '{"a":{"x":8,"b":{}},"top":8}',
    ]);
    expect(batch.errors).toEqual([]);
    expect(rows).toEqual([
      [1, 'one', 1.5, Date.parse('2026-01-01T00:00:00.001Z')],
      [2, null, 2, null],
      [null, null, 3, null],
      [null, null, 4, null],
      [5, 'five', null, null],
      [6, 'six', 6, null],
      [null, null, 7, null],
      [8, null, 8, null],
    ]);
  });

  it('agrees with JSON.parse on every leaf of 20k Nexmark events, fresh and reusing, in uneven chunks', () => {
    const lines = [...generateNexmark({ events: 20_000, seed: 3 })];
    const parsed = lines.map((l) => JSON.parse(l) as unknown);
    for (const reuseColumns of [false, true]) {
      const decoder = createJsonDecoder(NEXMARK_COLUMNS, { reuseColumns });
      const bytes = encodeLines(lines);
      let from = 0;
      let record = 0;
      for (const size of [1, 7, 50, 333, 4096, 20_000]) {
        if (record >= lines.length) break;
        const count = Math.min(size, lines.length - record);
        let end = from;
        for (let k = 0; k < count; k++) end = bytes.indexOf(0x0a, end) + 1;
        const batch = decoder.decode(bytes, from, end);
        expect(batch.errors).toEqual([]);
        expect(batch.length).toBe(count);
        NEXMARK_COLUMNS.forEach((spec, c) => expect(columnValues(batch, decoder, c)).toEqual(parsed.slice(record, record + count).map((p) => expected(p, spec))));
        from = end;
        record += count;
      }
    }
  });

  it('sends a value that does not fit a nested column, or a ROW that is not an object, to the errors', () => {
    const columns = [leaf(['bid', 'price'], 'BIGINT'), leaf(['bid', 'channel'], 'VARCHAR')];
    const good = '{"bid":{"price":1,"channel":"a"}}';
    const bad = ['{"bid":{"price":"cheap","channel":"a"}}', '{"bid":5}', '{"bid":"x"}', '{"bid":[1]}', '{"bid":{"price":1,"channel":"a"}', '{"bid":{"price":1,,"channel":"a"}}', '{"bid":nul}'];
    const decoder = createJsonDecoder(columns);
    const batch = decoder.decode(encodeLines(bad.flatMap((b) => [good, b])));
    expect(batch.length).toBe(bad.length);
    expect(batch.errors.map((e) => e.raw)).toEqual(bad);
    expect(batch.errors.slice(0, 4).map((e) => e.message)).toEqual([
      'cannot coerce "cheap" to BIGINT for column bid.price',
      'cannot coerce 5 to ROW for column bid',
      'cannot coerce "x" to ROW for column bid',
      'cannot coerce [1] to ROW for column bid',
    ]);
    for (const e of batch.errors.slice(4)) expect(e.message).toMatch(/^invalid JSON at byte \d+/);
    expect(columnValues(batch, decoder, 0)).toEqual(bad.map(() => 1));
  });

  it('refuses a column reading a value that other columns read fields of', () => {
    expect(() => createJsonDecoder([{ name: 'bid', type: 'VARCHAR' }, leaf(['bid', 'price'], 'BIGINT')])).toThrow(/reads a value where another column reads fields inside it/);
    expect(() => createJsonDecoder([leaf(['bid', 'price'], 'BIGINT'), { name: 'bid', type: 'VARCHAR' }])).toThrow(TypeError);
  });

  it('matches JSON.parse on records of random nested layouts, keys in any order, blanks and escapes included', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'x', '\\u0078', 'b\\u0061');
    const scalar = fc.oneof(fc.integer({ min: -1000, max: 1000 }).map(String), fc.constantFrom('null', '"s"', '"t\\"u"', 'true', '[1, {"a":2}]'));
    const space = fc.constantFrom('', ' ');
    // Keys are unique within an object: which of two equal keys wins is not something a record should rely on.
    const object = (depth: number): fc.Arbitrary<string> => fc.uniqueArray(fc.tuple(key, depth > 0 ? fc.oneof(scalar, object(depth - 1)) : scalar, space), { maxLength: 4, selector: ([k]) => JSON.parse(`"${k}"`) as string })
      .map((members) => `{${members.map(([k, v, s]) => `${s}"${k}":${s}${v}`).join(',')}}`);
    const columns = [leaf(['a', 'b'], 'VARCHAR'), leaf(['a', 'c', 'x'], 'VARCHAR'), { name: 'x', type: 'VARCHAR' } as ColumnSpec, leaf(['c', 'a'], 'VARCHAR')];
    // A VARCHAR column reads numbers, booleans and nested JSON as their text.
    const asText = (v: unknown) => (v === null || typeof v === 'string' ? v : typeof v === 'object' ? v : String(v));
    fc.assert(fc.property(fc.array(object(3), { minLength: 1, maxLength: 30 }), (lines) => {
      const decoder = createJsonDecoder(columns);
      const batch = decoder.decode(encodeLines(lines));
      const good: unknown[] = [];
      const bad: string[] = [];
      for (const line of lines) {
        const record = JSON.parse(line) as Record<string, unknown>;
        // A value on the way to a column's field that is neither an object nor null makes the record bad.
        const fits = columns.every((spec) => {
          let v: unknown = record;
          for (const k of spec.path ?? [spec.name]) {
            if (v === null || v === undefined) return true;
            if (typeof v !== 'object' || Array.isArray(v)) return false;
            v = (v as Record<string, unknown>)[k];
          }
          return true;
        });
        if (fits) good.push(record);
        else bad.push(line);
      }
      expect(batch.errors.map((e) => e.raw)).toEqual(bad);
      columns.forEach((spec, c) => {
        const got = columnValues(batch, decoder, c).map((v, r) => (typeof expected(good[r], spec) === 'object' && v !== null ? JSON.parse(v as string) : v));
        expect(got).toEqual(good.map((g) => asText(expected(g, spec))));
      });
    }), { numRuns: 300 });
  });
});
