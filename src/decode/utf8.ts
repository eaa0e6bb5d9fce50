/** Small byte <-> text helpers shared by the decoders; all of them work on `bytes[start, end)`. */

const textDecoder = new TextDecoder();

/** Short ASCII runs are built with fromCharCode: TextDecoder's per-call overhead dominates there. */
const SHORT_ASCII = 32;

export function utf8Text(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_ASCII) {
    let ascii = true;
    // readable: ascii = bytes.subarray(start, end).every((c) => c < 0x80)
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return textDecoder.decode(bytes.subarray(start, end));
}

/** Text of a token known to be ASCII (numbers, literals): one char per byte. */
export function latin1Text(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

/** A token's text for an error message, cut short so one huge field cannot flood error_stream. */
export function snippet(bytes: Uint8Array, start: number, end: number, max = 64): string {
  return end - start > max ? `${utf8Text(bytes, start, start + max)}…` : utf8Text(bytes, start, end);
}

/** A growable byte buffer reused for unescaped strings and other slow-path rewrites. */
export class ScratchBytes {
  bytes: Uint8Array = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  length = 0;

  /** Makes room for `n` bytes and resets the length. */
  reset(n: number): Uint8Array {
    if (this.bytes.length < n) {
      this.bytes = new Uint8Array(Math.max(n, this.bytes.length * 2));
      this.view = new DataView(this.bytes.buffer);
    }
    this.length = 0;
    return this.bytes;
  }
}

const textEncoder = new TextEncoder();

export function utf8Bytes(text: string): Uint8Array {
  return textEncoder.encode(text);
}
