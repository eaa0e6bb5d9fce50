import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer } from '../src/server/start-server.js';
import { attachDashboard } from '../src/server/dashboard-route.js';
import { Engine } from '../src/runtime/engine.js';

/**
 * `npm run bench:delivery`: rows/s into a DuckDB table through sink = 'duckdb' (appender, one
 * transaction per batch) beside plain row-by-row INSERTs as the baseline; WebSocket rows/s fanned
 * out to 100 clients; and peak RSS with 100 clients that stop reading (each queue is bounded).
 */
// The clients run in this process too, so they share its CPU with the server they measure.
const ROWS = Number(process.env['BENCH_ROWS'] ?? 100_000);
const rss = () => Math.round(process.memoryUsage().rss / 1e6);

function lines(from: number, count: number, pad = ''): Buffer {
  let s = '';
  for (let i = from; i < from + count; i++) s += `{"id":${i},"page":"/p${i % 50}${pad}","ms":${i % 5000}}\n`;
  return Buffer.from(s);
}

async function duckdbSink(): Promise<number> {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-bench-')), 'bench.duckdb');
  const engine = new Engine();
  engine.execute(`CREATE STREAM src (id BIGINT, page VARCHAR, ms BIGINT);
    CREATE STREAM out WITH (sink = 'duckdb', path = '${path}', table = 'out', buffer_bytes = '4194304', buffer_ms = '100') AS SELECT id, page, ms FROM src;`);
  const t0 = performance.now();
  for (let i = 0; i < ROWS; i += 10_000) await engine.runtime('src').ingest(lines(i, 10_000));
  await engine.close();
  return ROWS / ((performance.now() - t0) / 1000);
}

async function duckdbInserts(): Promise<number> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(join(mkdtempSync(join(tmpdir(), 'sluice-bench-')), 'rows.duckdb'));
  const conn = await inst.connect();
  await conn.run('CREATE TABLE out (id BIGINT, page VARCHAR, ms BIGINT)');
  const n = Math.min(ROWS, 20_000);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await conn.run(`INSERT INTO out VALUES (${i}, '/p${i % 50}', ${i % 5000})`);
  const rate = n / ((performance.now() - t0) / 1000);
  conn.closeSync();
  inst.closeSync();
  return rate;
}

async function fanOut(clients: number, reading: boolean): Promise<{ rowsPerSec: number; delivered: number; peakRss: number; closedSlow: number }> {
  const server = await startServer({ port: 0, dataDir: null });
  const engine = new Engine();
  engine.execute(`CREATE STREAM src (id BIGINT, page VARCHAR, ms BIGINT); CREATE STREAM out AS SELECT id, page, ms FROM src;`);
  const dashboard = attachDashboard(server.server, engine);
  const url = `${server.url.replace('http', 'ws')}/feeds/out`;
  let delivered = 0;
  let closedSlow = 0;
  const sockets = await Promise.all(Array.from({ length: clients }, () => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      if (!reading) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      else ws.on('close', () => {});
      resolve(ws);
    });
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; rows: unknown[] };
      if (m.type === 'rows') delivered += m.rows.length;
    });
    ws.on('error', () => {});
    setTimeout(() => reject(new Error('connect timeout')), 10_000);
  })));
  let peakRss = rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rss())), 50);
  const t0 = performance.now();
  // Clients that stop reading get rows with 200 bytes of padding, so their backlog outgrows the kernel's socket buffers.
  const pad = reading ? '' : 'x'.repeat(200);
  for (let i = 0; i < ROWS; i += 2_000) await engine.runtime('src').ingest(lines(i, 2_000, pad));
  const target = reading ? ROWS * clients : 0;
  const end = Date.now() + 60_000;
  while (reading && delivered < target && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t0) / 1000;
  if (!reading) await new Promise((r) => setTimeout(r, 3000));
  clearInterval(sampler);
  closedSlow = dashboard.feeds.droppedSlow;
  for (const s of sockets) s.terminate();
  await engine.close();
  await server.close();
  return { rowsPerSec: delivered / seconds, delivered, peakRss, closedSlow };
}

const base = rss();
const insert = await duckdbInserts();
const sink = await duckdbSink();
process.stdout.write(`DuckDB: sink = 'duckdb' (appender, batch per transaction) ${Math.round(sink).toLocaleString()} rows/s  vs row-by-row INSERT ${Math.round(insert).toLocaleString()} rows/s  (${(sink / insert).toFixed(0)}x)\n`);
const fast = await fanOut(100, true);
process.stdout.write(`WebSocket fan-out: ${ROWS.toLocaleString()} rows to 100 clients, ${Math.round(fast.rowsPerSec).toLocaleString()} rows/s delivered in total (${fast.delivered.toLocaleString()} rows), peak RSS ${fast.peakRss} MB (process started at ${base} MB)\n`);
const slow = await fanOut(100, false);
process.stdout.write(`100 clients that stop reading: ${slow.closedSlow} disconnected by the server, peak RSS ${slow.peakRss} MB  [bounded queues]\n`);
