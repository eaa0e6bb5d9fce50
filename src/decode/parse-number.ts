import { latin1Text, utf8Text } from './utf8.js';

/** 10^0 … 10^22: every one is exact in a double, which is what makes the fast path below exact. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_EXACT = 2 ** 53;

/**
 * End of the JSON number token starting at `bytes[i]` (grammar `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`),
 * or -1 if the bytes there are not one. It does not look past the token: the caller checks what follows.
 */
export function scanJsonNumber(bytes: Uint8Array, i: number, end: number): number {
  if (i < end && bytes[i] === 0x2d) i++;
  if (i >= end) return -1;
  const first = bytes[i]!;
  if (first === 0x30) i++;
  else if (first >= 0x31 && first <= 0x39) {
    i++;
    // readable: i += /^\d*/.exec(text.slice(i))[0].length (same for the two digit runs below)
    while (i < end && bytes[i]! - 0x30 >>> 0 < 10) i++;
  } else return -1;
  if (i < end && bytes[i] === 0x2e) {
    const digits = ++i;
    while (i < end && bytes[i]! - 0x30 >>> 0 < 10) i++;
    if (i === digits) return -1;
  }
  if (i < end && (bytes[i]! | 0x20) === 0x65) {
    i++;
    if (i < end && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++;
    const digits = i;
    while (i < end && bytes[i]! - 0x30 >>> 0 < 10) i++;
    if (i === digits) return -1;
  }
  return i;
}

/**
 * End of the plain integer token `-?[1-9][0-9]*` or `-?0` at `bytes[i]` with at most `maxDigits`
 * digits, or -1 if the token there is anything else (a fraction, an exponent, more digits, not a
 * number at all): a cheap check that a value fits an integer column, with `scanJsonNumber` for the rest.
 */
export function plainIntegerEnd(bytes: Uint8Array, i: number, end: number, maxDigits: number): number {
  if (i < end && bytes[i] === 0x2d) i++;
  const first = i;
  // readable: i += /^\d*/.exec(text.slice(i))[0].length
  while (i < end && bytes[i]! - 0x30 >>> 0 < 10) i++;
  const digits = i - first;
  if (digits === 0 || digits > maxDigits || (digits > 1 && bytes[first] === 0x30)) return -1;
  if (i < end && (bytes[i] === 0x2e || (bytes[i]! | 0x20) === 0x65)) return -1;
  return i;
}

/**
 * Value of a JSON number token already checked by `scanJsonNumber`. Plain integers and decimals
 * whose digits fit in 2^53 take Clinger's fast path: one correctly rounded division by an exact
 * power of ten gives the same double as JSON.parse. Exponents and long mantissas go to Number().
 */
export function jsonNumberValue(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === 0x2d;
  if (negative) i++;
  let mantissa = 0;
  let d: number;
  // readable: mantissa = parseInt(integer digits)
  while (i < end && (d = bytes[i]! - 0x30) >>> 0 < 10) {
    mantissa = mantissa * 10 + d;
    i++;
  }
  let fraction = 0;
  if (i < end && bytes[i] === 0x2e) {
    const digits = ++i;
    // readable: mantissa = mantissa * 10^k + parseInt(fraction digits)
    while (i < end && (d = bytes[i]! - 0x30) >>> 0 < 10) {
      mantissa = mantissa * 10 + d;
      i++;
    }
    fraction = i - digits;
  }
  // Once the mantissa passes 2^53 it never comes back, so `<= MAX_EXACT` proves every step was exact.
  if (i !== end || mantissa > MAX_EXACT || fraction > 22) return Number(latin1Text(bytes, start, end));
  const value = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
  return negative ? -value : value;
}

/** Looser than JSON for text fields: a leading '+', '1.', '.5', leading zeros, surrounding blanks. */
const NUMERIC_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** A number written as text (a JSON string's contents, a CSV field); NaN if it is not one. */
export function parseNumberText(bytes: Uint8Array, start: number, end: number): number {
  if (start < end && scanJsonNumber(bytes, start, end) === end) return jsonNumberValue(bytes, start, end);
  const text = utf8Text(bytes, start, end);
  return NUMERIC_TEXT.test(text) ? Number(text) : NaN;
}

/** true/false in any case; -1 if the text is neither. */
export function parseBooleanText(bytes: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len === 4 && (bytes[start]! | 0x20) === 0x74 && (bytes[start + 1]! | 0x20) === 0x72 && (bytes[start + 2]! | 0x20) === 0x75 && (bytes[start + 3]! | 0x20) === 0x65) {
    return 1;
  }
  if (
    len === 5 &&
    (bytes[start]! | 0x20) === 0x66 &&
    (bytes[start + 1]! | 0x20) === 0x61 &&
    (bytes[start + 2]! | 0x20) === 0x6c &&
    (bytes[start + 3]! | 0x20) === 0x73 &&
    (bytes[start + 4]! | 0x20) === 0x65
  ) {
    return 0;
  }
  return -1;
}
