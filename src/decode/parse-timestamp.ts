/**
 * ISO-8601 timestamps parsed straight from bytes, because Date.parse needs a JS string per value
 * and reads a missing offset as local time. Accepted, all in one pass:
 *   YYYY-MM-DD, then optionally ('T' | 't' | ' ') HH:MM[:SS[(.|,)fraction of 1-9 digits]],
 *   then optionally 'Z' | 'z' | ±HH | ±HHMM | ±HH:MM. No offset means UTC.
 * Fractions keep whole milliseconds (extra digits are cut, as Date.parse does).
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;


/** Two ASCII digits at `i` as a number, or -1. */
function twoDigits(bytes: Uint8Array, i: number): number {
  const a = bytes[i]! - 0x30;
  const b = bytes[i + 1]! - 0x30;
  return a >>> 0 < 10 && b >>> 0 < 10 ? a * 10 + b : -1;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * 'YYYY-MM-DDTHH:MM' of the last timestamp parsed, as four words, and its epoch ms: in a stream,
 * thousands of timestamps in a row share that prefix, and four word compares beat parsing it.
 */
const PREFIX_BYTES = 16;
const cachedPrefix = new Int32Array(4);
const cachedPrefixMs = new Float64Array(1).fill(NaN);

/**
 * Parses the timestamp that starts at `bytes[start]` (reading no further than `limit`), stores its
 * epoch milliseconds in `out[at]` and returns the index just after it, or -1 if the bytes there
 * are not one we accept. The caller checks what follows (a closing quote, the end of a field).
 * The result goes into an array, not a return value, so no double is boxed per call.
 */
export function scanTimestamp(view: DataView, bytes: Uint8Array, start: number, limit: number, out: Float64Array, at: number): number {
  let ms: number;
  let i: number;
  if (
    limit - start >= PREFIX_BYTES &&
    view.getInt32(start, true) === cachedPrefix[0] &&
    view.getInt32(start + 4, true) === cachedPrefix[1] &&
    view.getInt32(start + 8, true) === cachedPrefix[2] &&
    view.getInt32(start + 12, true) === cachedPrefix[3] &&
    cachedPrefixMs[0] === cachedPrefixMs[0]
  ) {
    ms = cachedPrefixMs[0]!;
    i = start + PREFIX_BYTES;
  } else {
    if (limit - start < 10 || bytes[start + 4] !== 0x2d || bytes[start + 7] !== 0x2d) return -1;
    const century = twoDigits(bytes, start);
    const yy = twoDigits(bytes, start + 2);
    const month = twoDigits(bytes, start + 5);
    const day = twoDigits(bytes, start + 8);
    if ((century | yy | month | day) < 0) return -1;
    const year = century * 100 + yy;
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return -1;
    ms = daysFromCivil(year, month, day) * MS_PER_DAY;
    i = start + 10;
    const sep = i < limit ? bytes[i] : -1;
    if ((sep !== 0x54 && sep !== 0x74 && sep !== 0x20) || limit - i < 6 || bytes[i + 3] !== 0x3a) {
      out[at] = ms;
      return i;
    }
    const hour = twoDigits(bytes, i + 1);
    const minute = twoDigits(bytes, i + 4);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return -1;
    ms += hour * 3_600_000 + minute * MS_PER_MINUTE;
    i += 6;
    cachedPrefix[0] = view.getInt32(start, true);
    cachedPrefix[1] = view.getInt32(start + 4, true);
    cachedPrefix[2] = view.getInt32(start + 8, true);
    cachedPrefix[3] = view.getInt32(start + 12, true);
    cachedPrefixMs[0] = ms;
  }
  if (limit - i >= 3 && bytes[i] === 0x3a) {
    const second = twoDigits(bytes, i + 1);
    if (second < 0 || second > 59) return -1;
    ms += second * 1000;
    i += 3;
    if (i < limit && (bytes[i] === 0x2e || bytes[i] === 0x2c)) {
      const digits = ++i;
      let fraction = 0;
      let d: number;
      // readable: fraction = Number(digits.slice(0, 3).padEnd(3, '0'))
      while (i < limit && (d = bytes[i]! - 0x30) >>> 0 < 10) {
        if (i - digits < 3) fraction = fraction * 10 + d;
        i++;
      }
      const count = i - digits;
      if (count === 0 || count > 9) return -1;
      ms += count === 1 ? fraction * 100 : count === 2 ? fraction * 10 : fraction;
    }
  }
  const zone = i < limit ? bytes[i]! : -1;
  if (zone === 0x5a || zone === 0x7a) i++;
  else if (zone === 0x2b || zone === 0x2d) {
    if (limit - i < 3) return -1;
    const offsetHours = twoDigits(bytes, i + 1);
    let offsetMinutes = 0;
    i += 3;
    if (limit - i >= 3 && bytes[i] === 0x3a) {
      offsetMinutes = twoDigits(bytes, i + 1);
      i += 3;
    } else if (limit - i >= 2 && bytes[i]! - 0x30 >>> 0 < 10) {
      offsetMinutes = twoDigits(bytes, i);
      i += 2;
    }
    if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) return -1;
    const offset = (offsetHours * 60 + offsetMinutes) * MS_PER_MINUTE;
    ms = zone === 0x2b ? ms - offset : ms + offset;
  }
  out[at] = ms;
  return i;
}

const scratch = new Float64Array(1);

/** Epoch milliseconds of exactly `bytes[start, end)`, or NaN (tests and slow paths). */
export function parseTimestamp(bytes: Uint8Array, start: number, end: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return scanTimestamp(view, bytes, start, end, scratch, 0) === end ? scratch[0]! : NaN;
}
