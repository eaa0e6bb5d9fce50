/**
 * One segment of a shard: a run of consecutive ordinals in one append-only file, its sparse index,
 * and the durable end readers may read up to. Segments are only ever deleted whole. An encrypted
 * segment has a cipher, whose header comes before the first frame.
 */

import path from 'node:path';
import { frameCount, frameOrdinal, frameTimestamp, viewOf } from './record-format.js';
import type { SegmentCipher } from './segment-cipher.js';
import { encodeSummary, SparseIndex, type SegmentSummary } from './sparse-index.js';
import type { SegmentStorage } from './segment-storage.js';

const NAME_DIGITS = 16;

export function segmentFileName(base: number): string {
  return `${String(base).padStart(NAME_DIGITS, '0')}.seg`;
}

/** The base ordinal a segment file name carries, or undefined for other files. */
export function segmentBaseOf(fileName: string): number | undefined {
  const match = /^([0-9]{16})\.seg$/.exec(fileName);
  return match ? Number(match[1]) : undefined;
}

export function segmentPath(shardDir: string, base: number): string {
  return path.join(shardDir, segmentFileName(base));
}

export class Segment {
  /** Durable bytes; readers never look past them. */
  size: number;
  /** Where the first frame starts: after the encryption header, if any. */
  readonly dataStart: number;
  /** One past the last durable ordinal. */
  endOrdinal: number;
  firstTimestamp = Number.NEGATIVE_INFINITY;
  /** -Infinity while empty, so an empty sealed segment counts as expired. */
  lastTimestamp = Number.NEGATIVE_INFINITY;
  private pins = 0;
  private retired = false;

  constructor(
    readonly base: number,
    readonly storage: SegmentStorage,
    readonly index: SparseIndex,
    readonly cipher?: SegmentCipher,
  ) {
    this.endOrdinal = base;
    this.dataStart = cipher ? cipher.header.length : 0;
    this.size = this.dataStart;
  }

  static fromSummary(base: number, storage: SegmentStorage, intervalBytes: number, summary: SegmentSummary, cipher?: SegmentCipher): Segment {
    const segment = new Segment(base, storage, SparseIndex.fromEntries(intervalBytes, summary.entries), cipher);
    segment.size = summary.size;
    segment.endOrdinal = summary.endOrdinal;
    segment.firstTimestamp = summary.firstTimestamp;
    segment.lastTimestamp = summary.lastTimestamp;
    return segment;
  }

  get count(): number {
    return this.endOrdinal - this.base;
  }

  /** Byte offset to start scanning from to find `ordinal`. */
  offsetOf(ordinal: number): number {
    return Math.max(this.dataStart, this.index.offsetForOrdinal(ordinal));
  }

  /** Accounts for chunks just made durable at the end of the segment (whole frames only). */
  absorb(chunks: readonly Uint8Array[]): void {
    let offset = this.size;
    for (const chunk of chunks) {
      const view = viewOf(chunk);
      let p = 0;
      let last = 0;
      // Only frames the index keeps, and the chunk's last, need more than their length read.
      while (p < chunk.length) {
        if (this.index.wants(offset + p)) this.noteFrame(view, p, offset + p);
        last = p;
        p += view.getUint32(p, true);
      }
      if (chunk.length > 0) this.noteFrame(view, last, offset + last);
      offset += chunk.length;
    }
    this.size = offset;
  }

  /** Records a frame already known to be valid, found at `offset` in the segment (a sealed one's records share its time). */
  noteFrame(view: DataView, p: number, offset: number): void {
    const ordinal = frameOrdinal(view, p);
    const timestamp = frameTimestamp(view, p);
    this.index.note(ordinal, timestamp, offset);
    if (this.endOrdinal === this.base) this.firstTimestamp = timestamp;
    this.endOrdinal = ordinal + frameCount(view, p);
    this.lastTimestamp = timestamp;
  }

  summary(): Uint8Array {
    return encodeSummary({
      size: this.size,
      endOrdinal: this.endOrdinal,
      firstTimestamp: this.firstTimestamp,
      lastTimestamp: this.lastTimestamp,
      entries: this.index.entriesView(),
    });
  }

  /** Readers pin a segment so retention cannot close its file under them; false if already gone. */
  pin(): boolean {
    if (this.retired) return false;
    this.pins++;
    return true;
  }

  unpin(): void {
    if (--this.pins === 0 && this.retired) void this.storage.remove().catch(() => undefined);
  }

  /** Deletes the segment once the last reader lets go. */
  async retire(): Promise<void> {
    this.retired = true;
    if (this.pins === 0) await this.storage.remove();
  }
}
