import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runApp } from './helpers/run-app.js';
import { Engine } from '../src/runtime/engine.js';
import { SqlDiagnosticsError } from '../src/sql/diagnostics.js';

/**
 * The golden corpus: each test/queries/*.sql is an application. A first line `-- fail: <text>`
 * expects a diagnostic containing <text> (rendered with line, column and caret); otherwise
 * `-- input:` files are replayed record by record and the `-- output:` stream must equal
 * NAME.expected.ndjson (as a set of rows), with and without worker threads. UPDATE_GOLDEN=1 writes
 * missing expectations.
 */
const dir = new URL('./queries/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();

function header(sql: string, key: string): string | undefined {
  return new RegExp(`^-- ${key}: (.*)$`, 'm').exec(sql)?.[1]?.trim();
}

describe('golden SQL corpus', () => {
  it('has both results and expected errors', () => {
    expect(files.filter((f) => f.startsWith('err-')).length).toBeGreaterThanOrEqual(8);
    expect(files.filter((f) => !f.startsWith('err-')).length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    const sql = readFileSync(join(dir, file), 'utf8');
    const fail = header(sql, 'fail');
    if (fail) {
      it(`${file} fails with "${fail}"`, async () => {
        const engine = new Engine();
        try {
          await engine.executeScript(sql, file);
          expect.fail('expected a diagnostic');
        } catch (e) {
          expect(e).toBeInstanceOf(SqlDiagnosticsError);
          const rendered = (e as Error).message;
          expect(rendered).toContain(fail);
          expect(rendered).toMatch(new RegExp(`--> ${file.replace('.', '\\.')}:\\d+:\\d+`));
          expect(rendered).toMatch(/\n\s*\|\s*\^+/);
          expect(rendered).not.toMatch(/\bat .*\.(js|ts):\d+/);
        } finally {
          await engine.close();
        }
      });
      continue;
    }
    for (const workers of [0, 2]) it(`${file} (${workers} workers)`, async () => {
      const inputs: Record<string, string> = {};
      for (const pair of (header(sql, 'input') ?? '').split(/\s+/).filter(Boolean)) {
        const [name, path] = pair.split('=');
        inputs[name!] = join(dir, 'data', path!);
      }
      const output = header(sql, 'output')!;
      const rowtimeFrom = header(sql, 'rowtime-from');
      const { rows } = await runApp(sql, inputs, { chunkBytes: 64, workers, fileName: join(dir, file), ...(rowtimeFrom ? { rowtimeFrom } : {}) });
      const got = (rows[output] ?? []).map((r) => JSON.stringify(r)).sort();
      const expectedPath = join(dir, file.replace(/\.sql$/, '.expected.ndjson'));
      if (!existsSync(expectedPath) && process.env['UPDATE_GOLDEN']) writeFileSync(expectedPath, got.join('\n') + '\n');
      const expected = readFileSync(expectedPath, 'utf8').split('\n').filter(Boolean).sort();
      expect(got).toEqual(expected);
    });
  }
});
