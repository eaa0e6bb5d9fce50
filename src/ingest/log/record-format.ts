/**
 * How one record sits in a segment file: a 28-byte little-endian header, then the partition key
 * (UTF-8), the explicit hash key (ASCII digits, often empty) and the data.
 *
 *   0  u32 frame length (header included)    16 f64 arrival time, epoch ms
 *   4  u32 CRC-32 of bytes [8, frame length)  24 u16 partition key bytes
 *   8  f64 ordinal                            26 u8 explicit hash key bytes, 27 u8 format version
 *
 * The length comes first so a reader can step over records without decoding them; the checksum
 * covers everything after itself, so a torn or overwritten tail fails it.
 *
 * An encrypted segment (segment-cipher.ts) holds sealed frames instead: the same 28-byte header
 * with format version 2, the first ordinal, the arrival time all its records share and, at 24, a
 * u16 record count; then the AES-256-GCM ciphertext of that many version-1 frames and the 16-byte
 * tag. The checksum covers the ciphertext, so torn tails are found without the key.
 */

import { crc32 } from './checksum.js';

export const FRAME_HEADER_BYTES = 28;
export const FRAME_VERSION = 1;
export const SEALED_FRAME_VERSION = 2;
export const SEAL_TAG_BYTES = 16;
/** Frames claiming more are treated as corruption rather than trusted for an allocation. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
export const MAX_PARTITION_KEY_BYTES = 0xffff;

export const OFFSET_CHECKSUM = 4;
export const OFFSET_ORDINAL = 8;
export const OFFSET_TIMESTAMP = 16;
export const OFFSET_KEY_LENGTH = 24;
/** In a sealed frame, where a plain frame has its key lengths. */
export const OFFSET_RECORD_COUNT = 24;
export const OFFSET_HASH_KEY_LENGTH = 26;
export const OFFSET_VERSION = 27;

export const FRAME_INCOMPLETE = 0;

/**
 * Checks the frame at `p`: its length if whole and intact, FRAME_INCOMPLETE if `end` cuts it
 * short, or a negative number if it is corrupt (see frameProblem for why).
 */
export function checkFrame(bytes: Uint8Array, view: DataView, p: number, end: number): number {
  if (end - p < FRAME_HEADER_BYTES) return FRAME_INCOMPLETE;
  const length = view.getUint32(p, true);
  if (length < FRAME_HEADER_BYTES || length > MAX_FRAME_BYTES) return -1;
  if (end - p < length) return FRAME_INCOMPLETE;
  const version = bytes[p + OFFSET_VERSION];
  if (version === FRAME_VERSION) {
    const keys = view.getUint16(p + OFFSET_KEY_LENGTH, true) + bytes[p + OFFSET_HASH_KEY_LENGTH]!;
    if (FRAME_HEADER_BYTES + keys > length) return -3;
  } else if (version === SEALED_FRAME_VERSION) {
    const count = view.getUint16(p + OFFSET_RECORD_COUNT, true);
    if (count === 0 || FRAME_HEADER_BYTES * (count + 1) + SEAL_TAG_BYTES > length) return -3;
  } else {
    return -2;
  }
  const expected = view.getUint32(p + OFFSET_CHECKSUM, true);
  if (crc32(bytes, view, p + OFFSET_ORDINAL, p + length) !== expected) return -4;
  return length;
}

export function frameProblem(code: number): string {
  switch (code) {
    case -1:
      return 'impossible frame length';
    case -2:
      return 'unknown format version';
    case -3:
      return 'lengths overrun the frame';
    case -4:
      return 'checksum mismatch';
    default:
      return `check result ${code}`;
  }
}

export function frameOrdinal(view: DataView, p: number): number {
  return view.getFloat64(p + OFFSET_ORDINAL, true);
}

export function isSealed(bytes: Uint8Array, p: number): boolean {
  return bytes[p + OFFSET_VERSION] === SEALED_FRAME_VERSION;
}

/** Records a whole, checked frame holds: 1, or a sealed frame's count. */
export function frameCount(view: DataView, p: number): number {
  return view.getUint8(p + OFFSET_VERSION) === SEALED_FRAME_VERSION ? view.getUint16(p + OFFSET_RECORD_COUNT, true) : 1;
}

export function frameTimestamp(view: DataView, p: number): number {
  return view.getFloat64(p + OFFSET_TIMESTAMP, true);
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
