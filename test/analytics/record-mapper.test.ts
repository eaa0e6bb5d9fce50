import { describe, expect, it } from 'vitest';
import { recordMapper, type RecordColumn, type RecordMapper, type SourceSchema } from '../../src/analytics/record-mapper.js';

const json = (columns: RecordColumn[], rowPath = '$'): SourceSchema => ({
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: rowPath } } },
  RecordColumns: columns,
});
const csv = (columns: RecordColumn[], column = ',', row = '\n'): SourceSchema => ({
  RecordFormat: { RecordFormatType: 'CSV', MappingParameters: { CSVMappingParameters: { RecordColumnDelimiter: column, RecordRowDelimiter: row } } },
  RecordColumns: columns,
});
const mapper = (schema: SourceSchema): RecordMapper => {
  const m = recordMapper(schema);
  if (typeof m === 'string') throw new Error(m);
  return m;
};

describe('JSON records mapped as KDA maps them', () => {
  it("converts JSON values to each column's SQL type by the Developer Guide's rules", () => {
    const m = mapper(json([
      { Name: 'N', Mapping: '$.v', SqlType: 'INTEGER' },
      { Name: 'S', Mapping: '$.v', SqlType: 'VARCHAR(4)' },
      { Name: 'B', Mapping: '$.v', SqlType: 'BOOLEAN' },
    ]));
    const row = (v: unknown) => m.rows(JSON.stringify({ v }))![0];
    expect(row(null)).toEqual([null, null, null]);
    expect(row(true)).toEqual([1, 'true', true]);
    expect(row(false)).toEqual([0, 'fals', false]);
    expect(row(0)).toEqual([0, '0', false]);
    expect(row(12)).toEqual([12, '12', true]);
    expect(row('42')).toEqual([42, '42', false]);
    expect(row('TRUE')).toEqual(['TRUE', 'TRUE', true]);
    expect(row('longer text')).toEqual(['longer text', 'long', false]);
    expect(row([1, 2])).toEqual([[1, 2], '[1,2', [1, 2]]);
    expect(m.rows('{}')![0]).toEqual([null, null, null]);
  });

  it('reads nested members, quoted members, indexes and whole arrays', () => {
    const m = mapper(json([
      { Name: 'CITY', Mapping: '$.address.city', SqlType: 'VARCHAR(16)' },
      { Name: 'ODD', Mapping: "$['odd key'].x", SqlType: 'INTEGER' },
      { Name: 'SECOND', Mapping: '$.orders[1].id', SqlType: 'VARCHAR(8)' },
      { Name: 'ALL', Mapping: '$.orders[0:]', SqlType: 'VARCHAR(64)' },
      { Name: 'CASE', Mapping: '$.Address.city', SqlType: 'VARCHAR(16)' },
    ]));
    const record = { address: { city: 'Anytown' }, 'odd key': { x: 3 }, orders: [{ id: 'a' }, { id: 'b' }] };
    expect(m.rows(JSON.stringify(record))).toEqual([['Anytown', 3, 'b', '[{"id":"a"},{"id":"b"}]', null]]);
  });

  it('makes a row per element of a flattened array, a row of nulls for an empty one, and rows per element of RecordRowPath', () => {
    const m = mapper(json([{ Name: 'WHO', Mapping: '$.who', SqlType: 'VARCHAR(8)' }, { Name: 'ID', Mapping: '$.items[0:].id', SqlType: 'INTEGER' }, { Name: 'Q', Mapping: '$.items[0:].q', SqlType: 'INTEGER' }]));
    expect(m.rows('{"who":"x","items":[{"id":1,"q":5},{"id":2}]}')).toEqual([['x', 1, 5], ['x', 2, null]]);
    expect(m.rows('{"who":"y","items":[]}')).toEqual([['y', null, null]]);
    const rows = mapper(json([{ Name: 'ID', Mapping: '$.id', SqlType: 'INTEGER' }], '$.records[0:]'));
    expect(rows.rows('{"records":[{"id":1},{"id":2}]}')).toEqual([[1], [2]]);
  });

  it('writes NDJSON lines keyed by column name, and leaves a record that is not JSON for the decoder to report', () => {
    const m = mapper(json([{ Name: 'A', Mapping: '$.a', SqlType: 'BIGINT' }]));
    expect(m.lines('{"a":5,"b":6}')).toBe('{"A":5}\n');
    expect(m.lines('not json\nat all')).toBe('not json at all\n');
    const chunk = m.toChunk([{ sequenceNumber: '1', approximateArrivalTimestamp: 0, partitionKey: 'k', data: Buffer.from('{"a":1}') }, { sequenceNumber: '2', approximateArrivalTimestamp: 0, partitionKey: 'k', data: Buffer.from('{"a":2}') }]);
    expect(Buffer.from(chunk).toString()).toBe('{"A":1}\n{"A":2}\n');
  });

  it('refuses what KDA refuses in a schema', () => {
    expect(recordMapper(json([{ Name: 'A', SqlType: 'INTEGER' }]))).toMatch(/needs a Mapping/);
    expect(recordMapper(json([{ Name: 'A', Mapping: '$.a[0:].b[0:].c', SqlType: 'INTEGER' }]))).toMatch(/one level of array/);
    expect(recordMapper(json([{ Name: 'A', Mapping: '$.a', SqlType: 'VARBINARY(8)' }]))).toMatch(/not supported by Sluice/);
    expect(recordMapper(json([{ Name: 'A', Mapping: '$.a', SqlType: 'INTEGER' }, { Name: 'A', Mapping: '$.b', SqlType: 'INTEGER' }]))).toMatch(/mapped twice/);
    expect(recordMapper(json([{ Name: 'ROWTIME', Mapping: '$.a', SqlType: 'TIMESTAMP' }]))).toMatch(/ROWTIME/);
  });
});

describe('CSV records mapped as KDA maps them', () => {
  it('splits rows and columns by the delimiters, reads columns in order, and honours quotes', () => {
    const m = mapper(csv([{ Name: 'NAME', SqlType: 'VARCHAR(16)' }, { Name: 'QTY', SqlType: 'INTEGER' }, { Name: 'OK', SqlType: 'BOOLEAN' }], '||', '\r\n'));
    expect(m.rows('"a||b"||3||true\r\nplain||||\r\n')).toEqual([['a||b', 3, true], ['plain', null, null]]);
    expect(m.rows('short')).toEqual([['short', null, null]]);
  });

  it('takes a whole-number Mapping as the field position', () => {
    const m = mapper(csv([{ Name: 'SECOND', Mapping: '1', SqlType: 'VARCHAR(8)' }, { Name: 'FIRST', Mapping: '0', SqlType: 'DOUBLE' }]));
    expect(m.rows('2.5,two,three')).toEqual([['two', 2.5]]);
    expect(recordMapper(csv([{ Name: 'A', Mapping: '$.a', SqlType: 'INTEGER' }]))).toMatch(/field position/);
  });
});
