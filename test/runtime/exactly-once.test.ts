import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import { runCrashScenario } from '../../bench/crash-scenario.js';
import { tempDir } from '../helpers/run-app.js';

// Runs dist/src/cli/main.js in child processes: build first (npm test does).
describe('exactly-once results across crashes (sluice start --data --app)', () => {
  const dir = tempDir('sluice-exactly-once-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a run SIGKILLed six times (at protocol steps, after checkpoints, at random) ends with the DuckDB table, the Parquet parts and the NDJSON file of an undisturbed run, each row once', async () => {
    const r = await runCrashScenario({ dir, events: 120_000, seed: 3, kills: 6, checkpointMs: 50 });
    expect(r.kills).toHaveLength(6);
    expect(r.expected).toBeGreaterThan(2000);
    expect(r.problems).toEqual([]);
    expect(r.crashed.duckdb).toEqual(r.baseline.duckdb);
    expect(r.crashed.parquet).toEqual(r.baseline.parquet);
    expect(r.crashed.ndjson).toEqual(r.baseline.ndjson);
    expect(new Set(r.crashed.duckdb).size).toBe(r.crashed.duckdb.length);
    expect(r.matched).toBe(true);
  }, 90_000);
});
