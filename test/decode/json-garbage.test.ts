import { describe, it, expect } from 'vitest';
import { generateClickstream, mulberry32 } from '../../bench/clickstream.js';
import { createJsonDecoder } from '../../src/decode/json-decoder.js';
import type { ColumnSpec } from '../../src/decode/types.js';
import { columnValues, encodeLines } from './helpers.js';

/** What JSON.parse says about a line: a record (plain object) or not. */
function isRecord(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

describe('JSON decoder on bad records', () => {
  const columns: ColumnSpec[] = [
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'page', type: 'VARCHAR' },
  ];
  const good = '{"ts":"2026-11-25T00:00:00.000Z","page":"/a","n":[1,{"x":null}]}';

  it('reports each kind of broken line with its index and raw text, and keeps the good rows', () => {
    const bad = [
      '{"ts":"2026-11-25T00:00:00Z"',
      '{"ts":"2026-11-25T00:00:00Z",}',
      '{"ts" "x"}',
      '{ts:1}',
      '[1,2]',
      '"just a string"',
      '42',
      'null',
      'garbage',
      '{"page":"/a"}}',
      '{"page":"/a"} x',
      '{"n":[1,2}',
      '{"n":{"b":1]}',
      '{"n":tru}',
      '{"n":nul}',
      '{"n":01}',
      '{"n":1.}',
      '{"n":-}',
      '{"n":.5}',
      '{"n":"tab\there"}',
      '{"n":"\\q"}',
      '{"n":"\\u12G4"}',
      '{"page":"unterminated}',
      '{"page":"/a",',
      '{"n":[[[[[[',
      '{"n":"\\"}',
      '{"page":"/a" "n":1}',
      '{,}',
      '{"page":"/a"',
      '\u00a0{"page":"/a"}',
    ];
    const lines = bad.flatMap((b) => [b, good]);
    const decoder = createJsonDecoder(columns);
    const batch = decoder.decode(encodeLines(lines, '\r\n'));
    expect(batch.records).toBe(lines.length);
    expect(batch.length).toBe(bad.length);
    expect(batch.errors.map((e) => e.raw)).toEqual(bad);
    expect(batch.errors.map((e) => e.record)).toEqual(bad.map((_, k) => 2 * k));
    for (const e of batch.errors) expect(e.message).toMatch(/^(invalid JSON at byte \d+: .+|record is (a JSON array, )?not (a JSON )?(an )?object)$/);
    expect(columnValues(batch, decoder, 1)).toEqual(bad.map(() => '/a'));
    expect(columnValues(batch, decoder, 0)).toEqual(bad.map(() => Date.parse('2026-11-25T00:00:00.000Z')));
  });

  it('says where and why', () => {
    const decoder = createJsonDecoder(columns);
    const batch = decoder.decode(encodeLines(['[1]', '{"ts":"2026-11-25T00:00:00Z",}', '{"page":"x', '{"page":"x"} y', 'hello']));
    expect(batch.errors.map((e) => e.message)).toEqual([
      'record is a JSON array, not an object',
      "invalid JSON at byte 29: expected a field name",
      'invalid JSON at byte 10: unterminated string',
      'invalid JSON at byte 13: unexpected text after the object',
      'record is not a JSON object',
    ]);
  });

  it('treats an empty object as a record of NULLs', () => {
    const decoder = createJsonDecoder(columns);
    const batch = decoder.decode(encodeLines(['{}', ' { } ']));
    expect(batch.errors).toEqual([]);
    expect(columnValues(batch, decoder, 0)).toEqual([null, null]);
  });

  it('rejects lines of random bytes (agreeing with JSON.parse) and stays in step', () => {
    const random = mulberry32(17);
    const alphabet = '{}[]":,\\ abc01-.eEtrufnl\t\r';
    const lines: string[] = [];
    for (let k = 0; k < 3000; k++) {
      let s = '';
      const len = 1 + Math.floor(random() * 30);
      for (let j = 0; j < len; j++) s += random() < 0.9 ? alphabet[Math.floor(random() * alphabet.length)] : String.fromCharCode(Math.floor(random() * 0x3000) + 1);
      if (s.includes('\n') || s.trim() === '') continue;
      lines.push(s);
      lines.push(good);
    }
    const varchar = createJsonDecoder([{ name: 'page', type: 'VARCHAR' }]);
    const batch = varchar.decode(encodeLines(lines));
    const expectedBad = lines.map((l, k) => (isRecord(l) ? -1 : k)).filter((k) => k >= 0);
    expect(batch.errors.map((e) => e.record)).toEqual(expectedBad);
    expect(batch.length).toBe(lines.length - expectedBad.length);
  });

  it('agrees with JSON.parse on 20k truncated and mutated clickstream lines', () => {
    const random = mulberry32(23);
    const source = [...generateClickstream({ events: 20_000, seed: 4 })];
    const nasty = '{}[]":,\\ x0-.e\t\u0001é';
    const lines = source.map((line, k) => {
      const at = Math.floor(random() * line.length);
      if (k % 3 === 0) return line.slice(0, Math.max(1, at));
      if (k % 3 === 1) return line.slice(0, at) + nasty[Math.floor(random() * nasty.length)] + line.slice(at + 1);
      return line;
    });
    // VARCHAR columns accept any JSON value, so only the structure decides.
    const decoder = createJsonDecoder(['ts', 'user_id', 'page', 'country', 'duration_ms'].map((name) => ({ name, type: 'VARCHAR' as const })));
    const batch = decoder.decode(encodeLines(lines));
    const expectedBad = lines.map((l, k) => (isRecord(l) ? -1 : k)).filter((k) => k >= 0);
    expect(batch.errors.map((e) => e.record)).toEqual(expectedBad);
    const goodLines = lines.filter((l) => isRecord(l)).map((l) => JSON.parse(l) as Record<string, unknown>);
    // Strings come back as themselves; other values as their text as written (so parse it back).
    for (const [c, key] of [[2, 'page'], [4, 'duration_ms']] as const) {
      const got = columnValues(batch, decoder, c).map((v, r) => (typeof goodLines[r]![key] === 'string' || v === null ? v : JSON.parse(v as string)));
      expect(got).toEqual(goodLines.map((o) => o[key] ?? null));
    }
  });

  it('reports coercion errors with the column name and the value as written', () => {
    const decoder = createJsonDecoder([
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 'duration_ms', type: 'BIGINT' },
    ]);
    const lines = [
      '{"ts":"2026-11-25T00:00:00Z","duration_ms":"abc"}',
      '{"ts":"not a time","duration_ms":1}',
      '{"ts":"2026-11-25T00:00:01Z","duration_ms":2.5}',
      '{"ts":"2026-11-25T00:00:02Z","duration_ms":"' + 'x'.repeat(200) + '"}',
      '{"ts":"2026-11-25T00:00:03Z","duration_ms":3}',
    ];
    const batch = decoder.decode(encodeLines(lines));
    expect(batch.errors.map((e) => e.message)).toEqual([
      'cannot coerce "abc" to BIGINT for column duration_ms',
      'cannot coerce "not a time" to TIMESTAMP for column ts',
      'cannot coerce 2.5 to BIGINT for column duration_ms',
      `cannot coerce "${'x'.repeat(63)}… to BIGINT for column duration_ms`,
    ]);
    expect(batch.errors.map((e) => e.raw)).toEqual(lines.slice(0, 4));
    expect(batch.length).toBe(1);
    expect(columnValues(batch, decoder, 0)).toEqual([Date.parse('2026-11-25T00:00:03Z')]);
    expect(columnValues(batch, decoder, 1)).toEqual([3]);
  });
});
