/**
 * Recovery: read a segment front to back and keep its longest valid prefix. A crash can leave
 * the tail of the last segment half-written (a frame cut short, or bytes that fail the checksum);
 * those bytes were never acknowledged, because acknowledgement waits for fsync.
 */

import { checkFrame, FRAME_HEADER_BYTES, frameCount, frameOrdinal, frameProblem, isSealed, viewOf } from './record-format.js';
import type { Segment } from './segment.js';

const SCAN_CHUNK = 1024 * 1024;

export interface ScanResult {
  /** Bytes up to the end of the whole, intact frames with consecutive ordinals from the segment's base. */
  readonly validBytes: number;
  /** Why the scan stopped before the end of the file, if it did. */
  readonly problem?: string;
}

/**
 * Scans `fileSize` bytes of `segment`, filling its index and durable end as it goes. Sealed frames
 * are checked by their checksum and record count, without the key.
 */
export async function scanSegment(segment: Segment, fileSize: number): Promise<ScanResult> {
  let offset = segment.dataStart;
  let want = SCAN_CHUNK;
  let expected = segment.base;
  const sealed = segment.cipher !== undefined;
  while (offset < fileSize) {
    const bytes = await segment.storage.read(offset, Math.min(fileSize - offset, want));
    const view = viewOf(bytes);
    let p = 0;
    let status = 0;
    for (;;) {
      status = checkFrame(bytes, view, p, bytes.length);
      if (status <= 0) break;
      if (frameOrdinal(view, p) !== expected) {
        status = -100;
        break;
      }
      if (isSealed(bytes, p) !== sealed) {
        status = -101;
        break;
      }
      segment.noteFrame(view, p, offset + p);
      expected += frameCount(view, p);
      p += status;
    }
    offset += p;
    segment.size = offset;
    if (status < 0) {
      const why = status === -100 ? 'ordinal out of sequence' : status === -101 ? 'frame not sealed as its segment is' : frameProblem(status);
      return { validBytes: offset, problem: `${why} at byte ${offset}` };
    }
    const left = bytes.length - p;
    if (offset + left >= fileSize) {
      return left === 0 ? { validBytes: offset } : { validBytes: offset, problem: `incomplete frame at byte ${offset}` };
    }
    want = Math.max(SCAN_CHUNK, left >= 4 ? view.getUint32(p, true) : FRAME_HEADER_BYTES);
  }
  return { validBytes: offset };
}
