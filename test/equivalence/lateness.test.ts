import { describe, it, expect, beforeAll } from 'vitest';
import { generateClickstream } from '../../bench/clickstream.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import type { Row } from '../../src/runtime/rows.js';

/**
 * Which rows are late must not depend on how the input is cut into chunks or how many threads
 * decode it: the watermark moves on row by row within a chunk, as if each record were read alone.
 * The reference is 64-byte chunks (a record each); every other cut and the worker path must agree.
 * Sessions are compared by the rows they count per user: where a chunk's own rows close a session
 * and then reach back into it, the chunk keeps one session where a record at a time makes two.
 */
const APP = `CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '300' MILLISECOND
) WITH (format = 'json');
CREATE STREAM by_page AS SELECT window_start, page, COUNT(*) AS n
  FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '2' SECOND)) GROUP BY window_start, window_end, page;
CREATE STREAM hopping AS SELECT window_start, window_end, COUNT(*) AS n, SUM(duration_ms) AS ms
  FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '3' SECOND)) GROUP BY window_start, window_end;
CREATE STREAM filtered AS SELECT window_start, country, COUNT(*) AS n
  FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '2' SECOND)) WHERE country <> 'XX' GROUP BY window_start, window_end, country;
CREATE STREAM sessions AS SELECT window_start, window_end, user_id, COUNT(*) AS n
  FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, user_id;
CREATE STREAM cumulative AS SELECT window_start, window_end, page, country, COUNT(*) AS n, MAX(duration_ms) AS top
  FROM TABLE(CUMULATE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '4' SECOND)) GROUP BY window_start, window_end, page, country;
CREATE STREAM windowed AS SELECT window_start, page, duration_ms
  FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '2' SECOND)) WHERE duration_ms > 5000;`;

const STREAMS = ['by_page', 'hopping', 'filtered', 'cumulative', 'sessions', 'windowed'];
let input = '';

beforeAll(() => {
  // Up to 1 s of jitter against a 300 ms delay, and every 211th record a minute behind: many late rows.
  const lines = [...generateClickstream({ events: 4000, seed: 21, pages: 6, users: 30, eventsPerSecond: 200, maxLatenessMs: 1000 })].map((line, k) => {
    if (k % 211 !== 100) return line;
    const rec = JSON.parse(line) as { ts: string };
    return JSON.stringify({ ...rec, ts: new Date(Date.parse(rec.ts) - 60_000).toISOString() });
  });
  input = writeLines(tempDir(), 'clicks.ndjson', lines);
});

async function run(opts: { chunkBytes: number; workers?: number }) {
  const { rows } = await runApp(APP, { clicks: input }, opts);
  const sorted = (xs: Row[] | undefined) => (xs ?? []).map((r) => JSON.stringify(r)).sort();
  const out: Record<string, string[]> = Object.fromEntries(STREAMS.filter((s) => s !== 'sessions').map((s) => [s, sorted(rows[s])]));
  const perUser = new Map<string, number>();
  for (const r of rows['sessions'] ?? []) perUser.set(String(r['user_id']), (perUser.get(String(r['user_id'])) ?? 0) + Number(r['n']));
  out['sessions'] = [...perUser].map(([u, n]) => `${u} ${n}`).sort();
  const late = (rows['error_stream'] ?? []).filter((e) => e['ERROR_NAME'] === 'LATE_ROW').map((e) => `${String(e['PUMP_NAME'])} ${String(e['DATA_ROW'])}`).sort();
  return { out, late };
}

describe('late rows', () => {
  let reference: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    reference = await run({ chunkBytes: 64 });
  });

  it('the reference has late rows in every query and output in every stream', () => {
    for (const s of STREAMS) expect(reference.out[s]!.length, s).toBeGreaterThan(0);
    for (const q of ['by_page', 'hopping', 'filtered', 'cumulative', 'sessions']) expect(reference.late.some((l) => l.startsWith(`${q} `)), q).toBe(true);
  });

  it.each([1024, 16 * 1024, 1 << 20])('%i-byte chunks give the same rows and the same late rows', async (chunkBytes) => {
    const got = await run({ chunkBytes });
    expect(got.late).toEqual(reference.late);
    expect(got.out).toEqual(reference.out);
  });

  it('2 workers with 1 MiB chunks give the same rows and the same late rows', async () => {
    const got = await run({ chunkBytes: 1 << 20, workers: 2 });
    expect(got.late).toEqual(reference.late);
    expect(got.out).toEqual(reference.out);
  });
});
