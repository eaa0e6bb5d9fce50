/**
 * Turns a batch of records into one buffer of frames grouped by shard, taking ordinals and
 * arrival times as it goes. This is the append hot path: one allocation per batch, no per-record
 * promises or file calls, and each shard's frames are one contiguous slice of the buffer so a
 * commit is one write.
 */

import type { BufferPool } from './buffer-pool.js';
import { ingestErrors } from './errors.js';
import { parseHashKey } from './hashing.js';
import { crc32 } from './log/checksum.js';
import {
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  MAX_FRAME_BYTES,
  MAX_PARTITION_KEY_BYTES,
  OFFSET_CHECKSUM,
  OFFSET_HASH_KEY_LENGTH,
  OFFSET_KEY_LENGTH,
  OFFSET_ORDINAL,
  OFFSET_TIMESTAMP,
  OFFSET_VERSION,
} from './log/record-format.js';
import type { ShardLog } from './log/shard-log.js';
import type { Router } from './router.js';
import type { AppendRecord, AppendResult } from './types.js';

export interface EncodedBatch {
  readonly results: AppendResult[];
  /** The buffer every chunk is a view of. */
  readonly buffer: Buffer;
  /** chunks[i] holds the frames for logs[i]. */
  readonly logs: ShardLog[];
  readonly chunks: Uint8Array[];
}

let slotOf = new Int32Array(1024);
let keyBytesOf = new Int32Array(1024);

export function encodeBatch(records: readonly AppendRecord[], router: Router, now: number, pool: BufferPool | null): EncodedBatch {
  const n = records.length;
  if (slotOf.length < n) {
    slotOf = new Int32Array(n * 2);
    keyBytesOf = new Int32Array(n * 2);
  }
  const targets = router.targets;
  const sizes = new Float64Array(targets.length);

  for (let i = 0; i < n; i++) {
    const record = records[i]!;
    const key = record.partitionKey;
    const data = record.data;
    if (typeof key !== 'string') throw ingestErrors.invalid(`record ${i}: partitionKey must be a string`);
    if (!(data instanceof Uint8Array)) throw ingestErrors.invalid(`record ${i}: data must be a Uint8Array`);
    const hashKey = record.explicitHashKey;
    let slot: number;
    let keyBytes: number;
    if (hashKey === undefined) {
      slot = router.slotForKey(key);
      keyBytes = router.keyBytes;
    } else {
      if (typeof hashKey !== 'string') throw ingestErrors.invalid(`record ${i}: explicitHashKey must be a string`);
      slot = router.slotForHashKey(parseHashKey(hashKey));
      keyBytes = Buffer.byteLength(key, 'utf8');
    }
    const size = FRAME_HEADER_BYTES + keyBytes + (hashKey?.length ?? 0) + data.length;
    if (keyBytes > MAX_PARTITION_KEY_BYTES) throw ingestErrors.invalid(`record ${i}: partition key longer than ${MAX_PARTITION_KEY_BYTES} bytes`);
    if (size > MAX_FRAME_BYTES) throw ingestErrors.invalid(`record ${i}: record larger than ${MAX_FRAME_BYTES} bytes`);
    slotOf[i] = slot;
    keyBytesOf[i] = keyBytes;
    sizes[slot]! += size;
  }

  let total = 0;
  const cursors = new Float64Array(targets.length);
  const timestamps = new Float64Array(targets.length);
  for (let s = 0; s < targets.length; s++) {
    cursors[s] = total;
    total += sizes[s]!;
    if (sizes[s]! > 0) {
      const log = targets[s]!;
      // Arrival times never go backwards within a shard, even if the clock does.
      log.lastTimestamp = Math.max(log.lastTimestamp, now);
      timestamps[s] = log.lastTimestamp;
    }
  }

  const bytes = pool ? pool.take(total) : Buffer.allocUnsafe(total);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const results = new Array<AppendResult>(n);
  for (let i = 0; i < n; i++) {
    const record = records[i]!;
    const slot = slotOf[i]!;
    const log = targets[slot]!;
    const key = record.partitionKey;
    const keyBytes = keyBytesOf[i]!;
    const hashKey = record.explicitHashKey;
    const hashKeyBytes = hashKey === undefined ? 0 : hashKey.length;
    const data = record.data;
    const p = cursors[slot]!;
    const length = FRAME_HEADER_BYTES + keyBytes + hashKeyBytes + data.length;

    view.setUint32(p, length, true);
    view.setFloat64(p + OFFSET_ORDINAL, log.counter.ordinal, true);
    const sequenceNumber = log.counter.take();
    view.setFloat64(p + OFFSET_TIMESTAMP, timestamps[slot]!, true);
    view.setUint16(p + OFFSET_KEY_LENGTH, keyBytes, true);
    bytes[p + OFFSET_HASH_KEY_LENGTH] = hashKeyBytes;
    bytes[p + OFFSET_VERSION] = FRAME_VERSION;
    let q = p + FRAME_HEADER_BYTES;
    if (keyBytes === key.length) {
      // readable: bytes.write(key, q, 'latin1'), which for short keys costs more than this loop
      for (let c = 0; c < keyBytes; c++) bytes[q + c] = key.charCodeAt(c);
    } else {
      bytes.write(key, q, keyBytes, 'utf8');
    }
    q += keyBytes;
    for (let c = 0; c < hashKeyBytes; c++) bytes[q + c] = hashKey!.charCodeAt(c);
    q += hashKeyBytes;
    bytes.set(data, q);
    view.setUint32(p + OFFSET_CHECKSUM, crc32(bytes, view, p + OFFSET_ORDINAL, p + length), true);
    cursors[slot] = p + length;
    results[i] = { shardId: log.shardId, sequenceNumber };
  }

  const logs: ShardLog[] = [];
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (let s = 0; s < targets.length; s++) {
    if (sizes[s]! === 0) continue;
    logs.push(targets[s]!);
    chunks.push(bytes.subarray(start, start + sizes[s]!));
    start += sizes[s]!;
  }
  return { results, buffer: bytes, logs, chunks };
}
