import { scanJsonNumber } from './parse-number.js';
import { hexUnit, isEscapeChar } from './json-unescape.js';
import { findStringStop, viewOf } from './swar.js';

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const NEWLINE = 0x0a;

/** Closing bracket = opening + 2 for both '{' '}' and '[' ']'. */
const CLOSE_OFFSET = 2;

/** JSON whitespace except '\n', which ends the record: scans stop at a line's end by themselves. */
export function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d;
}

/** First index at or after `i` (or `end`) that is not a space, tab or '\r'. */
export function skipSpace(bytes: Uint8Array, i: number, end: number): number {
  // readable: while (/\s/.test(text[i])) i++
  while (i < end && isJsonSpace(bytes[i]!)) i++;
  return i;
}

/**
 * Structural JSON scanning over one record's bytes: finds where strings, numbers, literals and
 * nested containers end without building anything, and checks the structure on the way, so
 * garbage is caught even in fields the query never reads. Every method returns the index after
 * what it scanned, or -1 with `message` set. Reads never go past `end`, the end of the chunk, and
 * no scan crosses a '\n', so a record's scan stops at its own line's end without knowing it first.
 */
export class JsonScanner {
  /** Whether the last string scanned by `stringEnd` held a backslash escape. */
  escaped = false;
  /** Why the last scan returned -1. */
  message = '';
  /** Start of the record being scanned, so messages can give offsets within it. */
  protected recordStart = 0;
  /** Word view of the chunk being scanned (set per decode call). */
  protected view: DataView = viewOf(new Uint8Array(0));
  private stack: Uint8Array = new Uint8Array(64);

  protected syntax(at: number, what: string): number {
    this.message = `invalid JSON at byte ${at - this.recordStart}: ${what}`;
    return -1;
  }

  /** Index of the closing quote of the string whose body starts at `i`. */
  protected stringEnd(bytes: Uint8Array, i: number, end: number): number {
    const at = findStringStop(this.view, bytes, i, end);
    const c = at < end ? bytes[at] : -1;
    if (c === QUOTE) {
      this.escaped = false;
      return at;
    }
    return c === BACKSLASH ? this.escapedStringEnd(bytes, at, end) : this.badStringByte(at, c);
  }

  /** A string stopped at a control byte: the line's end (unterminated) or a raw one JSON forbids. */
  private badStringByte(at: number, c: number): number {
    return this.syntax(at, c < 0 || c === NEWLINE ? 'unterminated string' : 'raw control character in string');
  }

  /** From the first backslash of a string to its closing quote, checking each escape. */
  private escapedStringEnd(bytes: Uint8Array, i: number, end: number): number {
    this.escaped = true;
    // readable: i = index of the closing quote, stepping over each \x or \uXXXX escape
    while (i < end) {
      const c = bytes[i]!;
      if (c === QUOTE) return i;
      if (c !== BACKSLASH) return this.badStringByte(i, c);
      const x = i + 1 < end ? bytes[i + 1]! : -1;
      if (!isEscapeChar(x)) return this.syntax(i, 'invalid escape in string');
      if (x === 0x75) {
        if (hexUnit(bytes, i + 1, end) < 0) return this.syntax(i, 'invalid \\u escape in string');
        i += 6;
      } else i += 2;
      i = findStringStop(this.view, bytes, i, end);
    }
    return this.badStringByte(i, -1);
  }

  /** The literal whose bytes are `word`, at `i`. */
  protected literal(bytes: Uint8Array, i: number, end: number, word: Uint8Array): number {
    const n = word.length;
    if (i + n > end) return this.syntax(i, 'invalid literal');
    // readable: if (!text.startsWith(word, i)) fail
    for (let k = 1; k < n; k++) if (bytes[i + k] !== word[k]) return this.syntax(i, 'invalid literal');
    return i + n;
  }

  /** Past a string, number or literal starting at `i`. */
  protected skipScalar(bytes: Uint8Array, i: number, end: number): number {
    const c = i < end ? bytes[i]! : -1;
    if (c === QUOTE) {
      const q = this.stringEnd(bytes, i + 1, end);
      return q < 0 ? q : q + 1;
    }
    if (c === 0x74) return this.literal(bytes, i, end, TRUE);
    if (c === 0x66) return this.literal(bytes, i, end, FALSE);
    if (c === 0x6e) return this.literal(bytes, i, end, NULL);
    const n = scanJsonNumber(bytes, i, end);
    return n < 0 ? this.syntax(i, c < 0 ? 'missing value' : 'expected a value') : n;
  }

  /** Past any value starting at `i`. */
  protected skipValue(bytes: Uint8Array, i: number, end: number): number {
    const c = i < end ? bytes[i] : -1;
    return c === LBRACE || c === LBRACKET ? this.skipContainer(bytes, i, end) : this.skipScalar(bytes, i, end);
  }

  /** `"key" :` inside an object, from the key's quote to the start of its value. */
  private memberValueStart(bytes: Uint8Array, i: number, end: number): number {
    if (i >= end || bytes[i] !== QUOTE) return this.syntax(i, 'expected a field name');
    i = this.stringEnd(bytes, i + 1, end);
    if (i < 0) return i;
    i = skipSpace(bytes, i + 1, end);
    if (i >= end || bytes[i] !== COLON) return this.syntax(i, "expected ':' after field name");
    return skipSpace(bytes, i + 1, end);
  }

  /** Past a nested object or array at `i`, iteratively so deep nesting cannot overflow the stack. */
  protected skipContainer(bytes: Uint8Array, i: number, end: number): number {
    let stack = this.stack;
    let depth = 0;
    // At the top of this loop `i` is at the start of a value.
    for (;;) {
      const c = i < end ? bytes[i]! : -1;
      if (c === LBRACE || c === LBRACKET) {
        if (depth === stack.length) stack = this.growStack();
        stack[depth++] = c;
        i = skipSpace(bytes, i + 1, end);
        if (i < end && bytes[i] === c + CLOSE_OFFSET) {
          depth--;
          i++;
        } else {
          if (c === LBRACE && (i = this.memberValueStart(bytes, i, end)) < 0) return i;
          continue;
        }
      } else {
        i = this.skipScalar(bytes, i, end);
        if (i < 0) return i;
      }
      // After a value: close finished containers, or step to the next element.
      for (;;) {
        if (depth === 0) return i;
        i = skipSpace(bytes, i, end);
        const top = stack[depth - 1]!;
        const next = i < end ? bytes[i] : -1;
        if (next === COMMA) {
          i = skipSpace(bytes, i + 1, end);
          if (top === LBRACE && (i = this.memberValueStart(bytes, i, end)) < 0) return i;
          break;
        }
        if (next !== top + CLOSE_OFFSET) {
          return this.syntax(i, top === LBRACE ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
        }
        depth--;
        i++;
      }
    }
  }

  private growStack(): Uint8Array {
    const next = new Uint8Array(this.stack.length * 2);
    next.set(this.stack);
    this.stack = next;
    return next;
  }
}

export const TRUE = new Uint8Array([0x74, 0x72, 0x75, 0x65]);
export const FALSE = new Uint8Array([0x66, 0x61, 0x6c, 0x73, 0x65]);
export const NULL = new Uint8Array([0x6e, 0x75, 0x6c, 0x6c]);
