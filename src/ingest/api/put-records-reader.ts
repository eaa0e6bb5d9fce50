/**
 * PutRecords bodies read straight from their bytes. JSON.parse of a 500-record body first decodes
 * ~200 KB of UTF-8 into a string, then builds an object and a ~400-character base64 string per
 * record, and each Data is decoded into a Buffer of its own; on a server sharing its cores with
 * its producers, that work and the garbage behind it are a large part of a request's cost. This
 * reader walks the common shape once, makes strings only of the short fields, and decodes every
 * Data into one reused buffer; once the whole request has passed, the decoded bytes are copied
 * over the front of the body buffer (base64 is longer than what it encodes), and the records are
 * views of it.
 *
 * It only takes bodies it can read exactly as JSON.parse would and whose records pass every
 * check: anything else (escapes, other fields, nulls, wrong types, a constraint a record fails,
 * broken JSON) returns undefined, and the request goes through JSON.parse and the full
 * validation, so every error a client can see is produced by that one path.
 */

import type { AppendRecord } from '../types.js';

export const MAX_RECORDS = 500;
export const MAX_DATA_BYTES = 1024 * 1024;
export const MAX_KEY_LENGTH = 256;
export const HASH_KEY_PATTERN = /^(?:0|[1-9]\d{0,38})$/;
const MAX_HASH_KEY_TEXT = ((1n << 128n) - 1n).toString();

export interface PutRecordsBody {
  readonly StreamName?: string;
  readonly StreamARN?: string;
  /** Every record already checked: the operation skips its own pass over them. */
  readonly Records: CheckedRecords;
}

export class CheckedRecords {
  constructor(readonly records: AppendRecord[]) {}
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const STREAM_NAME = 1;
const STREAM_ARN = 2;
const RECORDS = 3;
const DATA = 4;
const PARTITION_KEY = 5;
const EXPLICIT_HASH_KEY = 6;
/** Field names by length (each length has one), as bytes. */
const FIELDS: (Uint8Array | undefined)[] = [];
const CODES: number[] = [];
for (const [name, code] of [
  ['StreamName', STREAM_NAME],
  ['StreamARN', STREAM_ARN],
  ['Records', RECORDS],
  ['Data', DATA],
  ['PartitionKey', PARTITION_KEY],
  ['ExplicitHashKey', EXPLICIT_HASH_KEY],
] as const) {
  FIELDS[name.length] = Buffer.from(name, 'latin1');
  CODES[name.length] = code;
}

/** Buffer's own string codecs without toString/write's argument handling, which costs more than they do here. */
interface Codecs {
  latin1Slice(start: number, end: number): string;
  base64Write(text: string, offset: number, length: number): number;
}

/**
 * Every Data decoded in pass one (which is also what checks it), copied over the body once the
 * whole request has passed. Reused: it never leaves a call.
 */
let scratch = Buffer.allocUnsafe(256 * 1024);

export function readPutRecords(body: Buffer): PutRecordsBody | undefined {
  if (scratch.length < body.length) scratch = Buffer.allocUnsafe(body.length);
  const reader = new Reader(body);
  try {
    return reader.read();
  } catch (err) {
    if (err === DECLINE) return undefined;
    throw err;
  }
}

/** Thrown inside the reader to hand the body back to JSON.parse. */
const DECLINE = Symbol('decline');

function decline(): never {
  throw DECLINE;
}

class Reader {
  private p = 0;
  /** Bytes of scratch holding decoded Data so far. */
  private decoded = 0;
  private readonly keys: string[] = [];
  private readonly hashKeys: (string | undefined)[] = [];
  private readonly ends: number[] = [];

  constructor(private readonly b: Buffer) {}

  read(): PutRecordsBody {
    let streamName: string | undefined;
    let streamArn: string | undefined;
    let count = -1;
    this.expect(0x7b);
    if (this.peek() !== 0x7d) {
      do {
        const field = this.field();
        if (field === STREAM_NAME && streamName === undefined) streamName = this.text(2048);
        else if (field === STREAM_ARN && streamArn === undefined) streamArn = this.text(2048);
        else if (field === RECORDS && count < 0) count = this.records();
        else decline();
      } while (this.comma(0x7d));
    } else this.p++;
    this.ws();
    if (this.p !== this.b.length || count < 1) decline();
    return {
      ...(streamName !== undefined ? { StreamName: streamName } : {}),
      ...(streamArn !== undefined ? { StreamARN: streamArn } : {}),
      Records: new CheckedRecords(this.finish(count)),
    };
  }

  private records(): number {
    this.expect(0x5b);
    if (this.peek() === 0x5d) {
      this.p++;
      return 0;
    }
    let n = 0;
    do {
      if (n === MAX_RECORDS) decline();
      this.record();
      n++;
    } while (this.comma(0x5d));
    return n;
  }

  private record(): void {
    let key: string | undefined;
    let hashKey: string | undefined;
    let data = false;
    this.expect(0x7b);
    do {
      const field = this.field();
      if (field === DATA && !data) {
        this.base64();
        data = true;
      } else if (field === PARTITION_KEY && key === undefined) key = this.text(MAX_KEY_LENGTH);
      else if (field === EXPLICIT_HASH_KEY && hashKey === undefined) hashKey = this.text(64);
      else decline();
    } while (this.comma(0x7d));
    if (!data || key === undefined || key.length < 1) decline();
    if (hashKey !== undefined && (!HASH_KEY_PATTERN.test(hashKey) || (hashKey.length === MAX_HASH_KEY_TEXT.length && hashKey > MAX_HASH_KEY_TEXT))) decline();
    this.keys.push(key);
    this.hashKeys.push(hashKey);
  }

  /** The whole request passed: its decoded Data moves over the body, which nothing reads any more. */
  private finish(count: number): AppendRecord[] {
    const b = this.b;
    scratch.copy(b, 0, 0, this.decoded);
    const records = new Array<AppendRecord>(count);
    let start = 0;
    for (let i = 0; i < count; i++) {
      const end = this.ends[i]!;
      const data = new Uint8Array(b.buffer, b.byteOffset + start, end - start);
      const hashKey = this.hashKeys[i];
      records[i] = hashKey === undefined ? { partitionKey: this.keys[i]!, data } : { partitionKey: this.keys[i]!, data, explicitHashKey: hashKey };
      start = end;
    }
    return records;
  }

  /**
   * A Data string, decoded into scratch by the same decoder Buffer.from(text, 'base64') uses and
   * held to the same test the generic path applies (the decoded length the text promises), so
   * the two accept exactly the same strings. A backslash (an escape, which JSON.parse would
   * have undone) or any byte outside base64 is skipped by that decoder and fails the length test.
   */
  private base64(): void {
    const b = this.b;
    this.openQuote();
    const start = this.p;
    const end = b.indexOf(QUOTE, start);
    if (end < 0) decline();
    const length = end - start;
    if (length % 4 !== 0) decline();
    const pad = length === 0 ? 0 : b[end - 1] !== 0x3d ? 0 : b[end - 2] !== 0x3d ? 1 : 2;
    const expected = (length / 4) * 3 - pad;
    if (expected > MAX_DATA_BYTES) decline();
    const written = expected === 0 ? 0 : (scratch as unknown as Codecs).base64Write((b as unknown as Codecs).latin1Slice(start, end), this.decoded, expected);
    if (written !== expected) decline();
    this.decoded += written;
    this.ends.push(this.decoded);
    this.p = end + 1;
  }

  /** A string without escapes, as JSON.parse would give it (UTF-8 decoded), at most `max` UTF-16 units. */
  private text(max: number): string {
    const b = this.b;
    this.openQuote();
    const start = this.p;
    let p = start;
    let ascii = true;
    for (;;) {
      if (p >= b.length) decline();
      const c = b[p]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20) decline();
      if (c >= 0x80) ascii = false;
      p++;
    }
    this.p = p + 1;
    if (p - start > (ascii ? max : max * 3)) decline();
    const s = ascii ? (b as unknown as Codecs).latin1Slice(start, p) : b.toString('utf8', start, p);
    if (s.length > max) decline();
    return s;
  }

  /** A field name this reader knows, followed by its colon; any other name declines. */
  private field(): number {
    const b = this.b;
    this.openQuote();
    const start = this.p;
    const end = b.indexOf(QUOTE, start);
    const name = FIELDS[end - start];
    if (end < 0 || name === undefined) decline();
    for (let i = 0; i < name.length; i++) if (b[start + i] !== name[i]) decline();
    this.p = end + 1;
    this.expect(0x3a);
    return CODES[name.length]!;
  }

  /** After a value: true at a comma, false at `close` (consumed), anything else declines. */
  private comma(close: number): boolean {
    this.ws();
    const c = this.b[this.p++];
    if (c === 0x2c) {
      this.ws();
      return true;
    }
    if (c !== close) decline();
    return false;
  }

  /** Whitespace, then the quote a string starts with; the string's own bytes are not skipped. */
  private openQuote(): void {
    this.ws();
    if (this.b[this.p] !== QUOTE) decline();
    this.p++;
  }

  private expect(c: number): void {
    this.ws();
    if (this.b[this.p] !== c) decline();
    this.p++;
    this.ws();
  }

  private peek(): number | undefined {
    this.ws();
    return this.b[this.p];
  }

  private ws(): void {
    const b = this.b;
    let c = b[this.p];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++this.p];
  }
}
