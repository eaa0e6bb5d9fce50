import { generateClickEvents, type ClickstreamOptions } from '../../bench/clickstream.js';
import type { ChangelogRows } from '../../src/operators/changelog.js';
import { tempDir, writeLines } from '../helpers/run-app.js';

/** Column order of clickstream rows as the operator tests feed them. */
export const CLICK_COLUMNS = ['seq', 'ts', 'user_id', 'page', 'country', 'duration_ms'] as const;
export const SEQ = 0, TS = 1, USER = 2, PAGE = 3, COUNTRY = 4, DURATION = 5;

export interface ClickRows {
  readonly columns: unknown[][];
  readonly count: number;
  /** The same rows as NDJSON, with `seq`, for DuckDB's read_json. */
  readonly path: string;
}

/** Generated clickstream events as columns (ts as epoch ms, `seq` the arrival index) and as a file. */
export function clickRows(opts: ClickstreamOptions): ClickRows {
  const columns: unknown[][] = CLICK_COLUMNS.map(() => []);
  const lines: string[] = [];
  let seq = 0;
  for (const e of generateClickEvents(opts)) {
    const values = [seq, Date.parse(e.ts), e.user_id, e.page, e.country, e.duration_ms];
    values.forEach((v, c) => columns[c]!.push(v));
    lines.push(JSON.stringify({ seq, ts: e.ts, user_id: e.user_id, page: e.page, country: e.country, duration_ms: e.duration_ms }));
    seq++;
  }
  return { columns, count: seq, path: writeLines(tempDir('sluice-ops-'), 'clicks.ndjson', lines) };
}

export function duckClicks(path: string): string {
  return `read_json('${path.replace(/'/g, "''")}', format = 'newline_delimited', columns = {seq: 'BIGINT', ts: 'TIMESTAMP', user_id: 'VARCHAR', page: 'VARCHAR', country: 'VARCHAR', duration_ms: 'BIGINT'})`;
}

/** Rows [from, to) as one insert-only batch, ROWTIME = ts. */
export function slice(rows: { columns: unknown[][] }, from: number, to: number): ChangelogRows {
  const columns = rows.columns.map((c) => c.slice(from, to));
  return { count: to - from, columns, rowtimes: columns[TS] as number[] };
}
