/**
 * CRC-32 with the zlib polynomial, so zlib.crc32 over a frame's bytes gives the same value (the
 * tests hold the two together). The append path checksums every ~300-byte record: zlib.crc32
 * costs ~450 ns there (a Buffer view plus the native call), this slicing-by-16 table ~230 ns,
 * reading the frame in place through the batch's DataView. Sealed frames of tens of KiB go to
 * zlib.crc32, about twice as fast at that size.
 */

import zlib from 'node:zlib';

const SLICES = 16;
/** From here on the native call's fixed cost is repaid (node 20.15 and later have it). */
const NATIVE_FROM = 8192;
const nativeCrc32: ((data: Uint8Array) => number) | undefined = typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

const TABLES = (() => {
  const t = new Int32Array(SLICES * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    let c = t[i]!;
    for (let s = 1; s < SLICES; s++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[s * 256 + i] = c;
    }
  }
  return t;
})();

/** CRC-32 of bytes[start, end); `view` must cover the same memory as `bytes`. */
export function crc32(bytes: Uint8Array, view: DataView, start: number, end: number): number {
  if (end - start >= NATIVE_FROM && nativeCrc32) return nativeCrc32(bytes.subarray(start, end)) >>> 0;
  const t = TABLES;
  let c = -1;
  let p = start;
  // readable: for (let i = start; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)
  for (; p + 16 <= end; p += 16) {
    const a = view.getInt32(p, true) ^ c;
    const b = view.getInt32(p + 4, true);
    const d = view.getInt32(p + 8, true);
    const e = view.getInt32(p + 12, true);
    c =
      t[3840 + (a & 0xff)]! ^
      t[3584 + ((a >>> 8) & 0xff)]! ^
      t[3328 + ((a >>> 16) & 0xff)]! ^
      t[3072 + (a >>> 24)]! ^
      t[2816 + (b & 0xff)]! ^
      t[2560 + ((b >>> 8) & 0xff)]! ^
      t[2304 + ((b >>> 16) & 0xff)]! ^
      t[2048 + (b >>> 24)]! ^
      t[1792 + (d & 0xff)]! ^
      t[1536 + ((d >>> 8) & 0xff)]! ^
      t[1280 + ((d >>> 16) & 0xff)]! ^
      t[1024 + (d >>> 24)]! ^
      t[768 + (e & 0xff)]! ^
      t[512 + ((e >>> 8) & 0xff)]! ^
      t[256 + ((e >>> 16) & 0xff)]! ^
      t[e >>> 24]!;
  }
  for (; p < end; p++) c = t[(c ^ bytes[p]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** Convenience form for whole arrays (index files, tests). */
export function crc32Of(bytes: Uint8Array): number {
  return crc32(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.length);
}
