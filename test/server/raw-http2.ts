/**
 * HTTP/2 written by hand on a raw socket, for tests that need a client that does not play by the
 * rules (node's own client queues streams past the server's limit and never sends bad frames).
 */

import net from 'node:net';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, GOAWAY: 7 } as const;
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;
export const REFUSED_STREAM = 7;

export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK integer with an n-bit prefix (RFC 7541 §5.1). */
function hpackInt(value: number, prefixBits: number, first = 0): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [first | value];
  const out = [first | max];
  value -= max;
  while (value >= 128) {
    out.push((value % 128) + 128);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

/** A header block of literals without indexing and without Huffman coding. */
export function headerBlock(headers: Record<string, string>): Buffer {
  const bytes: number[] = [];
  for (const [name, value] of Object.entries(headers)) {
    bytes.push(0, ...hpackInt(name.length, 7), ...Buffer.from(name, 'latin1'));
    bytes.push(...hpackInt(value.length, 7), ...Buffer.from(value, 'latin1'));
  }
  return Buffer.from(bytes);
}

export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** A raw connection that has sent the preface and an empty SETTINGS, and collects the frames it gets. */
export class RawHttp2 {
  readonly socket: net.Socket;
  readonly frames: Frame[] = [];
  closed = false;
  private pending = Buffer.alloc(0);

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('data', (chunk: Buffer) => this.parse(chunk));
    this.socket.write(Buffer.concat([PREFACE, frame(FRAME.SETTINGS, 0, 0)]));
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** HEADERS for a request on `streamId`; the stream stays open unless `end`. */
  request(streamId: number, headers: Record<string, string>, end = false): void {
    this.send(frame(FRAME.HEADERS, END_HEADERS | (end ? END_STREAM : 0), streamId, headerBlock(headers)));
  }

  count(type: number, errorCode?: number): number {
    return this.frames.filter((f) => f.type === type && (errorCode === undefined || f.payload.readUInt32BE(type === FRAME.GOAWAY ? 4 : 0) === errorCode)).length;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 9) {
      const length = this.pending.readUIntBE(0, 3);
      if (this.pending.length < 9 + length) return;
      this.frames.push({
        type: this.pending[3]!,
        flags: this.pending[4]!,
        streamId: this.pending.readUInt32BE(5) & 0x7fffffff,
        payload: this.pending.subarray(9, 9 + length),
      });
      this.pending = this.pending.subarray(9 + length);
    }
  }
}

/** Request headers for `path` on this server (pseudo-headers first, as HTTP/2 requires). */
export function requestHeaders(method: string, path: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ':method': method, ':scheme': 'http', ':path': path, ':authority': '127.0.0.1', ...extra };
}
