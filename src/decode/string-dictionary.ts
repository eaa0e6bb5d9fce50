import { hashRange, rangesEqual, viewOf } from './swar.js';
import { utf8Bytes, utf8Text } from './utf8.js';

/**
 * Interns UTF-8 byte strings into dense codes 0, 1, 2, … keyed by their bytes, so a value already
 * in the dictionary never becomes a JS string again. Open addressing with linear probing. A slot
 * holds the hash next to the code, and an entry its start next to its end in one byte arena, so a
 * lookup touches three places in memory (slot, entry, bytes) rather than one array per field.
 */
export class StringDictionary {
  /** Code -> string, in insertion order (what `RecordDecoder.dictionary` hands out). */
  readonly values: string[] = [];
  /** Pairs per slot: [hash, code + 1]; code + 1 = 0 marks an empty slot. */
  private slots: Int32Array = new Int32Array(2 * 1024);
  private mask = 1023;
  /** Pairs per code: [start, end] of its bytes in the arena. */
  private entries: Int32Array = new Int32Array(2 * 256);
  private arena: Uint8Array = new Uint8Array(4096);
  private arenaView = viewOf(this.arena);
  private arenaUsed = 0;

  get size(): number {
    return this.values.length;
  }

  /**
   * Code for the string whose UTF-8 bytes are `bytes[start, end)`. `text`, when given, is the
   * string to store if the bytes are new; callers pass it when the bytes are not plain UTF-8
   * (a lone surrogate from a JSON escape is kept as WTF-8 so it stays distinct from U+FFFD).
   */
  intern(view: DataView, bytes: Uint8Array, start: number, end: number, text?: string): number {
    return this.internHashed(view, bytes, start, end, hashRange(view, bytes, start, end), text);
  }

  /** `intern` when the caller already has `h = hashRange(view, bytes, start, end)`. */
  internHashed(view: DataView, bytes: Uint8Array, start: number, end: number, h: number, text?: string): number {
    const len = end - start;
    const slots = this.slots;
    const entries = this.entries;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const code = slots[2 * slot + 1]! - 1;
      if (code < 0) return this.insert(bytes, start, end, h, slot, text);
      if (slots[2 * slot] === h) {
        const at = entries[2 * code]!;
        if (entries[2 * code + 1]! - at === len && rangesEqual(this.arenaView, this.arena, at, view, bytes, start, len)) return code;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Code for a JS string (slow path: encodes it first; lone surrogates collapse to U+FFFD). */
  internString(text: string): number {
    const bytes = utf8Bytes(text);
    return this.intern(viewOf(bytes), bytes, 0, bytes.length, text);
  }

  private insert(bytes: Uint8Array, start: number, end: number, h: number, slot: number, text?: string): number {
    const code = this.values.length;
    const len = end - start;
    if (2 * code === this.entries.length) {
      const grown = new Int32Array(this.entries.length * 2);
      grown.set(this.entries);
      this.entries = grown;
    }
    if (this.arenaUsed + len > this.arena.length) this.growArena(len);
    this.arena.set(bytes.subarray(start, end), this.arenaUsed);
    this.entries[2 * code] = this.arenaUsed;
    this.entries[2 * code + 1] = this.arenaUsed + len;
    this.arenaUsed += len;
    this.values.push(text ?? utf8Text(bytes, start, end));
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = code + 1;
    // Keep the load factor at most 1/2 so probe chains stay short.
    if ((code + 1) * 4 > this.slots.length) this.rehash();
    return code;
  }

  private growArena(need: number): void {
    const next = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + need));
    next.set(this.arena.subarray(0, this.arenaUsed));
    this.arena = next;
    this.arenaView = viewOf(next);
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length / 2 - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      let slot = old[s]! & mask;
      // readable: slot = first empty slot from hash & mask on
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = old[s]!;
      slots[2 * slot + 1] = old[s + 1]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
