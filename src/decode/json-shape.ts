import { viewOf } from './swar.js';

/** Longest key sequence remembered; wider records simply take the general path. */
const MAX_KEYS = 64;

/**
 * What a learned step does with the value after its key, kept where the step's field would be
 * (a field index, >= 0, reads the value into that field's columns), so one load tells both.
 */
export const SKIP = -1;
/** The value is an object whose keys are the next steps: its '{' starts the next literal. */
export const DESCEND = -2;
/** The value is `null` where an object of requested fields may be: every field in it is NULL. */
export const NULL_OBJECT = -3;

/**
 * The keys the general path met in the current record, in order, with their depth and what it did
 * with each value: what a RecordShape learns from once the record turns out good.
 */
export class KeyTrace {
  readonly starts = new Int32Array(MAX_KEYS);
  readonly ends = new Int32Array(MAX_KEYS);
  /** A field index, or SKIP, DESCEND, NULL_OBJECT. */
  readonly steps = new Int32Array(MAX_KEYS);
  readonly depths = new Uint8Array(MAX_KEYS);
  count = 0;
  compact = true;

  startRecord(): void {
    this.count = 0;
    this.compact = true;
  }

  /** Notes key `"…"` at `bytes[quote, closeQuote]`; escaped keys make the record unlearnable. */
  noteKey(quote: number, closeQuote: number, step: number, depth: number, escaped: boolean): void {
    if (escaped || this.count === MAX_KEYS || depth > 255) {
      this.compact = false;
      return;
    }
    const k = this.count++;
    this.starts[k] = quote;
    this.ends[k] = closeQuote;
    this.steps[k] = step;
    this.depths[k] = depth;
  }

  /** The value of the last key noted turned out to be an object to read into (DESCEND) or null (NULL_OBJECT). */
  markNested(step: number): void {
    if (this.count > 0) this.steps[this.count - 1] = step;
  }
}

/**
 * The key layout of a compact record: for each key in order, its literal text with the structure
 * around it (`{"ts":` then `,"page":` …, `{"id":` for the first key of a nested object), how many
 * nested objects close before it, the field it feeds and what to do with its value. Records from
 * one producer nearly always repeat a few layouts, so the decoder checks each key with a few word
 * compares instead of scanning and looking it up; any difference falls back to the general path.
 */
export class RecordShape {
  count = 0;
  /** Whether any step reads into a nested object: flat records skip the bookkeeping of closing them. */
  nested = false;
  readonly lengths = new Int32Array(MAX_KEYS);
  /** Per key: the field its value feeds, or SKIP, DESCEND, NULL_OBJECT. */
  readonly steps = new Int32Array(MAX_KEYS);
  /** `closes[k]`: nested objects ending before key k; `closes[count]`: before the record's end, its own '}' included. */
  readonly closes = new Int32Array(MAX_KEYS + 1);
  /**
   * Each literal as words to compare, read as doubles: 8 bytes at offsets 0, 8, 16, … and, instead
   * of a ragged tail, one last word ending exactly at the literal's end (overlapping the one before
   * it). Literals of 4 to 7 bytes (`{"":` is the shortest) are two 4-byte words instead, the second
   * ending at the literal's end. Comparing doubles is exact here: equal doubles have equal bytes
   * but for +0 and -0, which a literal starting with '{' or ',' can never be, and a NaN never
   * compares equal, which only sends such a record to the general path.
   */
  private words = new Float64Array(MAX_KEYS * 4);
  private readonly wordStarts = new Int32Array(MAX_KEYS + 1);

  /**
   * Adopts the layout of a good record if every key sits right after '{' (the first of its object)
   * or ',' and before ':', and every object read into has keys; false if it cannot.
   */
  learn(trace: KeyTrace, bytes: Uint8Array): boolean {
    const n = trace.count;
    if (!trace.compact || n === 0) return false;
    let total = 0;
    for (let k = 0; k < n; k++) {
      const first = k === 0 || trace.steps[k - 1] === DESCEND;
      const before = bytes[trace.starts[k]! - 1];
      if (before !== (first ? 0x7b : 0x2c) || bytes[trace.ends[k]! + 1] !== 0x3a) return false;
      if (trace.steps[k] === DESCEND && (k + 1 === n || trace.depths[k + 1] !== trace.depths[k]! + 1)) return false;
      const len = trace.ends[k]! - trace.starts[k]! + 3;
      total += len < 8 ? 2 : (len + 7) >>> 3;
    }
    if (this.words.length < total) this.words = new Float64Array(total * 2);
    const view = viewOf(bytes);
    let w = 0;
    let depth = 0;
    let nested = false;
    for (let k = 0; k < n; k++) {
      const from = trace.starts[k]! - 1;
      const len = trace.ends[k]! + 2 - from;
      this.wordStarts[k] = w;
      if (len < 8) {
        // readable: words = [first 4 bytes, last 4 bytes] as 32-bit integers
        this.words[w++] = view.getInt32(from, true);
        this.words[w++] = view.getInt32(from + len - 4, true);
      } else {
        // readable: words = literal split into 8-byte words, the last one right-aligned
        for (let at = 0; at + 8 < len; at += 8) this.words[w++] = view.getFloat64(from + at, true);
        this.words[w++] = view.getFloat64(from + len - 8, true);
      }
      this.lengths[k] = len;
      this.steps[k] = trace.steps[k]!;
      this.closes[k] = depth - trace.depths[k]!;
      depth = trace.depths[k]! + (trace.steps[k] === DESCEND ? 1 : 0);
      if (trace.steps[k]! < SKIP) nested = true;
    }
    this.nested = nested;
    this.closes[n] = depth + 1;
    this.wordStarts[n] = w;
    this.count = n;
    return true;
  }

  /** True if key literal `k` is at `bytes[start]`, ending by `end`. */
  matches(k: number, view: DataView, start: number, end: number): boolean {
    const len = this.lengths[k]!;
    if (start + len > end) return false;
    const words = this.words;
    const first = this.wordStarts[k]!;
    if (len < 8) return view.getInt32(start, true) === words[first] && view.getInt32(start + len - 4, true) === words[first + 1];
    const last = this.wordStarts[k + 1]! - 1;
    // readable: return text.startsWith(literal[k], start)
    for (let w = first, i = start; w < last; w++, i += 8) if (view.getFloat64(i, true) !== words[w]) return false;
    return view.getFloat64(start + len - 8, true) === words[last];
  }
}
