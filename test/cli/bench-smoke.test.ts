import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/run-app.js';

const bench = fileURLToPath(new URL('../../dist/bench/run-bench.js', import.meta.url));

describe('npm run bench (a tiny run)', () => {
  it('times sluice run beside DuckDB in and out of process, and both count the same windows', () => {
    // A folder of its own: a real `npm run bench` keeps its data in the temp folder's sluice-bench.
    const dir = tempDir();
    const r = spawnSync(process.execPath, ['--expose-gc', bench], {
      encoding: 'utf8',
      timeout: 50_000,
      env: { ...process.env, BENCH_EVENTS: '3000', BENCH_ROUNDS: '1', BENCH_KEYS: '20000', BENCH_DIR: dir },
    });
    expect(r.status, r.stderr).toBe(0);
    for (const label of ['DuckDB read_json + GROUP BY time_bucket, 1 thread', 'DuckDB as a process, start to exit', 'sluice run --workers 0, replay', 'sluice run --workers 0, whole process']) {
      expect(r.stdout).toContain(label);
    }
    expect(r.stdout).toMatch(/x DuckDB as a process/);
    const rows = /rows out: DuckDB (\d+) \(as a process (\d+)\), sluice (\d+)/.exec(r.stdout);
    expect(rows, r.stdout).not.toBeNull();
    expect(Number(rows![1])).toBeGreaterThan(0);
    expect(rows![2]).toBe(rows![1]);
    expect(rows![3]).toBe(rows![1]);
    // The two output files hold the same (window, page, views) rows.
    const key = (o: { window_start: string; page: string; views: number }) => `${new Date(o.window_start.replace(' ', 'T') + (o.window_start.endsWith('Z') ? '' : 'Z')).toISOString()} ${o.page} ${o.views}`;
    const read = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => key(JSON.parse(l))).sort();
    expect(read('duckdb-page-views.ndjson')).toEqual(read('page_views.ndjson'));
    // The state figure of a tiny run is noise (a few KB of heap either way); the line must be there.
    expect(r.stdout).toMatch(/open window state: 20000 groups, -?\d+ bytes per open group/);
    rmSync(dir, { recursive: true, force: true });
  });
});
