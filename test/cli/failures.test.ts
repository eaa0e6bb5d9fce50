import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateClickstream } from '../../bench/clickstream.js';
import { tempDir, writeLines } from '../helpers/run-app.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function sluice(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const env = { ...process.env, ...opts.env };
  delete env['SLUICE_DEBUG'];
  if (opts.env?.['SLUICE_DEBUG']) env['SLUICE_DEBUG'] = opts.env['SLUICE_DEBUG'];
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000, cwd: opts.cwd ?? dir, env });
}

/** The failure is one line on stderr, with the exit code, and no stack trace. */
function expectOneLine(r: { status: number | null; stderr: string }, code: number, text: string): void {
  expect(r.status, r.stderr).toBe(code);
  expect(r.stderr).toContain(text);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

let dir = '';
let clicks = '';
let app = '';
const APP = `CREATE STREAM clicks (ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
CREATE STREAM page_views AS
SELECT window_start, window_end, page, COUNT(*) AS views
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY window_start, window_end, page;`;

beforeAll(() => {
  dir = tempDir('sluice-cli-');
  clicks = writeLines(dir, 'clicks.ndjson', generateClickstream({ events: 2000, seed: 5, pages: 4 }));
  app = join(dir, 'app.sql');
  writeFileSync(app, APP);
});

describe('help and version', () => {
  it('--help on every command prints usage, options and an example, exits 0 and does nothing', () => {
    const cwd = join(dir, 'empty');
    mkdirSync(cwd, { recursive: true });
    for (const command of ['run', 'start', 'explain', 'demo']) {
      for (const flag of ['--help', '-h']) {
        const r = sluice([command, flag], { cwd });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toContain(`usage: sluice ${command}`);
        expect(r.stdout).toMatch(/options:\n {2}--/);
        expect(r.stdout).toMatch(/examples?:\n {2}sluice /);
        expect(r.stderr).toBe('');
      }
    }
    // `sluice start --help` once started a server and created ./data.
    expect(existsSync(join(cwd, 'data'))).toBe(false);
    const help = sluice(['start', '--port', '0', '--help'], { cwd });
    expect(help.status).toBe(0);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('--version, -v, --help, -h and no arguments at all', () => {
    for (const flag of ['--version', '-v']) {
      const r = sluice([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`sluice ${version}\n`);
    }
    for (const args of [['--help'], ['-h'], []]) {
      const r = sluice(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('usage: sluice COMMAND [options]');
      expect(r.stdout).toContain('Exit codes: 0 success, 1');
    }
  });
});

describe('bad usage: one line naming the argument, exit 2', () => {
  it.each([
    [['run', 'app.sql', '--input', 'clicks=clicks.ndjson', '--wokers', '2'], 'sluice run: unknown option --wokers (did you mean --workers?)'],
    [['start', '--memroy'], 'sluice start: unknown option --memroy (did you mean --memory?)'],
    [['run', 'app.sql', '--inptu', 'clicks=clicks.ndjson'], 'sluice run: unknown option --inptu (did you mean --input?)'],
    [['run', 'app.sql', '--input', 'clicks=clicks.ndjson', 'extra.sql'], "sluice run: unexpected argument 'extra.sql' (sluice run takes APP.sql)"],
    [['start', 'now'], "sluice start: unexpected argument 'now' (sluice start takes no arguments)"],
    [['run', 'app.sql', '--input'], 'sluice run: --input needs a value (--input STREAM=FILE)'],
    [['run', 'app.sql'], 'sluice run: missing --input STREAM=FILE'],
    [['run', 'app.sql', '--input', 'clicks'], "sluice run: --input takes STREAM=FILE, got 'clicks'"],
    [['run', 'app.sql', '--input', 'clicks=clicks.ndjson', '--workers', 'two'], "sluice run: --workers takes a whole number, got 'two'"],
    [['run', 'app.sql', '--input', 'clicks=clicks.ndjson', '--rowtime-from', 'tss'], '--rowtime-from tss: stream clicks has no column tss (did you mean ts?)'],
    [['start', '--memory=yes'], 'sluice start: --memory takes no value'],
    [['start', '--port', '70000'], "sluice start: --port takes a whole number from 0 to 65535, got '70000'"],
    [['strat'], "sluice: unknown command 'strat' (did you mean start?)"],
    [['--verison'], 'sluice: unknown option --verison before a command (did you mean --version?)'],
    [['run', 'nosuch.sql', '--input', 'clicks=clicks.ndjson'], 'sluice run: no such application file: nosuch.sql'],
  ])('sluice %j', (args, message) => {
    expectOneLine(sluice(args), 2, message);
  });
});

describe('runs that cannot do their job: one line, exit 1', () => {
  it('an input that no query reads names the streams that are read', () => {
    expectOneLine(sluice(['run', 'app.sql', '--input', 'nosuch=clicks.ndjson']), 1, 'sluice run: --input nosuch=clicks.ndjson: no query reads a stream nosuch; the application reads clicks');
    expectOneLine(sluice(['run', 'app.sql', '--input', 'click=clicks.ndjson']), 1, 'no query reads a stream click (did you mean clicks?); the application reads clicks');
  });

  it('every record an error', () => {
    const bad = writeLines(dir, 'bad.ndjson', ['not json', '{"ts": "soon"', 'also not']);
    expectOneLine(sluice(['run', 'app.sql', '--input', `clicks=${bad}`]), 1, `--input clicks=${bad}: every record (3) was an error (read as JSON); the first: `);
  });

  it('a missing input, a folder as input, an output into a missing folder, an unknown output stream', () => {
    expectOneLine(sluice(['run', 'app.sql', '--input', 'clicks=nope.ndjson']), 1, 'sluice run: --input clicks=nope.ndjson: no such file');
    expectOneLine(sluice(['run', 'app.sql', '--input', `clicks=${dir}`]), 1, `sluice run: --input clicks=${dir}: is a folder, not a file`);
    expectOneLine(sluice(['run', 'app.sql', '--input', 'clicks=clicks.ndjson', '--output', 'page_views=no/such/views.ndjson']), 1, 'sluice run: --output page_views=no/such/views.ndjson: cannot write (no folder no/such)');
    expectOneLine(sluice(['run', 'app.sql', '--input', 'clicks=clicks.ndjson', '--output', 'pageviews=x.ndjson']), 1, 'the application has no stream pageviews; its output streams are page_views, error_stream');
  });

  it('SLUICE_DEBUG=1 adds the stack trace', () => {
    const r = sluice(['run', 'app.sql', '--input', `clicks=${dir}`], { env: { SLUICE_DEBUG: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^sluice run: --input clicks=.*: is a folder, not a file\n/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('runs that succeed', () => {
  it('some bad records: exit 0, and the summary says how many went to error_stream', () => {
    const mixed = writeLines(dir, 'mixed.ndjson', [...generateClickstream({ events: 100, seed: 1, pages: 2 }), 'garbage', '{"ts": 1']);
    const r = sluice(['run', 'app.sql', '--input', `clicks=${mixed}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^sluice run: 102 records in .*, 2 rows to error_stream \(--output error_stream=FILE keeps them\); page_views: \d+ rows;/);
  });

  it('a reader that goes away (sluice run | head -1) ends the run quietly with exit 0', async () => {
    const many = writeLines(dir, 'many.ndjson', generateClickstream({ events: 200_000, seed: 2, pages: 4 }));
    const project = join(dir, 'project.sql');
    writeFileSync(project, APP.split(';')[0] + `;\nCREATE STREAM copy AS SELECT ts, user_id, page FROM clicks;`);
    const child = spawn(process.execPath, [cli, 'run', project, '--input', `clicks=${many}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let first = '';
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString().split('\n')[0]!;
      child.stdout.destroy();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(JSON.parse(first)).toHaveProperty('page');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
