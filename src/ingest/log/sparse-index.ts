/**
 * A segment's sparse index: every `intervalBytes` or so, the ordinal, arrival time and byte offset
 * of one record. Arrival times never decrease within a shard, so the same entries answer both
 * "where is ordinal N" and "where do records from time T start" with a binary search, leaving at
 * most one interval to scan.
 */

import { crc32Of } from './checksum.js';

const FIELDS = 3;

export class SparseIndex {
  private entries = new Float64Array(FIELDS * 64);
  private count = 0;
  private lastOffset = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalBytes: number) {}

  get length(): number {
    return this.count;
  }

  /** Whether a record at `offset` would become an entry. */
  wants(offset: number): boolean {
    return offset - this.lastOffset >= this.intervalBytes;
  }

  /** Offers records in file order; keeps one if it is far enough past the last entry. */
  note(ordinal: number, timestamp: number, offset: number): void {
    if (offset - this.lastOffset < this.intervalBytes) return;
    if (this.entries.length < (this.count + 1) * FIELDS) {
      const grown = new Float64Array(this.entries.length * 2);
      grown.set(this.entries);
      this.entries = grown;
    }
    const at = this.count * FIELDS;
    this.entries[at] = ordinal;
    this.entries[at + 1] = timestamp;
    this.entries[at + 2] = offset;
    this.count++;
    this.lastOffset = offset;
  }

  /** Byte offset to start scanning from to find `ordinal` (0 when it precedes every entry). */
  offsetForOrdinal(ordinal: number): number {
    const i = this.lastEntryWhere(0, ordinal, true);
    return i < 0 ? 0 : this.entries[i * FIELDS + 2]!;
  }

  /** Entry to start scanning from for the first record that arrived at or after `timestamp`. */
  entryBeforeTime(timestamp: number): { ordinal: number; offset: number } | undefined {
    const i = this.lastEntryWhere(1, timestamp, false);
    if (i < 0) return undefined;
    return { ordinal: this.entries[i * FIELDS]!, offset: this.entries[i * FIELDS + 2]! };
  }

  /** Index of the last entry whose field is <= key (or < key when !inclusive), -1 if none. */
  private lastEntryWhere(field: number, key: number, inclusive: boolean): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = this.entries[mid * FIELDS + field]!;
      if (value < key || (inclusive && value === key)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  entriesView(): Float64Array {
    return this.entries.subarray(0, this.count * FIELDS);
  }

  static fromEntries(intervalBytes: number, entries: Float64Array): SparseIndex {
    const index = new SparseIndex(intervalBytes);
    for (let i = 0; i + FIELDS <= entries.length; i += FIELDS) {
      index.note(entries[i]!, entries[i + 1]!, entries[i + 2]!);
    }
    return index;
  }
}

/** What a sealed segment's .idx file remembers, so reopening a store need not rescan it. */
export interface SegmentSummary {
  readonly size: number;
  readonly endOrdinal: number;
  readonly firstTimestamp: number;
  readonly lastTimestamp: number;
  readonly entries: Float64Array;
}

const MAGIC = 0x31584c53; // 'SLX1'
const HEADER = 40;

export function encodeSummary(summary: SegmentSummary): Uint8Array {
  const bytes = new Uint8Array(HEADER + summary.entries.byteLength + 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, summary.entries.length / FIELDS, true);
  view.setFloat64(8, summary.size, true);
  view.setFloat64(16, summary.endOrdinal, true);
  view.setFloat64(24, summary.firstTimestamp, true);
  view.setFloat64(32, summary.lastTimestamp, true);
  for (let i = 0; i < summary.entries.length; i++) view.setFloat64(HEADER + i * 8, summary.entries[i]!, true);
  view.setUint32(bytes.length - 4, crc32Of(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

/** Undefined when the file is torn, from another format, or fails its checksum. */
export function decodeSummary(bytes: Uint8Array): SegmentSummary | undefined {
  if (bytes.length < HEADER + 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return undefined;
  const count = view.getUint32(4, true);
  if (bytes.length !== HEADER + count * FIELDS * 8 + 4) return undefined;
  if (crc32Of(bytes.subarray(0, bytes.length - 4)) !== view.getUint32(bytes.length - 4, true)) return undefined;
  const entries = new Float64Array(count * FIELDS);
  for (let i = 0; i < entries.length; i++) entries[i] = view.getFloat64(HEADER + i * 8, true);
  return {
    size: view.getFloat64(8, true),
    endOrdinal: view.getFloat64(16, true),
    firstTimestamp: view.getFloat64(24, true),
    lastTimestamp: view.getFloat64(32, true),
    entries,
  };
}
