import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Shard } from '../../src/ingest/shard.js';
import type { ShardRecord, StartingPosition } from '../../src/ingest/types.js';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ingest-'));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** Every record from `start` to the end of the shard, paging `limit` at a time. */
export async function readAll(shard: Shard, start: StartingPosition = { type: 'TRIM_HORIZON' }, limit = 1000): Promise<ShardRecord[]> {
  const records: ShardRecord[] = [];
  let position = shard.position(start);
  for (;;) {
    const result = await shard.read(position, { limit });
    records.push(...result.records);
    position = result.next;
    if (result.records.length === 0) return records;
  }
}

export function shardDir(root: string, stream: string, shardId: string): string {
  return path.join(root, 'streams', stream, shardId);
}

export function segmentFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.endsWith('.seg')).sort();
}
