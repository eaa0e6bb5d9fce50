/**
 * Opaque strings the API hands out and takes back: shard iterators and pagination tokens. They
 * are signed (HMAC-SHA256, truncated) with a key kept beside the log, so they survive a restart
 * and a forged or altered one is refused rather than trusted.
 */

import crypto from 'node:crypto';
import type { ShardPosition } from '../types.js';
import { apiErrors } from './errors.js';

const MAC_BYTES = 16;
const ITERATOR_VERSION = 1;
/** version, issuedAt, streamCreatedAt, shard index, ordinal, notBefore, segment, offset, name length. */
const ITERATOR_FIXED = 1 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 1;
export const TOKEN_TTL_MS = 300_000;

export interface IteratorState {
  readonly stream: string;
  /** Tells a stream from a later one of the same name. */
  readonly streamCreatedAt: number;
  readonly shardIndex: number;
  readonly position: ShardPosition;
  readonly issuedAt: number;
}

export class TokenSigner {
  constructor(private readonly key: Buffer) {}

  encodeIterator(state: IteratorState): string {
    const name = Buffer.from(state.stream, 'utf8');
    const buf = Buffer.allocUnsafe(ITERATOR_FIXED + name.length + MAC_BYTES);
    let p = buf.writeUInt8(ITERATOR_VERSION, 0);
    p = buf.writeDoubleBE(state.issuedAt, p);
    p = buf.writeDoubleBE(state.streamCreatedAt, p);
    p = buf.writeUInt32BE(state.shardIndex, p);
    p = buf.writeDoubleBE(state.position.ordinal, p);
    p = buf.writeDoubleBE(state.position.notBefore ?? -1, p);
    p = buf.writeDoubleBE(state.position.segment ?? -1, p);
    p = buf.writeDoubleBE(state.position.offset ?? -1, p);
    p = buf.writeUInt8(name.length, p);
    p += name.copy(buf, p);
    this.mac(buf.subarray(0, p)).copy(buf, p);
    return buf.toString('base64');
  }

  /** The iterator's contents; InvalidArgumentException for anything this server did not issue. */
  decodeIterator(text: string): IteratorState {
    const buf = Buffer.from(text, 'base64');
    if (buf.length < ITERATOR_FIXED + MAC_BYTES || buf.toString('base64') !== text || buf[0] !== ITERATOR_VERSION) throw apiErrors.invalidIterator();
    const body = buf.subarray(0, buf.length - MAC_BYTES);
    if (!crypto.timingSafeEqual(this.mac(body), buf.subarray(body.length))) throw apiErrors.invalidIterator();
    const nameLength = buf.readUInt8(ITERATOR_FIXED - 1);
    if (ITERATOR_FIXED + nameLength !== body.length) throw apiErrors.invalidIterator();
    const notBefore = buf.readDoubleBE(29);
    const segment = buf.readDoubleBE(37);
    const offset = buf.readDoubleBE(45);
    return {
      issuedAt: buf.readDoubleBE(1),
      streamCreatedAt: buf.readDoubleBE(9),
      shardIndex: buf.readUInt32BE(17),
      position: {
        ordinal: buf.readDoubleBE(21),
        ...(notBefore >= 0 ? { notBefore } : {}),
        ...(segment >= 0 && offset >= 0 ? { segment, offset } : {}),
      },
      stream: buf.toString('utf8', ITERATOR_FIXED, body.length),
    };
  }

  /** A pagination token carrying `state` (a small JSON object) and when it was issued. */
  encodeToken(kind: string, state: object, issuedAt: number): string {
    const body = Buffer.from(JSON.stringify({ k: kind, t: issuedAt, s: state }), 'utf8');
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  /** The state of a token of `kind`; ExpiredNextTokenException once it is older than 300 s. */
  decodeToken<T>(kind: string, text: string, now: number): T {
    const buf = Buffer.from(text, 'base64url');
    if (buf.length <= MAC_BYTES) throw apiErrors.invalidNextToken();
    const body = buf.subarray(0, buf.length - MAC_BYTES);
    if (!crypto.timingSafeEqual(this.mac(body), buf.subarray(body.length))) throw apiErrors.invalidNextToken();
    const token = JSON.parse(body.toString('utf8')) as { k: string; t: number; s: T };
    if (token.k !== kind) throw apiErrors.invalidNextToken();
    if (now - token.t > TOKEN_TTL_MS) throw apiErrors.expiredNextToken();
    return token.s;
  }

  private mac(data: Uint8Array): Buffer {
    return crypto.createHmac('sha256', this.key).update(data).digest().subarray(0, MAC_BYTES);
  }
}
