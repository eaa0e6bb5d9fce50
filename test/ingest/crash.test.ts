import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogStore } from '../../src/ingest/log-store.js';
import { compareSequenceNumbers } from '../../src/ingest/sequence-number.js';
import { readAll, removeDir, tempDir, text } from './helpers.js';

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crash-writer.mjs');

interface Ack {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly n: number;
}

/** Runs the writer until it has acknowledged `acks` records, then kills it with SIGKILL. */
function runAndKill(dir: string, acks: number, encrypt: boolean): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, '4', ...(encrypt ? ['encrypt'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let lines = 0;
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      lines += chunk.split('\n').length - 1;
      if (lines > acks && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited with ${code ?? signal}: ${stderr}`));
      // The last line may be cut short by the kill; only whole lines were acknowledged.
      const whole = out.slice(0, out.lastIndexOf('\n') + 1).split('\n').filter((l) => l && l !== 'ready');
      resolve(
        whole.map((line) => {
          const [shardId, sequenceNumber, n] = line.split(' ');
          return { shardId: shardId!, sequenceNumber: sequenceNumber!, n: Number(n) };
        }),
      );
    });
  });
}

describe('kill -9 during appends', () => {
  let dir: string;

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(() => {
    removeDir(dir);
  });

  it.each([
    ['plain', false],
    ['encrypted', true],
  ])('keeps every acknowledged record, in order per shard, with no corrupt record (%s)', async (_, encrypt) => {
    for (const round of [1, 2]) {
      const acked = await runAndKill(dir, round * 20_000, encrypt);
      expect(acked.length).toBeGreaterThanOrEqual(round * 20_000);

      const store = await LogStore.open(dir, { retentionCheckMs: 0 });
      try {
        const stream = store.getStream('crash');
        const found = new Map<string, number>();
        for (const shard of stream.shards()) {
          // readAll verifies every frame's checksum; a corrupt record would throw here.
          const records = await readAll(shard, { type: 'TRIM_HORIZON' }, 5000);
          for (let i = 0; i < records.length; i++) {
            const record = records[i]!;
            expect(record.encrypted ?? false).toBe(encrypt);
            if (i > 0) expect(compareSequenceNumbers(records[i - 1]!.sequenceNumber, record.sequenceNumber)).toBeLessThan(0);
            const [word, n, pad] = text(record.data).split(' ');
            expect(word).toBe('record');
            expect(pad ?? '').toBe('x'.repeat(Number(n) % 500));
            expect(record.partitionKey).toBe(`key-${Number(n) % 101}`);
            found.set(`${shard.shardId} ${record.sequenceNumber}`, Number(n));
          }
        }
        const missing = acked.filter((a) => found.get(`${a.shardId} ${a.sequenceNumber}`) !== a.n);
        expect(missing).toEqual([]);
      } finally {
        await store.close();
      }
    }
  });
});
