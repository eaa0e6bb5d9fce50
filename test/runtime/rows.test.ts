import { describe, it, expect } from 'vitest';
import { mulberry32 } from '../../bench/clickstream.js';
import { toNdjson, toNdjsonBytes, toObjects } from '../../src/runtime/rows.js';
import type { Field } from '../../src/planner/types.js';

const FIELDS: Field[] = [
  { name: 'window_start', type: 'TIMESTAMP' },
  { name: 'page', type: 'VARCHAR' },
  { name: 'views', type: 'BIGINT' },
  { name: 'avg "ms"', type: 'DOUBLE' },
  { name: 'ok', type: 'BOOLEAN' },
];

describe('output rows as NDJSON', () => {
  it('writes the text JSON.stringify gives for each row object, special values included', () => {
    const random = mulberry32(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const texts = ['/a', '', 'quote " and \\ backslash', 'line\nbreak', 'é中😀', '\u2028', '\ud800', 'long "'.repeat(60)];
    const numbers = [0, -0, 1.5, -3, 1e21, 1e-7, NaN, Infinity, -Infinity, 2 ** 53];
    // More than two of toNdjsonBytes' 512-row blocks.
    const n = 1300;
    const columns: unknown[][] = [[], [], [], [], []];
    for (let r = 0; r < n; r++) {
      // Timestamps repeat in runs, as a window's rows do, and sometimes go back to an earlier one.
      columns[0]!.push(random() < 0.05 ? null : Date.UTC(2026, 10, 25) + Math.floor(r / 20) * 10_000 - (random() < 0.1 ? 10_000 : 0));
      columns[1]!.push(random() < 0.1 ? null : pick(texts));
      columns[2]!.push(random() < 0.1 ? null : random() < 0.5 ? Math.floor(random() * 1000) : 7.9);
      columns[3]!.push(random() < 0.1 ? undefined : pick(numbers));
      columns[4]!.push(random() < 0.1 ? null : random() < 0.5);
    }
    const rows = { count: n, columns, rowtimes: new Array<number>(n).fill(0) };
    const expected = toObjects(rows, FIELDS).map((o) => JSON.stringify(o) + '\n').join('');
    expect(toNdjson(rows, FIELDS)).toBe(expected);
    expect(toNdjsonBytes(rows, FIELDS).toString('utf8')).toBe(expected);
    // The cached ISO text is the one a fresh Date gives.
    const line = JSON.parse(toNdjson({ count: 1, columns: [[Date.UTC(2026, 10, 25, 0, 0, 10)], ['/a'], [1], [2], [true]], rowtimes: [0] }, FIELDS).trim()) as Record<string, unknown>;
    expect(line).toEqual({ window_start: '2026-11-25T00:00:10.000Z', page: '/a', views: 1, 'avg "ms"': 2, ok: true });
  });

  it('keeps one value per name, as an object does, when names repeat', () => {
    const fields: Field[] = [{ name: 'a', type: 'BIGINT' }, { name: 'a', type: 'BIGINT' }];
    expect(toNdjson({ count: 1, columns: [[1], [2]], rowtimes: [0] }, fields)).toBe('{"a":2}\n');
    expect(toNdjsonBytes({ count: 1, columns: [[1], [2]], rowtimes: [0] }, fields).toString()).toBe('{"a":2}\n');
    expect(toNdjsonBytes({ count: 0, columns: [[], []], rowtimes: [] }, fields).length).toBe(0);
    expect(toNdjson({ count: 1, columns: [], rowtimes: [0] }, [])).toBe('{}\n');
  });

  it('orders integer names first, as an object does', () => {
    for (const names of [['page', '2024', '7'], ['b', '0', 'a'], ['x', '4294967294', '4294967295', '01', '-1', '1.5']]) {
      const fields: Field[] = names.map((name) => ({ name, type: 'BIGINT' }));
      const rows = { count: 2, columns: names.map((_, c) => [c, c + 10]), rowtimes: [0, 0] };
      expect(toNdjson(rows, fields)).toBe(toObjects(rows, fields).map((o) => JSON.stringify(o) + '\n').join(''));
    }
    expect(toNdjson({ count: 1, columns: [[1], [2]], rowtimes: [0] }, [{ name: 'page', type: 'BIGINT' }, { name: '2024', type: 'BIGINT' }])).toBe('{"2024":2,"page":1}\n');
  });
});
