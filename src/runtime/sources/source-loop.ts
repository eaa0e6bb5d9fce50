/**
 * Pieces every polling source shares: a pause point between read rounds (checkpoints pause the
 * source there, so everything read has been fed in) and the idle clock of each shard.
 */
export class PausePoint {
  private pending: { reached: () => void; resume: Promise<void> } | null = null;

  /** Resolves once the loop stands at its pause point; call the returned function to let it go on. */
  async pause(loopRunning: boolean): Promise<() => void> {
    let release!: () => void;
    let reached!: () => void;
    const resume = new Promise<void>((r) => (release = r));
    const paused = new Promise<void>((r) => (reached = r));
    this.pending = { reached, resume };
    if (!loopRunning) reached();
    await paused;
    return () => {
      this.pending = null;
      release();
    };
  }

  /** Called by the loop between rounds: waits while paused; true if it did. */
  async check(): Promise<boolean> {
    const p = this.pending;
    if (!p) return false;
    p.reached();
    await p.resume;
    return true;
  }

  /** Lets a pause() caller go on when the loop is stopping. */
  wake(): void {
    this.pending?.reached();
  }
}

/**
 * A shard caught up for `timeoutMs` stops holding the watermark back. Marking it idle at once would
 * let a shard read first close windows that records in other shards still belong to.
 */
export class IdleClock {
  private readonly caughtUpSince = new Map<string, number>();

  constructor(private readonly timeoutMs = 1000) {}

  /** The shard returned nothing: true once it has been caught up for the timeout. */
  caughtUp(shard: string): boolean {
    const since = this.caughtUpSince.get(shard) ?? Date.now();
    this.caughtUpSince.set(shard, since);
    return Date.now() - since >= this.timeoutMs;
  }

  /** The shard returned records. */
  busy(shard: string): void {
    this.caughtUpSince.delete(shard);
  }
}
