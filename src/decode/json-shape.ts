import { viewOf } from './swar.js';

/** Longest key sequence remembered; wider records simply take the general path. */
const MAX_KEYS = 64;

/**
 * The key layout of the last compact record: for each key in order, its literal text with the
 * structure around it (`{"ts":` then `,"page":` …) and the field it feeds (-1 if none). Records
 * from one producer nearly always repeat it, so the decoder checks each key with a few word
 * compares instead of scanning and looking it up; any difference falls back to the general path.
 */
export class RecordShape {
  count = 0;
  readonly lengths = new Int32Array(MAX_KEYS);
  readonly fields = new Int32Array(MAX_KEYS);
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

  /** Key spans seen by the general path in the current record, to learn from if it is compact. */
  private readonly keyStarts = new Int32Array(MAX_KEYS);
  private readonly keyEnds = new Int32Array(MAX_KEYS);
  private readonly keyFields = new Int32Array(MAX_KEYS);
  private seen = 0;
  private compact = true;

  startRecord(): void {
    this.seen = 0;
    this.compact = true;
  }

  /** Notes key `"…"` at `bytes[quote, closeQuote]`; escaped keys make the record unlearnable. */
  noteKey(quote: number, closeQuote: number, field: number, escaped: boolean): void {
    if (escaped || this.seen === MAX_KEYS) {
      this.compact = false;
      return;
    }
    this.keyStarts[this.seen] = quote;
    this.keyEnds[this.seen] = closeQuote;
    this.keyFields[this.seen++] = field;
  }

  /** After a good record: adopt its layout if every key sits right after '{' or ',' and before ':'. */
  learn(bytes: Uint8Array): void {
    const n = this.seen;
    if (!this.compact || n === 0) return;
    let total = 0;
    for (let k = 0; k < n; k++) {
      const before = bytes[this.keyStarts[k]! - 1];
      if (before !== (k === 0 ? 0x7b : 0x2c) || bytes[this.keyEnds[k]! + 1] !== 0x3a) return;
      const len = this.keyEnds[k]! - this.keyStarts[k]! + 3;
      total += len < 8 ? 2 : (len + 7) >>> 3;
    }
    if (this.words.length < total) this.words = new Float64Array(total * 2);
    const view = viewOf(bytes);
    let w = 0;
    for (let k = 0; k < n; k++) {
      const from = this.keyStarts[k]! - 1;
      const len = this.keyEnds[k]! + 2 - from;
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
      this.fields[k] = this.keyFields[k]!;
    }
    this.wordStarts[n] = w;
    this.count = n;
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
