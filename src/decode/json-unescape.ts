import type { ScratchBytes } from './utf8.js';

const SIMPLE_ESCAPES = new Uint8Array(128);
SIMPLE_ESCAPES[0x22] = 0x22; // \"
SIMPLE_ESCAPES[0x5c] = 0x5c; // \\
SIMPLE_ESCAPES[0x2f] = 0x2f; // \/
SIMPLE_ESCAPES[0x62] = 0x08; // \b
SIMPLE_ESCAPES[0x66] = 0x0c; // \f
SIMPLE_ESCAPES[0x6e] = 0x0a; // \n
SIMPLE_ESCAPES[0x72] = 0x0d; // \r
SIMPLE_ESCAPES[0x74] = 0x09; // \t

/** Value of one hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** The 16-bit unit of `\uXXXX` whose 'u' sits at `bytes[i]`, or -1 if the four hex digits are not there. */
export function hexUnit(bytes: Uint8Array, i: number, end: number): number {
  if (i + 4 >= end) return -1;
  const a = hexValue(bytes[i + 1]!);
  const b = hexValue(bytes[i + 2]!);
  const c = hexValue(bytes[i + 3]!);
  const d = hexValue(bytes[i + 4]!);
  return (a | b | c | d) < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

/** True if `c` may follow a backslash in JSON. */
export function isEscapeChar(c: number): boolean {
  return c === 0x75 || (c >= 0 && c < 128 && SIMPLE_ESCAPES[c] !== 0);
}

function putUtf8(out: Uint8Array, at: number, cp: number): number {
  if (cp < 0x80) {
    out[at] = cp;
    return at + 1;
  }
  if (cp < 0x800) {
    out[at] = 0xc0 | (cp >> 6);
    out[at + 1] = 0x80 | (cp & 0x3f);
    return at + 2;
  }
  if (cp < 0x10000) {
    out[at] = 0xe0 | (cp >> 12);
    out[at + 1] = 0x80 | ((cp >> 6) & 0x3f);
    out[at + 2] = 0x80 | (cp & 0x3f);
    return at + 3;
  }
  out[at] = 0xf0 | (cp >> 18);
  out[at + 1] = 0x80 | ((cp >> 12) & 0x3f);
  out[at + 2] = 0x80 | ((cp >> 6) & 0x3f);
  out[at + 3] = 0x80 | (cp & 0x3f);
  return at + 4;
}

/**
 * Writes the UTF-8 of the JSON string body `bytes[start, end)` (escapes already validated by the
 * scanner) into `scratch`. Surrogate pairs become one 4-byte sequence; a lone surrogate is written
 * as its 3-byte WTF-8 form and reported by returning true, since no UTF-8 text can carry it.
 * Unescaped output is never longer than the input, so the scratch is sized once.
 */
export function unescapeJsonString(bytes: Uint8Array, start: number, end: number, scratch: ScratchBytes): boolean {
  const out = scratch.reset(end - start);
  let at = 0;
  let loneSurrogate = false;
  let i = start;
  // readable: out = utf8(JSON.parse('"' + text + '"'))
  while (i < end) {
    const c = bytes[i]!;
    if (c !== 0x5c) {
      out[at++] = c;
      i++;
      continue;
    }
    const x = bytes[i + 1]!;
    if (x !== 0x75) {
      out[at++] = SIMPLE_ESCAPES[x]!;
      i += 2;
      continue;
    }
    let unit = hexUnit(bytes, i + 1, end);
    i += 6;
    if (unit >= 0xd800 && unit <= 0xdbff && bytes[i] === 0x5c && bytes[i + 1] === 0x75) {
      const low = hexUnit(bytes, i + 1, end);
      if (low >= 0xdc00 && low <= 0xdfff) {
        unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        i += 6;
      }
    }
    if (unit >= 0xd800 && unit <= 0xdfff) loneSurrogate = true;
    at = putUtf8(out, at, unit);
  }
  scratch.length = at;
  return loneSurrogate;
}
