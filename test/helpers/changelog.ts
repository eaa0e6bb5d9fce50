import { expect } from 'vitest';
import type { Row } from '../../src/runtime/rows.js';

/** The clickstream stream as the equivalence tests declare it (bench/clickstream.ts writes its records). */
export const CLICKS_DDL = `CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');`;

/**
 * The table a changelog leaves: +I and +U (and rows without `op`) add their row, -U and -D take
 * one equal row away; taking away a row that is not there fails the test.
 */
export function finalTable(rows: Row[]): Row[] {
  const table = new Map<string, number>();
  for (const r of rows) {
    const { op, ...values } = r;
    const key = JSON.stringify(values);
    const n = table.get(key) ?? 0;
    if (op === undefined || op === '+I' || op === '+U') table.set(key, n + 1);
    else {
      expect(n, `${String(op)} of a row not in the table: ${key}`).toBeGreaterThan(0);
      if (n === 1) table.delete(key);
      else table.set(key, n - 1);
    }
  }
  return [...table].flatMap(([k, n]) => Array.from({ length: n }, () => JSON.parse(k) as Row));
}
