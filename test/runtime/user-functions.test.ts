import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';
import { Engine } from '../../src/runtime/engine.js';
import { Sluice, SqlDiagnosticsError } from '../../src/index.js';

const MODULE = `
import { threadId } from 'node:worker_threads';
export function count_char(s, c) {
  if (s === null) return 0;
  let n = 0;
  for (const ch of s) if (ch === c[0]) n++;
  return n;
}
export const count_char_returns = 'BIGINT';
export function thread_of() { return threadId; }
thread_of.returns = 'BIGINT';
thread_of.deterministic = false;
export function explode(s) {
  if (s === '/boom') throw new Error('cannot take ' + s);
  return s.length;
}
explode.returns = 'INTEGER';
export function wrong() { return 'text'; }
wrong.returns = 'BIGINT';
let calls = 0;
export function next_id() { return ++calls; }
next_id.returns = 'BIGINT';
next_id.deterministic = false;
export function shout(s) { return s.toUpperCase() + '!'; }
export const not_a_function = 42;
export function bad_type() { return 1; }
bad_type.returns = 'INT64';
`;

const DDL = `CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, ms BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (format = 'json');`;
const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 0, 0, s)).toISOString();
const PAGES = ['/home', '/boom', '/cart/checkout', '/home', '/a/b/c'];

let dir = '';
let input = '';
let script = '';

beforeAll(() => {
  dir = tempDir('sluice-udf-');
  writeFileSync(join(dir, 'udfs.mjs'), MODULE);
  writeFileSync(join(dir, 'legacy.cjs'), "exports.twice = (n) => n * 2;\nexports.twice_returns = 'BIGINT';\n");
  input = writeLines(dir, 'clicks.ndjson', PAGES.map((page, i) => JSON.stringify({ ts: at(i * 4), page, ms: i })));
  script = join(dir, 'app.sql');
});

async function run(sql: string, workers: number) {
  return runApp(sql, { clicks: input }, { workers, fileName: script, chunkBytes: 64 });
}

function diagnosticsOf(sql: string, call: (e: Engine) => unknown = (e) => e.executeScript(sql, script)): Promise<string> {
  const engine = new Engine();
  return Promise.resolve()
    .then(() => call(engine))
    .then(
      () => { throw new Error('expected a diagnostic'); },
      (e: unknown) => {
        expect(e).toBeInstanceOf(SqlDiagnosticsError);
        return (e as Error).message;
      },
    )
    .finally(() => engine.close());
}

describe('CREATE FUNCTION ... LANGUAGE JAVASCRIPT', () => {
  for (const workers of [0, 2]) {
    it(`calls a module's function in the row stage, on the workers when there are some (${workers} workers)`, async () => {
      const { rows, engine } = await run(`CREATE FUNCTION count_char AS './udfs.mjs#count_char' LANGUAGE JAVASCRIPT;
        CREATE FUNCTION thread_of AS './udfs.mjs' LANGUAGE JAVASCRIPT;
        ${DDL}
        CREATE STREAM out AS SELECT page, count_char(page, '/') AS slashes, thread_of() AS thread FROM clicks;`, workers);
      expect(engine.errorCount).toBe(0);
      expect(rows['out']!.map((r) => [r['page'], r['slashes']])).toEqual(PAGES.map((p) => [p, p.split('/').length - 1]));
      const threads = new Set(rows['out']!.map((r) => r['thread']));
      if (workers === 0) expect([...threads]).toEqual([0]);
      else expect([...threads].every((t) => (t as number) > 0)).toBe(true);
    });

    it(`calls it in the window stage too (${workers} workers)`, async () => {
      const { rows } = await run(`CREATE FUNCTION count_char AS './udfs.mjs#count_char';
        ${DDL}
        CREATE STREAM out AS SELECT page, count_char(page, '/') AS slashes, COUNT(*) AS n
        FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, page;`, workers);
      const got = rows['out']!.map((r) => `${r['page']} ${r['slashes']} ${r['n']}`).sort();
      expect(got).toEqual(['/a/b/c 3 1', '/boom 1 1', '/cart/checkout 2 1', '/home 1 2']);
    });

    it(`sends the row a function throws on to error_stream, and goes on (${workers} workers)`, async () => {
      const { rows } = await run(`CREATE FUNCTION explode AS './udfs.mjs#explode' LANGUAGE JAVASCRIPT;
        CREATE FUNCTION wrong AS './udfs.mjs#wrong' LANGUAGE JAVASCRIPT;
        ${DDL}
        CREATE STREAM out AS SELECT page, explode(page) AS len FROM clicks;
        CREATE STREAM typed AS SELECT wrong() AS w FROM clicks WHERE page = '/home';`, workers);
      expect(rows['out']!.map((r) => r['len'])).toEqual(PAGES.filter((p) => p !== '/boom').map((p) => p.length));
      const errors = rows['error_stream']!.map((r) => [r['ERROR_NAME'], r['MESSAGE'], r['PUMP_NAME']]);
      expect(errors).toContainEqual(['EXPRESSION_ERROR', 'explode: cannot take /boom', 'out']);
      expect(errors).toContainEqual(['EXPRESSION_ERROR', "wrong returned 'text' (string), not a BIGINT", 'typed']);
      expect(rows['error_stream']!.find((r) => r['PUMP_NAME'] === 'out')!['DATA_ROW']).toContain('"/boom"');
    });
  }

  it('calls a function declared not deterministic for every row, even over repeated strings', async () => {
    const { rows } = await run(`CREATE FUNCTION next_id AS './udfs.mjs' LANGUAGE JAVASCRIPT;
      CREATE FUNCTION shout AS './udfs.mjs';
      ${DDL}
      CREATE STREAM out AS SELECT shout(page) AS loud, CONCAT(page, CAST(next_id() AS VARCHAR)) AS tagged FROM clicks;`, 0);
    const tagged = rows['out']!.map((r) => r['tagged'] as string);
    expect(new Set(tagged).size).toBe(PAGES.length);
    expect(rows['out']![0]!['loud']).toBe('/HOME!');
  });

  it('takes CommonJS modules too', async () => {
    const { rows } = await run(`CREATE FUNCTION twice AS './legacy.cjs#twice' LANGUAGE JAVASCRIPT;
      ${DDL}
      CREATE STREAM out AS SELECT twice(ms) AS t FROM clicks;`, 2);
    expect(rows['out']!.map((r) => r['t'])).toEqual(PAGES.map((_, i) => i * 2));
  });

  it('reports a module or export it cannot load where the statement names it', async () => {
    const missing = await diagnosticsOf(`${DDL}\nCREATE FUNCTION f AS './nope.mjs#f' LANGUAGE JAVASCRIPT;`);
    expect(missing).toContain('error[SQL_FUNCTION_LOAD]: cannot load ./nope.mjs: no such file');
    expect(missing).toContain(`--> ${script}:2:22`);
    expect(missing).toMatch(/\n\s*\|\s{22}\^{14}\n/);
    expect(missing).toContain(`hint: a relative path is resolved from the folder of ${script}`);
    const noExport = await diagnosticsOf(`CREATE FUNCTION f AS './udfs.mjs#nope' LANGUAGE JAVASCRIPT;`);
    expect(noExport).toContain('./udfs.mjs has no export nope');
    expect(noExport).toMatch(/hint: its functions are count_char, thread_of/);
    expect(await diagnosticsOf(`CREATE FUNCTION f AS './udfs.mjs#not_a_function';`)).toContain('export not_a_function of ./udfs.mjs is a number, not a function');
    expect(await diagnosticsOf(`CREATE FUNCTION f AS './udfs.mjs#bad_type';`)).toContain(`bad_type: return type "INT64" is not a SQL type`);
    expect(await diagnosticsOf(`CREATE FUNCTION f AS 'com.example.F' LANGUAGE JAVA;`)).toContain('LANGUAGE JAVA is not supported');
  });

  it('refuses built-in names and a second definition of a name, and says how to load modules', async () => {
    expect(await diagnosticsOf(`CREATE FUNCTION upper AS './udfs.mjs#shout';`)).toContain('error[SQL_FUNCTION_EXISTS]: UPPER is a built-in function');
    expect(await diagnosticsOf(`CREATE FUNCTION f AS './udfs.mjs#shout'; CREATE FUNCTION f AS './udfs.mjs#count_char';`)).toContain('function f already exists');
    const sync = await diagnosticsOf(`CREATE FUNCTION f AS './udfs.mjs#shout';`, (e) => e.execute(`CREATE FUNCTION f AS './udfs.mjs#shout';`));
    expect(sync).toContain('run the script with Engine.executeScript');
    const engine = new Engine();
    const again = `CREATE FUNCTION f AS './udfs.mjs#shout';`;
    expect(await engine.executeScript(again, script)).toEqual([{ kind: 'function', name: 'f' }]);
    expect(await engine.executeScript(again, script)).toEqual([{ kind: 'function', name: 'f' }]);
    await engine.close();
  });
});

describe('Sluice.registerFunction', () => {
  for (const workers of [0, 2]) {
    it(`runs queries that call a function of this thread on this thread (${workers} workers)`, async () => {
      const sluice = await Sluice.open({ workers });
      sluice.registerFunction('count_char', (s: string | null, c: string) => (s === null ? 0 : [...s].filter((x) => x === c).length), { returns: 'BIGINT' });
      const results = await sluice.execute(`${DDL}
        CREATE STREAM out AS SELECT page, count_char(page, '/') AS slashes FROM clicks;
        CREATE STREAM per_minute AS SELECT window_start, SUM(count_char(page, 'o')) AS os
          FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;
        CREATE STREAM plain AS SELECT UPPER(page) AS up FROM clicks;
        EXPLAIN SELECT count_char(page, 'x') AS x FROM clicks;`);
      if (workers > 0) expect((results.at(-1) as { text: string }).text).toContain('RowStage on coordinator thread');
      const seen: Record<string, unknown[]> = { out: [], per_minute: [], plain: [] };
      for (const s of Object.keys(seen)) sluice.on(s, (rows) => seen[s]!.push(...rows));
      await sluice.engine.pool?.started;
      await sluice.put('clicks', PAGES.map((page, i) => ({ ts: at(i * 4), page, ms: i })));
      await sluice.end('clicks');
      await sluice.close();
      expect(seen['out']).toEqual(PAGES.map((page) => ({ page, slashes: page.split('/').length - 1 })));
      expect(seen['per_minute']).toEqual([{ window_start: at(0), os: PAGES.join('').split('o').length - 1 }]);
      expect(seen['plain']).toHaveLength(PAGES.length);
    });
  }

  it('checks the name, the type and duplicates', async () => {
    const sluice = await Sluice.open();
    expect(() => sluice.registerFunction('hour', () => 1)).toThrow('HOUR is a built-in function');
    expect(() => sluice.registerFunction('f', () => 1, { returns: 'NUMBER' })).toThrow(/not a SQL type/);
    expect(() => sluice.registerFunction('bad name', () => 1)).toThrow(/must be an identifier/);
    sluice.registerFunction('f', () => 1, { returns: 'INT' });
    expect(() => sluice.registerFunction('F', () => 2)).toThrow('function F already exists');
    await sluice.close();
  });
});
