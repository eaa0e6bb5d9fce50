import { mulberry32 } from '../clickstream.js';

const LETTERS = Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i));
/** Length of the shared text that `extra` fields are cut from, as Nexmark's reusable 1 MiB string. */
const EXTRA_POOL_LENGTH = 1 << 20;

/**
 * The generator's seeded draws: Nexmark's integers, prices and strings over one mulberry32 stream,
 * so a seed gives the same events every time (Nexmark's own generator is unseeded).
 */
export class NexmarkRandom {
  readonly #next: () => number;
  readonly #pool: string;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
    const parts: string[] = [];
    for (let i = 0; i < EXTRA_POOL_LENGTH; i++) parts.push(LETTERS[this.int(26)]!);
    this.#pool = parts.join('');
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }

  /** Cents, log-uniform from 1.00 to 1,000,000.00: round(10^(6u) * 100). */
  price(): number {
    return Math.round(Math.pow(10, this.#next() * 6) * 100);
  }

  /** 3 to maxLength - 1 characters, lowercase letters or (one in 13) `special`, trimmed of spaces. */
  string(maxLength: number, special = ' '): string {
    let len = 3 + this.int(maxLength - 3);
    let s = '';
    while (len-- > 0) s += this.int(13) === 0 ? special : LETTERS[this.int(26)]!;
    return special === ' ' ? s.trim() : s;
  }

  /** Exactly `length` lowercase letters, cut from one shared random text at a random offset. */
  exact(length: number): string {
    const offset = this.int(this.#pool.length - length);
    return this.#pool.slice(offset, offset + length);
  }

  /** Padding so that an event of `currentSize` bytes averages `averageSize`: ±20% around the gap. */
  extra(currentSize: number, averageSize: number): string {
    if (currentSize > averageSize) return '';
    const wanted = averageSize - currentSize;
    const delta = Math.round(wanted * 0.2);
    return this.exact(wanted - delta + (delta === 0 ? 0 : this.int(2 * delta)));
  }
}
