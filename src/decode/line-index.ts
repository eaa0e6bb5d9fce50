/** Where lines end, shared by the decoders (and by the runtime's error_stream text lookup). */

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const NL = 0x0a;

/** A Buffer over the same memory (no copy), for its native search. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * If the line starting at `pos` is blank — only spaces and tabs, then an optional '\r' — the index
 * where the next line starts (or `end`); otherwise -1. Blank lines are skipped and not counted,
 * so every component that numbers records must agree on exactly this definition.
 */
export function blankLineEnd(bytes: Uint8Array, pos: number, end: number): number {
  let i = pos;
  let c = -1;
  // readable: /^[ \t]*\r?(\n|$)/.test(line)
  while (i < end && ((c = bytes[i]!) === SPACE || c === TAB)) i++;
  if (i === end) return end;
  if (c === CR) {
    if (i + 1 === end) return end;
    c = bytes[++i]!;
  }
  return c === NL ? i + 1 : -1;
}
