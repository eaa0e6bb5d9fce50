import { describe, it, expect } from 'vitest';
import { csvHeader, csvPositions, formatFromName, jsonArrayLines, sniffFormat, splitCsvLine } from '../../src/runtime/input-format.js';
import type { Field } from '../../src/planner/types.js';

const fields = (...names: string[]): Field[] => names.map((name) => ({ name, type: name === 'ts' ? 'TIMESTAMP' : name === 'n' ? 'BIGINT' : 'VARCHAR' }));

describe('input formats', () => {
  it('takes the format from the file name, else from the first bytes', () => {
    expect(['a.csv', 'a.CSV.gz', 'a.ndjson', 'a.jsonl', 'a.json', 'a.ndjson.gz', 'a.txt', '-'].map(formatFromName)).toEqual(['csv', 'csv', 'json', 'json', 'json', 'json', null, null]);
    expect(sniffFormat(Buffer.from('\n  {"a":1}'))).toBe('json');
    expect(sniffFormat(Buffer.from('[{"a":1}]'))).toBe('json');
    expect(sniffFormat(Buffer.from('\ufeffts,page\n'))).toBe('csv');
  });

  it('splits CSV lines with quotes', () => {
    expect(splitCsvLine('a,"b, c","say ""hi""",\r')).toEqual(['a', 'b, c', 'say "hi"', '']);
  });

  it('recognises a header row, never a record', () => {
    const rows = ['2026-01-01T00:00:00Z,/a,3', '2026-01-01T00:00:01Z,/b,4'];
    expect(csvHeader(['ts,page,n', ...rows])).toEqual(['ts', 'page', 'n']);
    expect(csvHeader(['time,url,count', ...rows], fields('ts', 'page', 'n'))).toEqual(['time', 'url', 'count']);
    expect(csvHeader(rows)).toBeNull();
    expect(csvHeader(rows, fields('ts', 'page', 'n'))).toBeNull();
    // Text columns only: a first line naming declared columns is a header; one that does not, a record.
    expect(csvHeader(['page,user', 'home,u1'], fields('page', 'user'))).toEqual(['page', 'user']);
    expect(csvHeader(['home,u1', 'about,u2'], fields('page', 'user'))).toBeNull();
    expect(csvHeader(['a,a', '1,2'])).toBeNull();
    expect(csvPositions(['page', 'TS', 'n'], fields('ts', 'n', 'page'))).toEqual({ positions: [1, 2, 0] });
    expect(csvPositions(['page'], fields('ts', 'page'))).toEqual({ missing: 'ts' });
  });

  it('streams a JSON array as one value per line, across chunk boundaries and with newlines inside values', async () => {
    const text = '[\n {"a": "x,]}\\"\\n",\n  "b": [1, 2]},\n {"c": {"d": null}}\n]\n';
    async function* chunks() {
      for (let i = 0; i < text.length; i += 3) yield Buffer.from(text.slice(i, i + 3));
    }
    let out = '';
    for await (const part of jsonArrayLines(chunks())) out += Buffer.from(part).toString();
    const lines = out.split('\n').filter((l) => l.trim());
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ a: 'x,]}"\n', b: [1, 2] }, { c: { d: null } }]);
  });
});
