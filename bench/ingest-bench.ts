/**
 * PutRecords throughput through the real `@aws-sdk/client-kinesis`, against Sluice (a child
 * process, so its peak RSS is its own) and against kinesalite (in this process, from npm), with
 * the same records and concurrency in one run; then in-process append throughput of the log.
 *
 *   npm run bench:ingest [-- --seconds 8 --concurrency 8 --shards 4 --batch 500 --record-bytes 300]
 *
 * Client variants: the SDK's default handler (HTTP/2, one connection per request), a shared
 * HTTP/2 session, and HTTP/1.1 keep-alive (the only one kinesalite speaks, so it is the fair
 * comparison as well as the ratio's denominator).
 */

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const self = fileURLToPath(import.meta.url);

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '16' },
    shards: { type: 'string', default: '4' },
    batch: { type: 'string', default: '500' },
    'record-bytes': { type: 'string', default: '300' },
    'append-records': { type: 'string', default: '1000000' },
  },
});

interface Target {
  readonly name: string;
  readonly url: string;
}

interface Variant {
  readonly name: string;
  readonly handler: () => NodeHttp2Handler | NodeHttpHandler | undefined;
}

const VARIANTS: Record<string, Variant> = {
  default: { name: 'SDK default (HTTP/2, connection per request)', handler: () => undefined },
  shared: { name: 'shared HTTP/2 session', handler: () => new NodeHttp2Handler({ disableConcurrentStreams: false }) },
  http1: { name: 'HTTP/1.1 keep-alive', handler: () => new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }) }) },
};

function makeBatches(count: number, size: number, recordBytes: number): PutRecordsRequestEntry[][] {
  let n = 0;
  return Array.from({ length: count }, () =>
    Array.from({ length: size }, () => {
      const key = `device-${n % 10_000}`;
      const body = JSON.stringify({ device: key, seq: n++, temp: 20 + (n % 17), note: 'x'.repeat(recordBytes) }).slice(0, recordBytes - key.length);
      return { PartitionKey: key, Data: Buffer.from(body) };
    }),
  );
}

async function measure(target: Target, variant: Variant, batches: PutRecordsRequestEntry[][], seconds: number, concurrency: number): Promise<number> {
  const handler = variant.handler();
  const client = new KinesisClient({
    endpoint: target.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
    ...(handler ? { requestHandler: handler } : {}),
  });
  let records = 0;
  let failed = 0;
  let next = 0;
  const run = async (until: number): Promise<void> => {
    while (performance.now() < until) {
      const batch = batches[next++ % batches.length]!;
      const out = await client.send(new PutRecordsCommand({ StreamName: 'bench', Records: batch }));
      records += batch.length - (out.FailedRecordCount ?? 0);
      failed += out.FailedRecordCount ?? 0;
    }
  };
  const warm = performance.now() + 1000;
  await Promise.all(Array.from({ length: concurrency }, () => run(warm)));
  records = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => run(started + seconds * 1000)));
  const rate = records / ((performance.now() - started) / 1000);
  client.destroy();
  if (failed > 0) throw new Error(`${target.name}: ${failed} records failed`);
  return rate;
}

async function createStream(url: string, shards: number, handler: Variant): Promise<void> {
  const h = handler.handler();
  const client = new KinesisClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, ...(h ? { requestHandler: h } : {}) });
  await client.send(new CreateStreamCommand({ StreamName: 'bench', ShardCount: shards }));
  while ((await client.send(new DescribeStreamSummaryCommand({ StreamName: 'bench' }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') {
    await new Promise((r) => setTimeout(r, 50));
  }
  client.destroy();
}

function startSluice(dir: string): Promise<{ url: string; pid: number; stop: () => Promise<number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [self, '--serve', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n').filter(Boolean);
      if (lines.length === 1 && out.endsWith('\n')) {
        const { port } = JSON.parse(lines[0]!) as { port: number };
        resolve({
          url: `http://127.0.0.1:${port}`,
          pid: child.pid!,
          stop: () =>
            new Promise((res) => {
              child.once('exit', () => res((JSON.parse(out.split('\n').filter(Boolean)[1] ?? '{"maxRssMb":0}') as { maxRssMb: number }).maxRssMb));
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('error', reject);
  });
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime, in clock ticks (USER_HZ, 100 on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy CPU seconds of the whole machine so far: the box is shared, and the figures show it. */
function machineBusy(): number {
  return os.cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0) / 1000;
}

/** Peak resident set of a process so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

function startKinesalite(): Promise<{ url: string; close: () => Promise<void> }> {
  const kinesalite = createRequire(import.meta.url)('kinesalite') as (options: object) => http.Server;
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

function fmt(rate: number): string {
  return `${Math.round(rate).toLocaleString('en-US').padStart(9)} records/s`;
}

async function main(): Promise<void> {
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const shards = Number(values.shards);
  const batches = makeBatches(64, Number(values.batch), Number(values['record-bytes']));
  console.log(
    `ingest bench: PutRecords of ${values.batch} x ~${values['record-bytes']} B, ${concurrency} requests in flight, ${shards} shards, ` +
      `${seconds} s per run, node ${process.version}, ${os.cpus().length} CPUs`,
  );

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ingest-bench-'));
  const sluice = await startSluice(dir);
  const results: Record<string, number> = {};
  try {
    await createStream(sluice.url, shards, VARIANTS.default!);
    for (const key of ['default', 'shared', 'http1']) {
      const variant = VARIANTS[key]!;
      const cpu = cpuSeconds(sluice.pid);
      const clientCpu = process.cpuUsage();
      const busy = machineBusy();
      const started = performance.now();
      const rate = await measure({ name: 'sluice', url: sluice.url }, variant, batches, seconds, concurrency);
      results[`sluice ${key}`] = rate;
      // Both include the 1 s warm-up, which runs at the same rate.
      const records = rate * (seconds + 1);
      const used = process.cpuUsage(clientCpu);
      const serverCpu = cpuSeconds(sluice.pid) - cpu;
      const others = Math.max(0, machineBusy() - busy - serverCpu - (used.user + used.system) / 1e6) / ((performance.now() - started) / 1000);
      console.log(
        `sluice      ${variant.name.padEnd(46)} ${fmt(rate)}   server ${((serverCpu * 1e6) / records).toFixed(1)} µs CPU/record, ` +
          `client ${((used.user + used.system) / records).toFixed(1)} µs CPU/record, server peak RSS so far ${peakRssMb(sluice.pid)} MB, ` +
          `other processes used ${others.toFixed(2)} of ${os.cpus().length} CPUs`,
      );
    }
  } finally {
    const rss = await sluice.stop();
    console.log(`sluice server process peak RSS: ${rss} MB`);
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const kl = await startKinesalite();
  try {
    await createStream(kl.url, shards, VARIANTS.http1!);
    const cpu = process.cpuUsage();
    const busy = machineBusy();
    const started = performance.now();
    results.kinesalite = await measure({ name: 'kinesalite', url: kl.url }, VARIANTS.http1!, batches, seconds, concurrency);
    const used = process.cpuUsage(cpu);
    const others = Math.max(0, machineBusy() - busy - (used.user + used.system) / 1e6) / ((performance.now() - started) / 1000);
    console.log(
      `kinesalite  ${VARIANTS.http1!.name.padEnd(46)} ${fmt(results.kinesalite)}   (in this process; it speaks HTTP/1.1 only), ` +
        `other processes used ${others.toFixed(2)} of ${os.cpus().length} CPUs`,
    );
  } finally {
    await kl.close();
  }
  const base = results.kinesalite!;
  console.log(
    `ratio vs kinesalite: SDK default ${(results['sluice default']! / base).toFixed(1)}x, shared HTTP/2 ${(results['sluice shared']! / base).toFixed(1)}x, ` +
      `HTTP/1.1 ${(results['sluice http1']! / base).toFixed(1)}x (target >= 8x)`,
  );

  // In-process append throughput with group commit: bench/ingest-append-bench.ts measures it.
  const appendBench = path.join(path.dirname(self), 'ingest-append-bench.js');
  const { stdout } = await promisify(execFile)(process.execPath, [appendBench, '--phases', 'group', '--records', values['append-records']!], { maxBuffer: 1 << 20 });
  console.log(stdout.trim().split('\n').map((l) => `append (in process): ${l}`).join('\n'));
}

if (values.serve !== undefined) {
  // Child mode: a Sluice server without throughput limits; prints its port, and its peak RSS on SIGTERM.
  const { startServer } = await import('../src/server/index.js');
  const server = await startServer({ port: 0, dataDir: values.serve, throttle: false });
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  process.once('SIGTERM', () => {
    void server.close().then(() => {
      process.stdout.write(`${JSON.stringify({ maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
      process.exit(0);
    });
  });
} else {
  await main();
}
