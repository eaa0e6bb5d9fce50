import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { Engine } from '../../src/runtime/engine.js';
import { runApp, tempDir, writeLines } from '../helpers/run-app.js';

/** Flink's `'connector' = ...` tables mapped onto Sluice's sources and sinks, and every WITH option checked. */
const EVENTS = ['{"k":"a","n":1}', '{"k":"b","n":2}', '{"k":"a","n":3}'];

describe('connector tables', () => {
  it('a filesystem table fed by an input, a blackhole sink whose rows still reach --output, and a filesystem sink writing NDJSON', async () => {
    const dir = tempDir();
    const input = writeLines(dir, 'in.ndjson', EVENTS);
    const out = join(dir, 'out', 'rows.ndjson');
    const { rows } = await runApp(`
      CREATE TABLE src (k VARCHAR, n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'file:///somewhere/in.ndjson', 'format' = 'json');
      CREATE TABLE sunk (k VARCHAR, n BIGINT) WITH ('connector' = 'blackhole');
      CREATE TABLE kept (k VARCHAR, doubled BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'json', 'sink.rolling-policy.rollover-interval' = '1min');
      INSERT INTO sunk SELECT k, n FROM src;
      INSERT INTO kept SELECT k, n * 2 FROM src WHERE k = 'a';`, { src: input });
    expect(rows['sunk']).toEqual([{ k: 'a', n: 1 }, { k: 'b', n: 2 }, { k: 'a', n: 3 }]);
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ k: 'a', doubled: 2 }, { k: 'a', doubled: 6 }]);
  });

  it('a partitioned CSV filesystem sink writes a folder per partition value, without the partition columns, none climbing out', async () => {
    const dir = tempDir();
    const input = writeLines(dir, 'in.ndjson', [...EVENTS, '{"k":"../../x","n":9}', '{"k":"a,\\"b","n":4}']);
    const root = join(dir, 'lake');
    await runApp(`
      CREATE TABLE src (k VARCHAR, n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'in.ndjson', 'format' = 'json');
      CREATE TABLE lake (n BIGINT, label VARCHAR, k VARCHAR) PARTITIONED BY (k) WITH ('connector' = 'filesystem', 'path' = 'file://${root}', 'format' = 'csv',
        'sink.partition-commit.policy.kind' = 'success-file');
      INSERT INTO lake SELECT n, 'x,y', k FROM src;`, { src: input });
    const read = (k: string) => readFileSync(join(root, k, 'part-0.csv'), 'utf8');
    expect(read('k=a')).toBe('1,"x,y"\n3,"x,y"\n');
    expect(read('k=b')).toBe('2,"x,y"\n');
    expect(read('k=..%2F..%2Fx')).toBe('9,"x,y"\n');
    expect(read('k=a,"b')).toBe('4,"x,y"\n');
  });

  it("prints a print table's rows as Flink does", () => {
    const dir = tempDir();
    const app = join(dir, 'app.sql');
    writeFileSync(app, `CREATE TABLE src (k VARCHAR, n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'x', 'format' = 'json');
CREATE TABLE shown (k VARCHAR, total BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'totals');
INSERT INTO shown SELECT k, SUM(n) FROM src GROUP BY k;`);
    const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
    const r = spawnSync(process.execPath, [cli, 'run', app, '--input', `src=${writeLines(dir, 'in.ndjson', EVENTS)}`, '--output', `shown=${join(dir, 'shown.ndjson')}`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(['totals> +I[a, 4]', 'totals> +I[b, 2]']);
  });

  it('refuses unknown connectors and options, with the nearest name and a span', async () => {
    const cases: [string, RegExp][] = [
      [`CREATE TABLE t (a INT) WITH ('connector' = 'datagen');`, /unknown connector 'datagen'[\s\S]*'filesystem'/],
      [`CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = 'x', 'fromat' = 'csv');`, /the filesystem connector has no option 'fromat'[\s\S]*did you mean 'format'/],
      [`CREATE TABLE t (a INT) WITH ('connector' = 'blackhole', 'path' = 'x');`, /the blackhole connector has no option 'path'[\s\S]*it takes no options/],
      [`CREATE STREAM t (a INT) WITH (fromat = 'csv');`, /unknown option 'fromat'[\s\S]*did you mean 'format'/],
      [`CREATE STREAM t (a INT) WITH (sink = 'file', paht = 'x.ndjson');`, /unknown option 'paht'[\s\S]*did you mean 'path'/],
      [`CREATE STREAM t (a INT) PARTITIONED BY (a) WITH (format = 'json');`, /PARTITIONED BY needs 'connector' = 'filesystem'/],
      [`CREATE TABLE t (a INT) WITH ('connector' = 'kinesis', 'stream' = 's', 'scan.stream.initpos' = 'LATEST');`, /scan.stream.initpos 'LATEST' is not supported/],
    ];
    for (const [sql, message] of cases) {
      const engine = new Engine();
      try {
        expect(() => engine.execute(sql, 'app.sql'), sql).toThrow(message);
        expect(() => engine.execute(sql, 'app.sql')).toThrow(/--> app\.sql:1:\d+/);
      } finally {
        await engine.close();
      }
    }
  });
});
