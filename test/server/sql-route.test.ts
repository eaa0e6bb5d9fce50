import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { CreateStreamCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { Engine } from '../../src/runtime/engine.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { heldDuckDb } from '../../src/sinks/duckdb-databases.js';
import { clientFor, eventually, tempDir, untilActive } from './helpers.js';

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

/** A raw HTTP/1.1 request (fetch would not let the tests choose Host), its answer read whole. */
function request(server: RunningServer, method: string, target: string, headers: http.OutgoingHttpHeaders, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body: all, text: all.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };

function sql(server: RunningServer, body: Record<string, unknown>, headers: http.OutgoingHttpHeaders = {}): Promise<Answer> {
  return request(server, 'POST', '/sql', { ...json, ...headers }, JSON.stringify(body));
}

/** The NDJSON answer's lines: header, rows, closing line. */
function ndjson(answer: Answer): { columns: { name: string; type: string }[]; rows: unknown[][]; end: { rows: number; truncated: boolean; error?: string } } {
  const lines = answer.text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
  return { columns: (lines[0] as { columns: { name: string; type: string }[] }).columns, rows: lines.slice(1, -1) as unknown[][], end: lines.at(-1) as { rows: number; truncated: boolean } };
}

async function sinkSetting(database: string, name: string): Promise<unknown> {
  const conn = await heldDuckDb(database)!.connect();
  try {
    return (await conn.runAndReadAll(`SELECT current_setting('${name}') AS v`)).getRowObjectsJS()[0]!['v'];
  } finally {
    conn.closeSync();
  }
}

async function sinkCount(database: string): Promise<number> {
  const conn = await heldDuckDb(database)!.connect();
  try {
    return Number((await conn.runAndReadAll('SELECT count(*) AS n FROM page_views')).getRowObjectsJS()[0]!['n']);
  } finally {
    conn.closeSync();
  }
}

describe('POST /sql', () => {
  let dir: string;
  let server: RunningServer;
  let engine: Engine;
  let database: string;
  const ingest = (pages: string[]) => engine.runtime('clicks').ingest(Buffer.from(pages.map((page, i) => JSON.stringify({ ts: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString(), page, ms: i })).join('\n') + '\n'));

  beforeAll(async () => {
    dir = tempDir();
    server = await startServer({ port: 0, dataDir: path.join(dir, 'data'), throttle: false });
    database = path.join(dir, 'analytics.duckdb');
    engine = new Engine();
    engine.execute(`CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, ms BIGINT);
CREATE STREAM views WITH (sink = 'duckdb', path = '${database}', table = 'page_views', buffer_ms = '0') AS SELECT page, ms FROM clicks;`);
    await ingest(['/a', '/b', '/a']);
    await eventually('the sink wrote 3 rows', async () => heldDuckDb(database) !== undefined && (await sinkCount(database)) === 3);
  });

  afterAll(async () => {
    await engine.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers NDJSON by default: a header with column names and types, a row per line, and whether the row limit cut it', async () => {
    const r = await sql(server, { sql: 'SELECT page, count(*) AS n FROM page_views GROUP BY page ORDER BY page', database });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-ndjson');
    expect(ndjson(r)).toEqual({
      columns: [{ name: 'page', type: 'VARCHAR' }, { name: 'n', type: 'BIGINT' }],
      rows: [['/a', '2'], ['/b', '1']],
      end: { rows: 2, truncated: false, limit: 100_000 },
    });
  });

  it('answers the JSON shape {columns, rows} and Arrow IPC when Accept asks for them', async () => {
    const body = { sql: 'SELECT page, n FROM (SELECT page, count(*) AS n FROM page_views GROUP BY page) ORDER BY page', database };
    const j = await sql(server, body, { accept: 'application/json' });
    expect(j.headers['content-type']).toBe('application/json');
    expect(JSON.parse(j.text)).toEqual({ columns: ['page', 'n'], rows: [{ page: '/a', n: '2' }, { page: '/b', n: '1' }], truncated: false, limit: 100_000 });
    const a = await sql(server, body, { accept: 'application/vnd.apache.arrow.stream' });
    expect(a.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(a.body);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['page', 'n']);
    expect(table.toArray().map((row) => ({ page: row.page as string, n: row.n as bigint }))).toEqual([{ page: '/a', n: 2n }, { page: '/b', n: 1n }]);
    expect((await sql(server, body, { accept: 'text/html' })).status).toBe(406);
  });

  it('sees rows the sink commits after an earlier query (the snapshot is made again)', async () => {
    const count = async () => Number(ndjson(await sql(server, { sql: 'SELECT count(*) FROM page_views', database })).rows[0]![0]);
    const before = await count();
    await ingest(['/c', '/c']);
    await eventually('the sink wrote 2 more rows', async () => (await sinkCount(database)) === before + 2);
    expect(await count()).toBe(before + 2);
  });

  it('refuses EXPLAIN ANALYZE COPY ... TO a file, and the file is not written', async () => {
    const target = path.join(dir, 'written-by-explain.csv');
    const answers: Answer[] = [];
    for (const statement of [`EXPLAIN ANALYZE COPY (SELECT 42) TO '${target}'`, `EXPLAIN COPY (SELECT 42) TO '${target}'`, `COPY (SELECT 42) TO '${target}'`]) {
      answers.push(await sql(server, { sql: statement, database }));
    }
    expect(fs.existsSync(target)).toBe(false);
    for (const r of answers) {
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text).error).toContain('read-only');
    }
  });

  it("refuses reading files: read_text('/etc/passwd'), glob('/root/*'), read_blob of the log's own segments", async () => {
    const client = clientFor(server.url);
    await client.send(new CreateStreamCommand({ StreamName: 'secrets', ShardCount: 1 }));
    await untilActive(client, 'secrets');
    await client.send(new PutRecordCommand({ StreamName: 'secrets', PartitionKey: 'k', Data: Buffer.from('the-log-holds-this-secret') }));
    client.destroy();
    const files: string[] = [];
    const walk = (d: string): void => { for (const e of fs.readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name)); };
    walk(path.join(dir, 'data'));
    const segment = files.find((f) => fs.readFileSync(f).includes('the-log-holds-this-secret'));
    expect(segment).toBeDefined();
    for (const statement of [
      "SELECT * FROM read_text('/etc/passwd')",
      "SELECT * FROM glob('/root/*')",
      `SELECT content::VARCHAR FROM read_blob('${segment}')`,
      `SELECT (SELECT content FROM read_blob('${segment}'))::VARCHAR AS c`,
      "SELECT * FROM read_csv('/etc/passwd', sep = ':')",
      "SELECT * FROM '/etc/passwd.csv'",
      "SELECT * FROM query('SELECT 1')",
    ]) {
      const r = await sql(server, { sql: statement, database });
      expect(r.text).not.toContain('root:');
      expect(r.text).not.toContain('the-log-holds-this-secret');
      expect(r.status, statement).toBe(400);
    }
  });

  it("cannot change the sink's DuckDB instance: memory_limit read through the sink stays as it was", async () => {
    const before = await sinkSetting(database, 'memory_limit');
    expect(before).not.toBe('117.3 MiB');
    const statuses: number[] = [];
    for (const statement of ["EXPLAIN ANALYZE SET GLOBAL memory_limit = '123MB'", "EXPLAIN SET GLOBAL memory_limit = '123MB'", "SET GLOBAL memory_limit = '123MB'", "PRAGMA memory_limit = '123MB'", "EXPLAIN ANALYZE PRAGMA memory_limit = '123MB'"]) {
      statuses.push((await sql(server, { sql: statement, database })).status);
    }
    expect(await sinkSetting(database, 'memory_limit')).toBe(before);
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
  });

  it('refuses what is not one reading statement, by DuckDB\'s own parse', async () => {
    for (const statement of ['DELETE FROM page_views', 'SELECT 1; SELECT 2', "ATTACH '/tmp/x.duckdb' AS x", 'INSTALL httpfs', 'LOAD httpfs', 'CALL pragma_version()', 'PRAGMA version', 'CREATE TABLE t AS SELECT 1', "CREATE FUNCTION count_char AS './udfs.js#count_char' LANGUAGE JAVASCRIPT", 'CREATE MACRO twice(x) AS x * 2', 'CHECKPOINT', "EXPORT DATABASE '/tmp/x'", 'USE memory', 'BEGIN TRANSACTION']) {
      const r = await sql(server, { sql: statement, database });
      expect(r.status, statement).toBe(400);
    }
    expect(JSON.parse((await sql(server, { sql: 'SELECT * FROM nope', database })).text).error).toContain('nope');
    for (const statement of ['SHOW TABLES', 'DESCRIBE page_views', 'SUMMARIZE page_views', 'FROM page_views LIMIT 1', 'WITH x AS (SELECT 1 AS a) SELECT a FROM x', 'SELECT * FROM range(3)']) {
      expect((await sql(server, { sql: statement, database })).status, statement).toBe(200);
    }
  });

  it('takes only application/json bodies (text/plain is 415) and only from this server\'s own origin and host', async () => {
    const target = path.join(dir, 'written-cross-origin.csv');
    const attack = `EXPLAIN ANALYZE COPY (SELECT 42) TO '${target}'`;
    // What any web page can send without a CORS preflight: a text/plain POST.
    const plain = await request(server, 'POST', '/sql', { 'content-type': 'text/plain', origin: 'http://evil.example' }, attack);
    expect(fs.existsSync(target)).toBe(false);
    expect(plain.status).toBe(403);
    const plainSameOrigin = await request(server, 'POST', '/sql', { 'content-type': 'text/plain' }, 'SELECT 1');
    expect(plainSameOrigin.status).toBe(415);
    const foreign = await sql(server, { sql: 'SELECT count(*) FROM page_views', database }, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.text).not.toContain('count');
    expect((await sql(server, { sql: 'SELECT 1', database }, { origin: 'null' })).status).toBe(403);
    // DNS rebinding: the page's own name now resolves to this machine; the Host header gives it away.
    expect((await sql(server, { sql: 'SELECT 1', database }, { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await sql(server, { sql: 'SELECT 1', database }, { host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect(fs.existsSync(target)).toBe(false);
    // The server's own pages may call it.
    expect((await sql(server, { sql: 'SELECT 1', database }, { origin: `http://localhost:${server.port}`, host: `localhost:${server.port}` })).status).toBe(200);
    expect((await sql(server, { sql: 'SELECT 1', database }, { origin: server.url })).status).toBe(200);
  });

  it('checks the database, the limit and the time limit it is given', async () => {
    expect((await sql(server, { sql: 'SELECT 1', database: '/etc/passwd' })).status).toBe(404);
    expect((await sql(server, { sql: 'SELECT 1', database: path.join(dir, 'data') })).status).toBe(404);
    expect((await sql(server, { sql: 'SELECT 1', database, limit: 0 })).status).toBe(400);
    expect((await sql(server, { sql: 'SELECT 1', database, limit: 1_000_001 })).status).toBe(400);
    expect((await sql(server, { sql: 'SELECT 1', database, timeout_ms: 600_000 })).status).toBe(400);
    expect((await sql(server, { sql: `SELECT 1 -- ${'x'.repeat(1 << 20)}`, database })).status).toBe(413);
    const limited = ndjson(await sql(server, { sql: 'SELECT * FROM range(5000)', database, limit: 2049 }));
    expect(limited.rows.length).toBe(2049);
    expect(limited.end).toEqual({ rows: 2049, truncated: true, limit: 2049 });
    const exact = ndjson(await sql(server, { sql: 'SELECT * FROM range(2048)', database, limit: 2048 }));
    expect(exact.end).toEqual({ rows: 2048, truncated: false, limit: 2048 });
  });

  it('says so when a query fails after its first rows, instead of ending as if complete', async () => {
    const failing = "SELECT CASE WHEN i > 300000 THEN error('late') ELSE i END AS i FROM range(400000) r(i)";
    const n = ndjson(await sql(server, { sql: failing, database, limit: 1_000_000 }));
    expect(n.rows.length).toBeGreaterThan(0);
    expect(n.rows.length).toBeLessThan(300_002);
    expect(n.end.error).toContain('failed');
    const j = JSON.parse((await sql(server, { sql: failing, database, limit: 1_000_000 }, { accept: 'application/json' })).text) as { error?: string };
    expect(j.error).toContain('failed');
    // Arrow has nowhere to say it: the response is cut, so the client sees a failed transfer.
    await expect(sql(server, { sql: failing, database, limit: 1_000_000 }, { accept: 'application/vnd.apache.arrow.stream' })).rejects.toThrow();
  });

  it('runs two queries at once and answers 429 to a third', async () => {
    const slow = () => sql(server, { sql: 'SELECT count(*) FROM range(100000000000)', database, timeout_ms: 1500 });
    const answers = await Promise.all([slow(), slow(), new Promise((r) => setTimeout(r, 300)).then(slow)]);
    expect(answers.map((a) => a.status)).toEqual([400, 400, 429]);
    expect(answers[2]!.headers['retry-after']).toBe('1');
  });

  it('answers over HTTP/2 too, checking its :authority as the Host', async () => {
    const session = http2.connect(server.url);
    const ask = (headers: http2.OutgoingHttpHeaders) => new Promise<{ status: number; text: string }>((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': '/sql', 'content-type': 'application/json', ...headers });
      let status = 0;
      let text = '';
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => (text += d));
      stream.on('end', () => resolve({ status, text }));
      stream.on('error', reject);
      stream.end(JSON.stringify({ sql: 'SELECT 7 AS seven', database }));
    });
    try {
      const ok = await ask({});
      expect(ok.status).toBe(200);
      expect(ndjson({ status: ok.status, headers: {}, body: Buffer.from(ok.text), text: ok.text }).rows).toEqual([[7]]);
      expect((await ask({ ':authority': `evil.example:${server.port}` })).status).toBe(403);
    } finally {
      session.close();
    }
  });

  it('interrupts a query at its time limit', async () => {
    const started = Date.now();
    const r = await sql(server, { sql: 'SELECT count(*) FROM range(100000000000)', database, timeout_ms: 300 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toContain('time limit of 300 ms');
  });

  it('answers SELECT * FROM range(20000000) within the row limit while the Kinesis API keeps answering, in bounded memory', async () => {
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let slowest = 0;
    let probes = 0;
    let done = false;
    const probe = async (): Promise<void> => {
      while (!done) {
        const t = performance.now();
        const health = await request(server, 'GET', '/health', {});
        const list = await request(server, 'POST', '/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' }, '{}');
        expect(health.status).toBe(200);
        expect(list.status).toBe(200);
        slowest = Math.max(slowest, performance.now() - t);
        probes++;
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const probing = probe();
    const started = performance.now();
    const r = await sql(server, { sql: 'SELECT * FROM range(20000000)', database });
    const took = performance.now() - started;
    done = true;
    await probing;
    expect(probes).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(200);
    expect(rssPeak - rssBefore).toBeLessThan(300 * 1024 * 1024);
    expect(took).toBeLessThan(10_000);
    expect(r.status).toBe(200);
    const answer = ndjson(r);
    expect(answer.rows.length).toBe(100_000);
    expect(answer.end).toEqual({ rows: 100_000, truncated: true, limit: 100_000 });
  });
});
