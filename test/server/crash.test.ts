import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { clientFor, settle, tempDir, text } from './helpers.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'server.mjs');

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the fixture server in its own process and resolves with its port. */
function spawnServer(dir: string): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture, dir, '--no-throttle'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ process: child, port: (JSON.parse(line) as { port: number }).port, exited });
    });
    child.on('error', reject);
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening: ${err}`)));
  });
}

interface Ack {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly n: number;
}

function payload(n: number): string {
  return `record ${n} ${'x'.repeat(n % 300)}`;
}

/** PutRecords from several workers until `stop` is set; collects what each response acknowledged. */
async function load(client: KinesisClient, acks: Ack[], state: { stop: boolean; next: number }): Promise<void> {
  const worker = async (): Promise<void> => {
    while (!state.stop) {
      const ns = Array.from({ length: 100 }, () => state.next++);
      try {
        const out = await client.send(new PutRecordsCommand({ StreamName: 'crash', Records: ns.map((n) => ({ PartitionKey: `key-${n % 97}`, Data: Buffer.from(payload(n)) })) }));
        out.Records!.forEach((r, i) => {
          if (r.SequenceNumber) acks.push({ shardId: r.ShardId!, sequenceNumber: r.SequenceNumber, n: ns[i]! });
        });
      } catch {
        return; // the server is gone: nothing more is acknowledged
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

describe('SIGKILL of a server process under PutRecords load', () => {
  const dirs: string[] = [];
  const children: ChildProcessWithoutNullStreams[] = [];

  afterEach(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('keeps every acknowledged record, in order per shard, none corrupt', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await spawnServer(dir);
    children.push(first.process);
    const client = clientFor(`http://127.0.0.1:${first.port}`, { maxAttempts: 1 });
    await client.send(new CreateStreamCommand({ StreamName: 'crash', ShardCount: 4 }));
    while ((await client.send(new DescribeStreamSummaryCommand({ StreamName: 'crash' }))).StreamDescriptionSummary!.StreamStatus !== 'ACTIVE') await settle(20);

    const acks: Ack[] = [];
    const state = { stop: false, next: 0 };
    const loading = load(client, acks, state);
    while (acks.length < 15_000) await settle(5);
    first.process.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    state.stop = true;
    await loading;
    client.destroy();

    const second = await spawnServer(dir);
    children.push(second.process);
    const reader = clientFor(`http://127.0.0.1:${second.port}`);
    const found = new Map<string, number>();
    let total = 0;
    for (const shard of (await reader.send(new ListShardsCommand({ StreamName: 'crash' }))).Shards!) {
      let it = (await reader.send(new GetShardIteratorCommand({ StreamName: 'crash', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      let previous = -1n;
      for (;;) {
        const page = await reader.send(new GetRecordsCommand({ ShardIterator: it }));
        for (const r of page.Records!) {
          const seq = BigInt(r.SequenceNumber!);
          expect(seq).toBeGreaterThan(previous);
          previous = seq;
          const body = text(r.Data);
          const n = Number(body.split(' ')[1]);
          expect(body).toBe(payload(n));
          expect(r.PartitionKey).toBe(`key-${n % 97}`);
          found.set(`${shard.ShardId} ${r.SequenceNumber}`, n);
          total++;
        }
        if (page.Records!.length === 0) break;
        it = page.NextShardIterator;
      }
    }
    expect(acks.length).toBeGreaterThanOrEqual(15_000);
    expect(total).toBeGreaterThanOrEqual(acks.length);
    const missing = acks.filter((a) => found.get(`${a.shardId} ${a.sequenceNumber}`) !== a.n);
    expect(missing).toEqual([]);
    reader.destroy();

    second.process.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});
