/**
 * Word-at-a-time byte work ("SIMD within a register"). In V8 a byte loop over a Uint8Array costs
 * about as much per byte as an unaligned DataView.getInt32 costs per four bytes, so the hot scans
 * read 32-bit little-endian words and find bytes of interest with bit tricks.
 */

const ONES = 0x01010101;
const HIGHS = 0x80808080 | 0;
const QUOTES = 0x22222222;
const BACKSLASHES = 0x5c5c5c5c;
const SPACES = 0x20202020;

/** A DataView over exactly the bytes of `bytes`, so view offsets equal array indices. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Index of the first '"', '\\' or control byte (< 0x20, which includes the line's '\n') in
 * `bytes[i, end)`, or `end` if there is none: where a JSON string ends, escapes, or turns invalid.
 * `(x - 0x01010101) & ~x & 0x80808080` flags the zero bytes of x, and `(w - 0x20202020) & ~w &
 * 0x80808080` the bytes of w below 0x20; in both the lowest flag is exact (no borrow reaches it).
 */
export function findStringStop(view: DataView, bytes: Uint8Array, i: number, end: number): number {
  while (i + 4 <= end) {
    const w = view.getInt32(i, true);
    const q = w ^ QUOTES;
    const b = w ^ BACKSLASHES;
    const flags = (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - SPACES) & ~w)) & HIGHS;
    // readable: const k = [0, 1, 2, 3].find((k) => text[i + k] === '"' || text[i + k] === '\\' || text[i + k] < ' ')
    if (flags !== 0) return i + ((31 - Math.clz32(flags & -flags)) >>> 3);
    i += 4;
  }
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0x22 || c === 0x5c || c < 0x20) return i;
  }
  return end;
}

/** True if `a[i, i + len)` and `b[j, j + len)` hold the same bytes (both ranges in bounds). */
export function rangesEqual(va: DataView, a: Uint8Array, i: number, vb: DataView, b: Uint8Array, j: number, len: number): boolean {
  let k = 0;
  // readable: a.subarray(i, i + len).every((c, k) => c === b[j + k])
  for (; k + 4 <= len; k += 4) if (va.getInt32(i + k, true) !== vb.getInt32(j + k, true)) return false;
  for (; k < len; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}

const HASH_SEED = 0x811c9dc5 | 0;

function mixWord(h: number, word: number): number {
  h = Math.imul(h ^ word, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** Folds in the last 0-3 bytes (as one number) and the length, then avalanches. */
function finishHash(h: number, tail: number, length: number): number {
  h = Math.imul(h ^ tail, 0x85ebca6b) ^ length;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A 32-bit hash of `bytes[start, end)` that depends only on the content, not its alignment. */
export function hashRange(view: DataView, bytes: Uint8Array, start: number, end: number): number {
  let h = HASH_SEED;
  let i = start;
  // readable: for each 4-byte word w: h = mix(h ^ w)
  for (; i + 4 <= end; i += 4) h = mixWord(h, view.getInt32(i, true));
  let tail = 0;
  for (; i < end; i++) tail = (tail << 8) | bytes[i]!;
  return finishHash(h, tail, end - start);
}

/** hashRange of the bytes that the last findStringStopHashing call passed over. */
export const stopHash = new Int32Array(1);

/**
 * findStringStop that also hashes what it passes over (into `stopHash[0]`, equal to hashRange of
 * `bytes[i, stop)`), so interning a plain string reads its bytes once instead of twice.
 */
export function findStringStopHashing(view: DataView, bytes: Uint8Array, i: number, end: number): number {
  const start = i;
  let h = HASH_SEED;
  // readable: for each 4-byte word w before the stop: h = mix(h ^ w)
  while (i + 4 <= end) {
    const w = view.getInt32(i, true);
    const q = w ^ QUOTES;
    const b = w ^ BACKSLASHES;
    if (((((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - SPACES) & ~w)) & HIGHS) !== 0) break;
    h = mixWord(h, w);
    i += 4;
  }
  // The stop, if any, is within the next four bytes; the bytes before it are the hash's tail.
  let tail = 0;
  // readable: tail = the bytes before the stop, packed big-endian into one number
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c === 0x22 || c === 0x5c || c < 0x20) break;
    tail = (tail << 8) | c;
  }
  stopHash[0] = finishHash(h, tail, i - start);
  return i;
}
