/**
 * Reading a shard: resolve a starting position to an ordinal, then stream frames out of segment
 * files with positioned reads, opening sealed frames of encrypted segments on the way. Nothing is
 * cached beyond the buffer of the read in progress.
 */

import { ingestErrors } from '../errors.js';
import { formatSequenceNumber, parseSequenceNumber } from '../sequence-number.js';
import type { ReadOptions, ReadResult, ShardPosition, ShardRecord, StartingPosition } from '../types.js';
import {
  checkFrame,
  FRAME_HEADER_BYTES,
  frameCount,
  frameOrdinal,
  frameProblem,
  frameTimestamp,
  isSealed,
  OFFSET_HASH_KEY_LENGTH,
  OFFSET_KEY_LENGTH,
  viewOf,
} from './record-format.js';
import type { Segment } from './segment.js';
import type { ShardLog } from './shard-log.js';

const DEFAULT_LIMIT = 10_000;
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const MIN_READ = 64 * 1024;
const MAX_READ = 1024 * 1024;

export function positionFor(log: ShardLog, start: StartingPosition): ShardPosition {
  switch (start.type) {
    case 'TRIM_HORIZON':
      return { ordinal: log.firstOrdinal };
    case 'LATEST':
      return { ordinal: log.durableEnd };
    case 'AT_SEQUENCE_NUMBER':
      return { ordinal: ordinalOf(log, start.sequenceNumber) };
    case 'AFTER_SEQUENCE_NUMBER':
      return { ordinal: ordinalOf(log, start.sequenceNumber) + 1 };
    case 'AT_TIMESTAMP':
      return timestampPosition(log, start.timestamp);
    default: {
      const unknown: never = start;
      throw ingestErrors.invalid(`unknown starting position ${JSON.stringify(unknown)}`);
    }
  }
}

function ordinalOf(log: ShardLog, sequenceNumber: string): number {
  const decoded = parseSequenceNumber(sequenceNumber);
  if (!decoded || decoded.shardIndex !== log.shardIndex || decoded.ordinal > log.counter.ordinal) {
    throw ingestErrors.invalid(`sequence number ${sequenceNumber} did not come from shard ${log.shardId}`);
  }
  return decoded.ordinal;
}

/** Starts at the index entry just before `timestamp`; read() skips the earlier records after it. */
function timestampPosition(log: ShardLog, timestamp: number): ShardPosition {
  for (const segment of log.segments) {
    if (segment.lastTimestamp < timestamp) continue;
    const entry = segment.index.entryBeforeTime(timestamp);
    if (!entry) return { ordinal: segment.base, notBefore: timestamp, segment: segment.base, offset: segment.dataStart };
    return { ordinal: entry.ordinal, notBefore: timestamp, segment: segment.base, offset: entry.offset };
  }
  return { ordinal: log.durableEnd, notBefore: timestamp };
}

export async function readRecords(log: ShardLog, position: ShardPosition, options: ReadOptions = {}): Promise<ReadResult> {
  if (!Number.isSafeInteger(position.ordinal) || position.ordinal < 0) throw ingestErrors.invalid(`bad shard position ${JSON.stringify(position)}`);
  const limit = Math.max(1, Math.min(options.limit ?? DEFAULT_LIMIT, DEFAULT_LIMIT));
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const segments = log.segments;
  const records: ShardRecord[] = [];
  let bytes = 0;
  let ordinal = Math.max(position.ordinal, segments[0]?.base ?? position.ordinal);
  let notBefore = position.notBefore;
  let si = segmentIndexFor(segments, ordinal);
  let offset = -1;
  if (si >= 0 && position.segment === segments[si]!.base && position.offset !== undefined && position.ordinal === ordinal) {
    offset = position.offset;
  }
  let hinted = offset >= 0;
  let full = false;

  let want = Math.max(MIN_READ, Math.min(MAX_READ, limit * 512));
  /**
   * Takes the checked plain frames in bytes[from, to) from `ordinal` on; false if the read filled
   * up before their end (then `ordinal` is the next record to read).
   */
  const takeFrames = (frames: Buffer, view: DataView, encrypted: true | undefined, from: number, to: number): boolean => {
    for (let q = from; q < to; ) {
      const length = view.getUint32(q, true);
      const frameOrd = frameOrdinal(view, q);
      if (frameOrd >= ordinal) {
        const timestamp = frameTimestamp(view, q);
        if (notBefore === undefined || timestamp >= notBefore) {
          notBefore = undefined;
          const size = length - FRAME_HEADER_BYTES - view.getUint8(q + OFFSET_HASH_KEY_LENGTH);
          if (records.length > 0 && bytes + size > maxBytes) {
            ordinal = frameOrd;
            full = true;
            return false;
          }
          records.push(decodeRecord(frames, view, q, length, log.shardIndex, frameOrd, timestamp, encrypted));
          bytes += size;
        }
        ordinal = frameOrd + 1;
      }
      q += length;
      if (records.length >= limit) {
        full = true;
        return q >= to;
      }
    }
    return true;
  };

  while (!full && si >= 0 && si < segments.length) {
    const segment = segments[si]!;
    // size and endOrdinal change together, synchronously, so each pass sees a consistent pair;
    // a segment that grew while we read is simply read again from where we stopped.
    const end = segment.size;
    if (ordinal >= segment.endOrdinal) {
      if (si + 1 >= segments.length) break;
      si++;
      ordinal = Math.max(ordinal, segments[si]!.base);
      offset = -1;
      continue;
    }
    if (offset < 0 || offset >= end) {
      offset = segment.offsetOf(ordinal);
      hinted = false;
    }
    if (!segment.pin()) {
      // Retention deleted it after we looked: its records are gone, carry on after them.
      ordinal = Math.max(ordinal, segment.endOrdinal);
      offset = -1;
      continue;
    }
    try {
      while (!full && offset < end) {
        const chunk = await segment.storage.read(offset, Math.min(end - offset, want));
        if (chunk.length === 0) throw ingestErrors.corrupt(where(log, segment), offset, 'file shorter than its durable size');
        const view = viewOf(chunk);
        let p = 0;
        let missedHint = false;
        for (;;) {
          const length = checkFrame(chunk, view, p, chunk.length);
          if (length === 0) break;
          const first = length > 0 ? frameOrdinal(view, p) : -1;
          const last = length > 0 ? first + frameCount(view, p) - 1 : -1;
          if (hinted) {
            hinted = false;
            if (first > ordinal || last < ordinal) {
              missedHint = true;
              break;
            }
          }
          if (length < 0) throw ingestErrors.corrupt(where(log, segment), offset + p, frameProblem(length));
          if (isSealed(chunk, p) !== (segment.cipher !== undefined)) {
            throw ingestErrors.corrupt(where(log, segment), offset + p, 'frame not sealed as its segment is');
          }
          if (last >= ordinal) {
            // A sealed frame is read whole or, if the read fills up inside it, from its start again next time.
            let whole: boolean;
            if (segment.cipher) {
              const plain = segment.cipher.unseal(chunk, view, p, length, where(log, segment), offset + p);
              whole = takeFrames(plain, viewOf(plain), true, 0, plain.length);
            } else {
              whole = takeFrames(chunk, view, undefined, p, p + length);
            }
            if (!whole) break;
          }
          p += length;
          if (full) break;
        }
        if (missedHint) {
          offset = segment.offsetOf(ordinal);
          continue;
        }
        offset += p;
        if (p === 0 && !full) {
          // Not even one whole frame fitted: read again, big enough for it, unless it claims to
          // run past the durable end, which whole frames never do.
          if (chunk.length >= end - offset) throw ingestErrors.corrupt(where(log, segment), offset, 'frame runs past the end of the segment');
          want = Math.max(want, view.getUint32(0, true));
        }
      }
    } finally {
      segment.unpin();
    }
  }

  const current = segments[si];
  const next: ShardPosition = {
    ordinal,
    ...(notBefore !== undefined ? { notBefore } : {}),
    ...(current && offset >= 0 ? { segment: current.base, offset } : {}),
  };
  const last = records[records.length - 1];
  const caughtUp = ordinal >= log.durableEnd;
  return {
    records,
    next,
    millisBehindLatest: caughtUp || !last ? 0 : Math.max(0, log.latestDurableTimestamp - last.approximateArrivalTimestamp),
    endOfShard: log.closed && !log.busy && caughtUp,
  };
}

function where(log: ShardLog, segment: Segment): string {
  return `${log.shardId} segment ${segment.base}`;
}

/** The last segment whose base is <= ordinal (0 if ordinal precedes them all, -1 if none). */
function segmentIndexFor(segments: readonly Segment[], ordinal: number): number {
  if (segments.length === 0) return -1;
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segments[mid]!.base <= ordinal) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function decodeRecord(
  chunk: Buffer,
  view: DataView,
  p: number,
  length: number,
  shardIndex: number,
  ordinal: number,
  timestamp: number,
  encrypted: true | undefined,
): ShardRecord {
  const keyStart = p + FRAME_HEADER_BYTES;
  const keyEnd = keyStart + view.getUint16(p + OFFSET_KEY_LENGTH, true);
  const hashKeyEnd = keyEnd + view.getUint8(p + OFFSET_HASH_KEY_LENGTH);
  const sequenceNumber = formatSequenceNumber(shardIndex, ordinal);
  const partitionKey = chunk.toString('utf8', keyStart, keyEnd);
  const data = chunk.subarray(hashKeyEnd, p + length);
  if (hashKeyEnd > keyEnd) {
    const explicitHashKey = chunk.toString('latin1', keyEnd, hashKeyEnd);
    const record: ShardRecord = { sequenceNumber, approximateArrivalTimestamp: timestamp, partitionKey, explicitHashKey, data };
    return encrypted ? { ...record, encrypted } : record;
  }
  // One literal per shape: records are made by the thousand per read.
  return encrypted
    ? { sequenceNumber, approximateArrivalTimestamp: timestamp, partitionKey, data, encrypted }
    : { sequenceNumber, approximateArrivalTimestamp: timestamp, partitionKey, data };
}
