/**
 * Sequence numbers: fixed-width decimal strings, so two from the same shard compare the same way
 * as strings and as BigInts.
 *
 *   '4' | shard index (12 digits) | ordinal (16 digits)
 *
 * The shard index makes them unique across the stream (and a child's greater than its parent's);
 * the ordinal is the shard's record counter. The leading 4 keeps the string free of leading zeros.
 */

const SHARD_DIGITS = 12;
const ORDINAL_DIGITS = 16;
const SEQUENCE_NUMBER_LENGTH = 1 + SHARD_DIGITS + ORDINAL_DIGITS;

export const MAX_ORDINAL = Number.MAX_SAFE_INTEGER;

export function formatSequenceNumber(shardIndex: number, ordinal: number): string {
  return `4${String(shardIndex).padStart(SHARD_DIGITS, '0')}${String(ordinal).padStart(ORDINAL_DIGITS, '0')}`;
}

export interface DecodedSequenceNumber {
  readonly shardIndex: number;
  readonly ordinal: number;
}

/** Undefined when `text` is not a sequence number this log could have produced. */
export function parseSequenceNumber(text: string): DecodedSequenceNumber | undefined {
  if (typeof text !== 'string' || text.length !== SEQUENCE_NUMBER_LENGTH || !/^4[0-9]+$/.test(text)) return undefined;
  const ordinal = Number(text.slice(1 + SHARD_DIGITS));
  if (ordinal > MAX_ORDINAL) return undefined;
  return { shardIndex: Number(text.slice(1, 1 + SHARD_DIGITS)), ordinal };
}

/** Numeric comparison of any two decimal sequence numbers (negative, zero or positive). */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length === b.length) return a < b ? -1 : a > b ? 1 : 0;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const LOW = 10_000;
const LOW_DIGITS = Array.from({ length: LOW }, (_, i) => String(i).padStart(4, '0'));

/**
 * Hands out a shard's ordinals and their sequence numbers in order. This is the append hot path:
 * each take() is one concatenation of a cached prefix and a 4-digit string from a table, where
 * formatting the number would cost several times more.
 */
export class SequenceCounter {
  private low: number;
  private prefix: string;

  constructor(
    private readonly shardIndex: number,
    private next: number,
  ) {
    this.low = next % LOW;
    this.prefix = this.prefixFor(next);
  }

  /** The ordinal the next take() returns. */
  get ordinal(): number {
    return this.next;
  }

  /** The sequence number of `ordinal`, which then advances by one. */
  take(): string {
    const text = this.prefix + LOW_DIGITS[this.low]!;
    this.next++;
    if (++this.low === LOW) {
      this.low = 0;
      this.prefix = this.prefixFor(this.next);
    }
    return text;
  }

  /** Hands out `ordinal` next again: the ordinals after it were taken by records that were never written. */
  rewind(ordinal: number): void {
    this.next = ordinal;
    this.low = ordinal % LOW;
    this.prefix = this.prefixFor(ordinal);
  }

  private prefixFor(ordinal: number): string {
    const shard = String(this.shardIndex).padStart(SHARD_DIGITS, '0');
    return `4${shard}${String(Math.floor(ordinal / LOW)).padStart(ORDINAL_DIGITS - 4, '0')}`;
  }
}
