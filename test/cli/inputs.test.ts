import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateClickstream } from '../../bench/clickstream.js';
import { tempDir } from '../helpers/run-app.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const sluice = (args: string[], input?: string) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000, cwd: dir, ...(input !== undefined ? { input } : {}) });

let dir = '';
let events: Record<string, unknown>[] = [];
const total = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as { views: number }).reduce((n, r) => n + r.views, 0);
const COLUMNS = ['ts', 'user_id', 'page', 'country', 'duration_ms'];
const DECLARED = `CREATE STREAM clicks (ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
CREATE STREAM page_views AS
SELECT window_start, page, COUNT(*) AS views, SUM(duration_ms) AS dwell
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, page;`;
const csv = (cols: string[], header: boolean) => (header ? cols.join(',') + '\n' : '') + events.map((e) => cols.map((c) => String(e[c])).join(',')).join('\n') + '\n';
const ndjson = () => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

beforeAll(() => {
  dir = tempDir('sluice-inputs-');
  events = [...generateClickstream({ events: 3000, seed: 9, pages: 5 })].map((l) => JSON.parse(l) as Record<string, unknown>);
  writeFileSync(join(dir, 'app.sql'), DECLARED);
});

describe('sluice run input formats', () => {
  it('reads the same rows from .ndjson, .json (an array), .csv with a header in another order, .csv without one, .csv.gz, .ndjson.gz and stdin', () => {
    const reference = sluice(['run', 'app.sql', '--input', `clicks=${writeFile('e.ndjson', ndjson())}`]);
    expect(reference.status, reference.stderr).toBe(0);
    expect(total(reference.stdout)).toBe(3000);
    const rows = (out: string) => out.trim().split('\n').sort();
    const shuffled = ['page', 'duration_ms', 'country', 'ts', 'user_id'];
    const array = '[\n' + events.map((e) => JSON.stringify(e, null, 2)).join(',\n') + '\n]\n';
    const cases: [string, string | Buffer][] = [
      ['e.json', array],
      ['header.csv', csv(shuffled, true)],
      ['plain.csv', csv(COLUMNS, false)],
      ['e.csv.gz', gzipSync(csv(shuffled, true))],
      ['e.ndjson.gz', gzipSync(ndjson())],
      ['no-extension', csv(COLUMNS, true)],
      ['bom.csv', '\ufeff' + csv(shuffled, true)],
    ];
    for (const [name, content] of cases) {
      const r = sluice(['run', 'app.sql', '--input', `clicks=${writeFile(name, content)}`]);
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stderr, name).toMatch(/3000 records .*, 0 errors;/);
      expect(rows(r.stdout), name).toEqual(rows(reference.stdout));
    }
    // Two inputs of one stream, in two formats, are read one after the other, each as its own.
    const half = events.length / 2;
    const firstHalf = events.slice(0, half).map((e) => JSON.stringify(e)).join('\n') + '\n';
    const secondHalf = shuffled.join(',') + '\n' + events.slice(half).map((e) => shuffled.map((c) => String(e[c])).join(',')).join('\n') + '\n';
    const mixed = sluice(['run', 'app.sql', '--input', `clicks=${writeFile('half.ndjson', firstHalf)}`, '--input', `clicks=${writeFile('half.csv', secondHalf)}`]);
    expect(mixed.status, mixed.stderr).toBe(0);
    expect(rows(mixed.stdout)).toEqual(rows(reference.stdout));
    const piped = sluice(['run', 'app.sql', '--input', 'clicks=-'], csv(shuffled, true));
    expect(piped.status, piped.stderr).toBe(0);
    expect(rows(piped.stdout)).toEqual(rows(reference.stdout));
  });

  it("a stream declared WITH (format = 'json') reads a .csv as JSON, and says so when every record fails", () => {
    writeFileSync(join(dir, 'json-app.sql'), DECLARED.replace(");\nCREATE STREAM page_views", ") WITH (format = 'json');\nCREATE STREAM page_views"));
    const r = sluice(['run', 'json-app.sql', '--input', `clicks=${writeFile('as-json.csv', csv(COLUMNS, true))}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("every record (3001) was an error (clicks is declared WITH (format = 'json'))");
  });

  it('a CSV header that lacks a declared column is named', () => {
    const r = sluice(['run', 'app.sql', '--input', `clicks=${writeFile('short.csv', csv(['ts', 'page', 'user_id'], true))}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the header row has no column country (it has ts, page, user_id)');
  });

  it('a KDA application discovers a CSV input with its header as column names, in run and in explain', () => {
    writeFileSync(join(dir, 'kda.sql'), `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (page VARCHAR(16), views BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM page, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
GROUP BY page, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`);
    const input = writeFile('kda.csv.gz', gzipSync(csv(COLUMNS, true)));
    const r = sluice(['run', 'kda.sql', '--input', `SOURCE_SQL_STREAM_001=${input}`, '--rowtime-from', 'ts']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('discovered SOURCE_SQL_STREAM_001 (ts TIMESTAMP, user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT)');
    // KDA upper-cases the unquoted column names.
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { VIEWS: number }).reduce((n, x) => n + x.VIEWS, 0)).toBe(3000);
    const e = sluice(['explain', 'kda.sql', '--input', `SOURCE_SQL_STREAM_001=${input}`]);
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout).toContain('Scan: SOURCE_SQL_STREAM_001 columns=[page, ROWTIME]');
    const without = sluice(['explain', 'kda.sql']);
    expect(without.status).toBe(2);
    expect(without.stderr).toContain('unknown stream "SOURCE_SQL_STREAM_001"');
    expect(without.stderr).toContain('discover its columns from a file with sluice run/explain --input NAME=FILE');
  });
});

function writeFile(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
