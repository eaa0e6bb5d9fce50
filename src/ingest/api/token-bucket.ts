/**
 * Token buckets for Kinesis's per-shard limits. Time comes from an injectable clock (epoch ms) so
 * tests can step it exactly instead of sleeping.
 */

export type Clock = () => number;

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    /** Tokens added per second. */
    readonly rate: number,
    /** Most tokens held at once: how far a burst may run ahead of the rate. */
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock();
  }

  get available(): number {
    this.refill();
    return this.tokens;
  }

  /**
   * Whether `n` tokens are there (without taking them). A full bucket admits any `n`, so a single
   * item bigger than the burst (a 1 MiB record plus its key) is not refused forever.
   */
  has(n: number): boolean {
    this.refill();
    return this.tokens >= Math.min(n, this.burst);
  }

  /** Takes `n` tokens; the balance may go negative, which later calls pay back. */
  take(n: number): void {
    this.refill();
    this.tokens -= n;
  }

  private refill(): void {
    const now = this.clock();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
  }
}
