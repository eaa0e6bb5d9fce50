/**
 * Append throughput of the ingest log on real files, with group commit, with group commit on an
 * encrypted stream (records sealed with AES-256-GCM), and without group commit (one write+fsync
 * per batch per segment file, the baseline), in one run.
 *
 *   npm run build && node dist/bench/ingest-append-bench.js [--records N] [--shards N]
 *     [--batch N] [--concurrency N] [--keys N] [--data-bytes N] [--phases group,encrypted,baseline,unique]
 *
 * Records are ~300 bytes (partition key + data) drawn from `--keys` distinct partition keys;
 * `--keys 0` gives every record its own key, the router's worst case.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LogStore, type AppendRecord } from '../src/ingest/index.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '3000000' },
    shards: { type: 'string', default: '4' },
    batch: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '16' },
    keys: { type: 'string', default: '10000' },
    'data-bytes': { type: 'string', default: '288' },
    'baseline-records': { type: 'string', default: '400000' },
    phases: { type: 'string', default: 'group,encrypted,baseline,unique' },
  },
});
const total = Number(values.records);
const shards = Number(values.shards);
const batchSize = Number(values.batch);
const concurrency = Number(values.concurrency);
const keyCount = Number(values.keys);
const dataBytes = Number(values['data-bytes']);
const phases = new Set(values.phases.split(','));

interface PhaseResult {
  readonly name: string;
  readonly records: number;
  readonly seconds: number;
  readonly payloadBytes: number;
  readonly diskBytes: number;
  readonly latencies: number[];
  /** User and system CPU seconds of the whole process (main thread, I/O threads, kernel work). */
  readonly cpuUser: number;
  readonly cpuSystem: number;
  /** CPU seconds the rest of the machine used meanwhile: this box is shared, and it shows. */
  readonly cpuOthers: number;
  /** Reading every record back from the trim horizon, 10,000 at a time (decrypting, if sealed). */
  readonly readSeconds: number;
}

/** Busy CPU seconds of the whole machine so far. */
function machineBusy(): number {
  return os.cpus().reduce((sum, c) => sum + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0) / 1000;
}

/** Pre-built batches, reused round-robin, so the measurement is the log and not the generator. */
function makeBatches(count: number, uniqueKeys: boolean): AppendRecord[][] {
  const batches: AppendRecord[][] = [];
  let n = 0;
  for (let b = 0; b < count; b++) {
    const batch: AppendRecord[] = [];
    for (let i = 0; i < batchSize; i++, n++) {
      const partitionKey = uniqueKeys ? `evt-${n.toString(36)}-${(n * 2654435761) >>> 0}` : `device-${n % keyCount}`;
      const body = JSON.stringify({ device: partitionKey, seq: n, temp: 20 + (n % 17), note: 'x'.repeat(dataBytes) });
      batch.push({ partitionKey, data: Buffer.from(body.slice(0, dataBytes)) });
    }
    batches.push(batch);
  }
  return batches;
}

async function runPhase(name: string, records: number, groupCommit: boolean, batches: AppendRecord[][], encrypted = false): Promise<PhaseResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  const store = await LogStore.open(dir, { groupCommit, retentionCheckMs: 0 });
  const sizes = batches.map((b) => b.reduce((sum, r) => sum + Buffer.byteLength(r.partitionKey) + r.data.length, 0));
  try {
    const stream = await store.createStream('bench', shards);
    if (encrypted) await stream.startEncryption('alias/aws/kinesis');
    let issued = 0;
    let payloadBytes = 0;
    let next = 0;
    const latencies: number[] = [];
    const cpu = process.cpuUsage();
    const busy = machineBusy();
    const started = process.hrtime.bigint();
    const worker = async (): Promise<void> => {
      while (issued < records) {
        const i = next++ % batches.length;
        const batch = batches[i]!;
        issued += batch.length;
        payloadBytes += sizes[i]!;
        const t0 = performance.now();
        await stream.append(batch);
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    const cpuOthers = Math.max(0, machineBusy() - busy - (used.user + used.system) / 1e6);
    const diskBytes = du(path.join(dir, 'streams', 'bench'));
    const readStarted = process.hrtime.bigint();
    let read = 0;
    for (const shard of stream.shards()) {
      let position = shard.position({ type: 'TRIM_HORIZON' });
      for (;;) {
        const page = await shard.read(position, { limit: 10_000 });
        if (page.records.length === 0) break;
        read += page.records.length;
        position = page.next;
      }
    }
    if (read !== issued) throw new Error(`read back ${read} records of ${issued}`);
    const readSeconds = Number(process.hrtime.bigint() - readStarted) / 1e9;
    return { name, records: issued, seconds, payloadBytes, diskBytes, latencies, cpuUser: used.user / 1e6, cpuSystem: used.system / 1e6, cpuOthers, readSeconds };
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function du(dir: string): number {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    bytes += entry.isDirectory() ? du(p) : fs.statSync(p).size;
  }
  return bytes;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function report(r: PhaseResult): void {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const rate = r.records / r.seconds;
  console.log(
    `${r.name.padEnd(34)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} records/s  ` +
      `${(r.payloadBytes / r.seconds / 1e6).toFixed(1).padStart(6)} MB/s payload  ` +
      `${(r.diskBytes / r.seconds / 1e6).toFixed(1).padStart(6)} MB/s to disk  ` +
      `batch ack p50 ${percentile(sorted, 0.5).toFixed(1)} ms p99 ${percentile(sorted, 0.99).toFixed(1)} ms  ` +
      `CPU ${((r.cpuUser * 1e6) / r.records).toFixed(2)} µs user + ${((r.cpuSystem * 1e6) / r.records).toFixed(2)} µs sys per record  ` +
      `(${r.records.toLocaleString('en-US')} records in ${r.seconds.toFixed(2)} s)  peak RSS ${peakRssMb()} MB  ` +
      `other processes used ${(r.cpuOthers / r.seconds).toFixed(2)} of ${os.cpus().length} CPUs; ` +
      `read back ${Math.round(r.records / r.readSeconds).toLocaleString('en-US')} records/s`,
  );
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

console.log(
  `ingest append: ${shards} shards, batches of ${batchSize}, ${concurrency} batches in flight, ` +
    `${dataBytes}-byte data, ${keyCount > 0 ? `${keyCount} distinct keys` : 'unique keys'}, node ${process.version}, ${os.cpus().length} CPUs`,
);
const batches = makeBatches(256, keyCount === 0);
await runPhase('warm-up', Math.min(total, 200_000), true, batches);
if (phases.has('group')) report(await runPhase('group commit', total, true, batches));
if (phases.has('encrypted')) report(await runPhase('group commit, encrypted', total, true, batches, true));
if (phases.has('baseline')) report(await runPhase('fsync per batch (baseline)', Number(values['baseline-records']), false, batches));
if (phases.has('unique') && keyCount > 0) report(await runPhase('group commit, unique keys', total, true, makeBatches(256, true)));
