import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/runtime/engine.js';
import { LogStore } from '../../src/ingest/index.js';
import { toObjects, type Row } from '../../src/runtime/rows.js';

const APP = `CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH (source = 'kinesis', stream = 'clickstream');
CREATE STREAM views AS SELECT window_start, page, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, page;`;

const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 0, 0, s)).toISOString();
const records = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ partitionKey: `k${(from + i) % 5}`, data: Buffer.from(JSON.stringify({ ts: at(from + i), page: `/p${(from + i) % 2}` })) }));

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function run(log: LogStore, dir: string, workers: number, rows: Row[]): Promise<Engine> {
  const engine = new Engine({ workers, log, checkpoint: { dir, intervalMs: 60_000 } });
  engine.execute(APP);
  engine.on('views', (r, def) => rows.push(...toObjects(r, def.fields.slice(0, -1))));
  await engine.resume();
  return engine;
}

describe('an application survives a restart', () => {
  for (const workers of [0, 2]) {
    it(`resumes from its checkpoint: windows spanning the restart count every record once (${workers} workers)`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'sluice-restart-'));
      const appDir = join(dataDir, 'apps', 'test');
      const log = await LogStore.open(dataDir);
      const stream = await log.createStream('clickstream', 3);
      const rows: Row[] = [];
      try {
        // Before the restart: [0, 10) closes; [10, 20) is half full when the engine stops.
        let engine = await run(log, appDir, workers, rows);
        await stream.append(records(0, 15));
        await until(() => rows.length === 2);
        await engine.close();
        // After: the rest of [10, 20) and [20, 30); nothing read twice, nothing lost.
        engine = await run(log, appDir, workers, rows);
        await stream.append(records(15, 32));
        await until(() => rows.length >= 6);
        await engine.close();
      } finally {
        await log.close();
      }
      const count = (w: number) => rows.filter((r) => r['window_start'] === at(w)).reduce((n, r) => n + (r['n'] as number), 0);
      expect([count(0), count(10), count(20)]).toEqual([10, 10, 10]);
      expect(rows).toHaveLength(6);
    });
  }
});
