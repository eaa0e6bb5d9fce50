import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProgress } from '../../src/cli/progress.js';
import { generateClickstream } from '../../bench/clickstream.js';
import { tempDir } from '../helpers/run-app.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const SCRIPT = '/usr/bin/script';
const APP = `CREATE STREAM clicks (ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT);
CREATE STREAM copy AS SELECT page FROM clicks;`;

describe('progress of sluice run', () => {
  it('formats bytes of total, percentage, rate, ETA, rows out and errors', () => {
    expect(formatProgress({ bytesRead: 412e6, totalBytes: 535e6, records: 3_900_000, rowsOut: 25_050, errors: 2, elapsedMs: 1000 })).toBe(
      '412/535 MB (77%) · 3.9M rec/s · ETA 0:00 · 25,050 rows out · 2 errors',
    );
    expect(formatProgress({ bytesRead: 5.5e6, totalBytes: 40e6, records: 52_000, rowsOut: 0, errors: 1, elapsedMs: 2000 })).toBe(
      '5.5/40.0 MB (13%) · 26k rec/s · ETA 0:13 · 0 rows out · 1 error',
    );
    expect(formatProgress({ bytesRead: 3e9, totalBytes: 9e9, records: 9e6, rowsOut: 10, errors: 0, elapsedMs: 3_600_000 })).toMatch(/^3000\/9000 MB \(33%\) · 2500 rec\/s · ETA 2:00:00 · /);
    expect(formatProgress({ bytesRead: 1.25e6, totalBytes: null, records: 900, rowsOut: 3, errors: 0, elapsedMs: 3000 })).toBe('1.25 MB read · 300 rec/s · 3 rows out · 0 errors');
    expect(formatProgress({ bytesRead: 40e6, totalBytes: 40e6, records: 1e6, rowsOut: 3, errors: 0, elapsedMs: 2000, closing: true })).toBe('40.0/40.0 MB (100%) · 500k rec/s · closing windows · 3 rows out · 0 errors');
  });

  it('prints nothing but the summary when stderr is not a terminal', async () => {
    const dir = tempDir('sluice-progress-');
    writeFileSync(join(dir, 'app.sql'), APP);
    const r = await slowRun(dir, (cmd) => spawn('/bin/sh', ['-c', cmd], { cwd: dir }));
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toContain('\r');
    expect(r.err).toMatch(/^sluice run: 600 records in \d+\.\d+ s .*\n$/);
  });

  it.skipIf(!existsSync(SCRIPT))('on a terminal (a pseudo-TTY from script), redraws one line in place for a run over a second', async () => {
    const dir = tempDir('sluice-progress-');
    writeFileSync(join(dir, 'app.sql'), APP);
    const r = await slowRun(dir, (cmd) => spawn(SCRIPT, ['-qec', cmd, '/dev/null'], { cwd: dir }));
    expect(r.code, r.out).toBe(0);
    const frames = r.out.split('\r').filter((f) => f.includes('rows out'));
    expect(frames.length).toBeGreaterThan(0);
    expect(frames[0]).toMatch(/MB read · \d+ rec\/s · \d[\d,]* rows out · 0 errors\x1b\[K/);
    // The line is erased before the summary.
    expect(r.out).toMatch(/\r\x1b\[Ksluice run: 600 records/);
  });
});

/** A run fed from stdin for ~3.6 s (stdin has no total size), so it outlasts a second even when the machine is slow to start it. */
async function slowRun(dir: string, start: (cmd: string) => ReturnType<typeof spawn>): Promise<{ code: number | null; out: string; err: string }> {
  const lines = [...generateClickstream({ events: 600, seed: 4, pages: 3 })];
  const producer = join(dir, 'producer.mjs');
  writeFileSync(producer, `const lines = ${JSON.stringify(lines)};
for (let i = 0; i < 12; i++) { process.stdout.write(lines.slice(i * 50, i * 50 + 50).join('\\n') + '\\n'); await new Promise((r) => setTimeout(r, 300)); }`);
  const child = start(`${JSON.stringify(process.execPath)} producer.mjs | ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} run app.sql --input clicks=- --output copy=copy.ndjson`);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, out, err };
}

