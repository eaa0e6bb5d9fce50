import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateClickstream } from '../../bench/clickstream.js';
import { tempDir, writeLines } from '../helpers/run-app.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const sluice = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });

let dir = '';
let clicks = '';
beforeAll(() => {
  dir = tempDir();
  clicks = writeLines(dir, 'clicks.ndjson', [...generateClickstream({ events: 5000, seed: 3, pages: 4 }), '{"broken": ']);
});

const FLINK_APP = `CREATE STREAM clicks (ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH (format = 'json');
CREATE STREAM page_views AS
SELECT window_start, window_end, page, COUNT(*) AS views
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY window_start, window_end, page;`;

describe('sluice run', () => {
  it('writes an updating result as its changelog, or with --final as its final table', () => {
    const app = join(dir, 'updating.sql');
    writeFileSync(app, `CREATE STREAM clicks (ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT) WITH (format = 'json');
CREATE STREAM per_page AS SELECT page, COUNT(*) AS views FROM clicks GROUP BY page;`);
    const log = sluice(['run', app, '--input', `clicks=${clicks}`]);
    expect(log.status, log.stderr).toBe(0);
    const changes = log.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(changes.every((c) => ['+I', '-U', '+U', '-D'].includes(c.op))).toBe(true);
    const applied = new Map<string, number>();
    for (const { op, page, views } of changes) {
      if (op === '+I' || op === '+U') applied.set(page, views);
      else applied.delete(page);
    }
    const final = sluice(['run', app, '--input', `clicks=${clicks}`, '--final']);
    expect(final.status, final.stderr).toBe(0);
    const table = final.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(table).toHaveLength(4);
    expect(Object.keys(table[0])).toEqual(['page', 'views']);
    expect(table.reduce((n, x) => n + x.views, 0)).toBe(5000);
    expect(final.stderr).toMatch(/per_page: 4 rows/);
    expect(Object.fromEntries(table.map((r) => [r.page, r.views]))).toEqual(Object.fromEntries(applied));
  });

  it('writes each --output stream as NDJSON and error rows to error_stream', () => {
    const app = join(dir, 'app.sql');
    writeFileSync(app, FLINK_APP);
    const out = join(dir, 'views.ndjson');
    const errs = join(dir, 'errors.ndjson');
    const r = sluice(['run', app, '--input', `clicks=${clicks}`, '--output', `page_views=${out}`, '--output', `error_stream=${errs}`, '--workers', '2']);
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.reduce((n, x) => n + x.views, 0)).toBe(5000);
    expect(Object.keys(rows[0])).toEqual(['window_start', 'window_end', 'page', 'views']);
    expect(rows[0].window_start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const errors = readFileSync(errs, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ ERROR_NAME: 'PARSE_ERROR', DATA_ROW: '{"broken": ' });
    expect(r.stderr).toMatch(/5001 records .* 1 row to error_stream;/);
  });

  it('still prints the last output stream to stdout when only error_stream is named', () => {
    const app = join(dir, 'app-errors.sql');
    writeFileSync(app, FLINK_APP);
    const errs = join(dir, 'only-errors.ndjson');
    const r = sluice(['run', app, '--input', `clicks=${clicks}`, '--output', `error_stream=${errs}`, '--workers', '0']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l)).reduce((n, x) => n + x.views, 0)).toBe(5000);
    expect(readFileSync(errs, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('runs a KDA application unchanged, discovering the source schema, to stdout', () => {
    const app = join(dir, 'kda.sql');
    writeFileSync(app, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (page VARCHAR(64), views BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM page, COUNT(*) AS views
FROM "SOURCE_SQL_STREAM_001"
GROUP BY page, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`);
    const a = sluice(['run', app, '--input', `SOURCE_SQL_STREAM_001=${clicks}`, '--rowtime-from', 'ts']);
    const b = sluice(['run', app, '--input', `SOURCE_SQL_STREAM_001=${clicks}`, '--rowtime-from', 'ts', '--workers', '0']);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toContain('discovered SOURCE_SQL_STREAM_001 (ts TIMESTAMP, user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT)');
    const rows = a.stdout.trim().split('\n').map((l) => JSON.parse(l));
    // KDA upper-cases the unquoted column names page and views.
    expect(Object.keys(rows[0])).toEqual(['PAGE', 'VIEWS']);
    expect(rows.reduce((n, x) => n + x.VIEWS, 0)).toBe(5000);
    expect(a.stdout.split('\n').sort()).toEqual(b.stdout.split('\n').sort());
  });

  it('--rowtime-from makes a discovered column a TIMESTAMP despite bad samples, and refuses a declared text column', () => {
    const app = join(dir, 'kda-rowtime.sql');
    writeFileSync(app, `CREATE OR REPLACE STREAM "DEST" (views BIGINT, t TIMESTAMP);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
SELECT STREAM COUNT(*), FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE) FROM "SOURCE_SQL_STREAM_001"
GROUP BY FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE);`);
    const input = writeLines(dir, 'bad-ts.ndjson', ['{"ts":"2026-11-25T00:00:01.000Z","page":"/a"}', '{"ts":"soon","page":"/a"}', '{"ts":"2026-11-25T00:01:02.000Z","page":"/b"}']);
    const r = sluice(['run', app, '--input', `SOURCE_SQL_STREAM_001=${input}`, '--rowtime-from', 'ts', '--workers', '0']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('discovered SOURCE_SQL_STREAM_001 (ts TIMESTAMP, page VARCHAR)');
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ VIEWS: 1, T: '2026-11-25T00:00:00.000Z' }, { VIEWS: 1, T: '2026-11-25T00:01:00.000Z' }]);
    expect(r.stderr).toMatch(/1 row to error_stream \(--output error_stream=FILE keeps them\)/);
    const declared = join(dir, 'declared.sql');
    writeFileSync(declared, FLINK_APP);
    const text = sluice(['run', declared, '--input', `clicks=${input}`, '--rowtime-from', 'page', '--workers', '0']);
    expect(text.status).toBe(2);
    expect(text.stderr).toContain('ROWTIME replays from a TIMESTAMP');
  });

  it('exits 2 with diagnostics for a bad application, and never prints a stack trace', () => {
    const app = join(dir, 'bad.sql');
    writeFileSync(app, `CREATE STREAM clicks (ts TIMESTAMP, page VARCHAR);\nCREATE STREAM x AS SELECT STREAM pgae, COUNT(*) FROM clicks GROUP BY pgae;`);
    const r = sluice(['run', app, '--input', `clicks=${clicks}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--> ${app}:2:`);
    expect(r.stderr).toContain('unknown column pgae');
    expect(r.stderr).toContain('did you mean PAGE?');
    expect(r.stderr).toMatch(/\|\s+\^+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('explains plans, and says clearly what is wrong with its arguments', () => {
    const app = join(dir, 'app.sql');
    writeFileSync(app, FLINK_APP);
    const e = sluice(['explain', app]);
    expect(e.status).toBe(0);
    expect(e.stdout).toContain('WindowAggregate: tumble(ts, size=1s) keys=[page] aggs=[COUNT(*)]');
    expect(e.stdout).toContain('Scan: clicks columns=[ts, page]');
    const missing = sluice(['run', app, '--input', `clicks=${join(dir, 'nope.ndjson')}`]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`--input clicks=${join(dir, 'nope.ndjson')}: no such file`);
    const badPair = sluice(['run', app, '--input', 'clicks']);
    expect(badPair.status).toBe(2);
    expect(badPair.stderr).toContain('--input takes STREAM=FILE');
  });
  it('runs an application with a JavaScript function from the folder of its script (--workers 2)', () => {
    const app = join(dir, 'udf-app.sql');
    writeFileSync(join(dir, 'slashes.mjs'), "export function slashes(s) { return s.split('/').length - 1; }\nslashes.returns = 'INTEGER';\n");
    writeFileSync(app, `CREATE FUNCTION slashes AS './slashes.mjs' LANGUAGE JAVASCRIPT;
${FLINK_APP.split(';')[0]};
CREATE STREAM out AS SELECT page, slashes(page) AS n, DATE_FORMAT(ts, 'yyyy-MM-dd') AS day FROM clicks WHERE page = '/products/1';`);
    const r = sluice(['run', app, '--input', `clicks=${clicks}`, '--workers', '2']);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThan(0);
    // The first events' times jitter back across midnight.
    for (const row of rows) expect([{ page: '/products/1', n: 2, day: '2026-11-24' }, { page: '/products/1', n: 2, day: '2026-11-25' }]).toContainEqual(row);
  });
});
