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
   * Each literal as little-endian 32-bit words: at offsets 0, 4, 8, … and, instead of a ragged
   * tail, one last word ending exactly at the literal's end (overlapping the one before it).
   * Literals are at least 4 bytes (`{"":`), so every one has that last word.
   */
  private words = new Int32Array(MAX_KEYS * 4);
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
      total += (this.keyEnds[k]! - this.keyStarts[k]! + 3 + 3) >>> 2;
    }
    if (this.words.length < total) this.words = new Int32Array(total * 2);
    const view = viewOf(bytes);
    let w = 0;
    for (let k = 0; k < n; k++) {
      const from = this.keyStarts[k]! - 1;
      const len = this.keyEnds[k]! + 2 - from;
      this.wordStarts[k] = w;
      // readable: words = literal split into 4-byte words, the last one right-aligned
      for (let at = 0; at + 4 < len; at += 4) this.words[w++] = view.getInt32(from + at, true);
      this.words[w++] = view.getInt32(from + len - 4, true);
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
    const last = this.wordStarts[k + 1]! - 1;
    // readable: return text.startsWith(literal[k], start)
    for (let w = first, i = start; w < last; w++, i += 4) if (view.getInt32(i, true) !== words[w]) return false;
    return view.getInt32(start + len - 4, true) === words[last];
  }
}
