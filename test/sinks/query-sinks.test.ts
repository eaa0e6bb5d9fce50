import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { Engine } from '../../src/runtime/engine.js';
import { LogStore } from '../../src/ingest/index.js';
import { startServer } from '../../src/server/index.js';
import { tempDir, writeLines } from '../helpers/run-app.js';
import { replayFile } from '../../src/runtime/file-replay.js';

const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 0, 0, s)).toISOString();
const CLICKS = `CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, ms BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);`;
const QUERY = `SELECT window_start, page, COUNT(*) AS n, SUM(ms) AS total FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, page`;
const EXPECTED = [
  { window_start: at(0), page: '/a', n: 6, total: 60 },
  { window_start: at(0), page: '/b', n: 4, total: 40 },
  { window_start: at(10), page: '/a', n: 5, total: 50 },
  { window_start: at(10), page: '/b', n: 5, total: 50 },
];
const sorted = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => `${a['window_start']}${a['page']}`.localeCompare(`${b['window_start']}${b['page']}`));

async function runWith(sql: string, engineOptions: ConstructorParameters<typeof Engine>[0] = {}): Promise<Engine> {
  const dir = tempDir();
  const input = writeLines(dir, 'clicks.ndjson', Array.from({ length: 20 }, (_, s) => JSON.stringify({ ts: at(s), page: s % 5 < 3 && s < 10 ? '/a' : s >= 10 && s % 2 === 0 ? '/a' : '/b', ms: 10 })));
  const engine = new Engine(engineOptions);
  engine.execute(`${CLICKS}\n${sql}`);
  await replayFile(input, engine.runtime('clicks'));
  await engine.endOfInput('clicks');
  await engine.close();
  return engine;
}

describe('query outputs WITH (sink = ...)', () => {
  it("sink = 'file' appends NDJSON", async () => {
    const path = join(tempDir(), 'out', 'views.ndjson');
    await runWith(`CREATE STREAM views WITH (sink = 'file', path = '${path}') AS ${QUERY};`);
    expect(sorted(readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l)))).toEqual(EXPECTED);
  });

  it("sink = 'file' with format = 'parquet' writes one numbered Parquet file per delivered batch", async () => {
    const folder = join(tempDir(), 'views');
    await runWith(`CREATE STREAM views WITH (sink = 'file', path = '${folder}', format = 'parquet', buffer_ms = '0') AS ${QUERY};`);
    const first = readdirSync(folder).sort();
    expect(first.length).toBeGreaterThanOrEqual(1);
    expect(first).toEqual(first.map((_, i) => `part-${String(i + 1).padStart(6, '0')}.parquet`));
    // A second run numbers on from the files already there.
    await runWith(`CREATE STREAM views WITH (sink = 'file', path = '${folder}', format = 'parquet') AS ${QUERY};`);
    const all = readdirSync(folder).sort();
    expect(all.slice(0, first.length)).toEqual(first);
    expect(all[first.length]).toBe(`part-${String(first.length + 1).padStart(6, '0')}.parquet`);

    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    const read = async (files: string[]) =>
      (await conn.runAndReadAll(`SELECT strftime(window_start, '%Y-%m-%dT%H:%M:%S.000Z') AS window_start, page, n, total, typeof(n) AS n_type FROM read_parquet([${files.map((f) => `'${join(folder, f)}'`).join(', ')}])`)).getRowObjectsJS();
    const rows = await read(first);
    conn.closeSync();
    inst.closeSync();
    expect(rows.every((r) => r['n_type'] === 'BIGINT')).toBe(true);
    expect(sorted(rows.map(({ n_type: _, ...r }) => ({ ...r, n: Number(r['n']), total: Number(r['total']) })))).toEqual(EXPECTED);
  });

  it("sink = 'duckdb' appends each batch to a table, read back from the DuckDB file", async () => {
    const path = join(tempDir(), 'analytics.duckdb');
    await runWith(`CREATE STREAM views WITH (sink = 'duckdb', path = '${path}', table = 'page_views') AS ${QUERY};`);
    const inst = await DuckDBInstance.fromCache(path);
    const conn = await inst.connect();
    const rows = (await conn.runAndReadAll(`SELECT strftime(window_start, '%Y-%m-%dT%H:%M:%S.000Z') AS window_start, page, n, total FROM page_views`)).getRowObjectsJS();
    conn.closeSync();
    expect(sorted(rows.map((r) => ({ ...r, n: Number(r['n']), total: Number(r['total']) })))).toEqual(EXPECTED);
  });

  it('POST /sql answers read-only pull queries over the DuckDB tables', async () => {
    const path = join(tempDir(), 'pull.duckdb');
    const server = await startServer({ port: 0, dataDir: tempDir(), throttle: false });
    try {
      const engine = new Engine();
      engine.execute(`${CLICKS}\nCREATE STREAM views WITH (sink = 'duckdb', path = '${path}', table = 'page_views') AS ${QUERY};`);
      await engine.runtime('clicks').ingest(Buffer.from([1, 2, 15].map((s) => JSON.stringify({ ts: at(s), page: '/a', ms: 1 })).join('\n') + '\n'));
      await new Promise((r) => setTimeout(r, 500));
      const post = (body: unknown, type = 'application/json') => fetch(`${server.url}/sql`, { method: 'POST', headers: { 'content-type': type, accept: 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      const ok = await post({ sql: 'SELECT page, n FROM page_views', database: path });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ columns: ['page', 'n'], rows: [{ page: '/a', n: '2' }], truncated: false, limit: 100_000 });
      expect((await (await post({ sql: 'SELECT count(*) AS c FROM page_views' })).json()).rows).toEqual([{ c: '1' }]);
      // Only JSON bodies: a text/plain POST is what any web page can send without a CORS preflight.
      expect((await post('SELECT count(*) AS c FROM page_views', 'text/plain')).status).toBe(415);
      for (const [sql, message] of [['DELETE FROM page_views', 'read-only'], ['SELECT 1; SELECT 2', 'one statement'], ['SELECT * FROM nope', 'nope']]) {
        const r = await post({ sql });
        expect(r.status).toBe(400);
        expect((await r.json()).error).toContain(message);
      }
      expect((await post({ sql: 'SELECT 1', database: '/elsewhere.duckdb' })).status).toBe(404);
      await engine.close();
    } finally {
      await server.close();
    }
  });

  it("sink = 'kinesis' appends to a stream of the log, keyed by partition_key", async () => {
    const log = await LogStore.open(null);
    await runWith(`CREATE STREAM views WITH (sink = 'kinesis', stream = 'page_views', partition_key = 'page') AS ${QUERY};`, { log });
    const stream = log.getStream('page_views');
    const got: Record<string, unknown>[] = [];
    for (const shard of stream.shards()) {
      const r = await shard.read(shard.position({ type: 'TRIM_HORIZON' }));
      for (const rec of r.records) {
        got.push(JSON.parse(Buffer.from(rec.data).toString()));
        expect(rec.partitionKey).toMatch(/^\/[ab]$/);
      }
    }
    await log.close();
    expect(sorted(got)).toEqual(EXPECTED);
  });

  it("sink = 'firehose' delivers to a delivery stream, whose S3 folder gets the rows", async () => {
    const dataDir = tempDir();
    const server = await startServer({ port: 0, dataDir, throttle: false });
    try {
      await server.firehose.call('CreateDeliveryStream', {
        DeliveryStreamName: 'views-out',
        ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::lake', RoleARN: 'arn:aws:iam::000000000000:role/x', CompressionFormat: 'GZIP', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 } },
      });
      await runWith(`CREATE STREAM views WITH (sink = 'firehose', delivery_stream = 'views-out') AS ${QUERY};`, { firehose: server.firehose });
    } finally {
      await server.close();
    }
    const files: string[] = [];
    const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name)); };
    expect(existsSync(join(dataDir, 's3', 'lake'))).toBe(true);
    walk(join(dataDir, 's3', 'lake'));
    const rows = files.filter((f) => f.endsWith('.gz')).flatMap((f) => gunzipSync(readFileSync(f)).toString().trim().split('\n').map((l) => JSON.parse(l)));
    expect(sorted(rows)).toEqual(EXPECTED);
  });

  it('an unknown sink or a sink that cannot open is reported on error_stream, and the engine goes on', async () => {
    const errors: string[] = [];
    const engine = new Engine();
    engine.execute(`${CLICKS}\nCREATE STREAM views WITH (sink = 'carrier-pigeon') AS ${QUERY};`);
    engine.on('error_stream', (rows) => errors.push(String(rows.columns[3]![0])));
    await new Promise((r) => setTimeout(r, 50));
    await engine.close();
    expect(errors.join('\n')).toContain("unknown sink 'carrier-pigeon'");
  });
});
