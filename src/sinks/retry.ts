/**
 * Retry with exponential backoff for deliveries. The sleep is injectable so tests count the
 * attempts without waiting for them.
 */

export interface RetryPolicy {
  /** Tries in all, the first included (default 4). */
  readonly attempts?: number;
  /** Wait before the second try; doubles each time (default 1 s). */
  readonly baseDelayMs?: number;
  /** Cap on one wait (default 30 s). */
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Bounds other than a count of attempts. */
export interface RetryLimits {
  /** Epoch ms: a failure at or after it is final, no wait runs past it, and attempts are not counted. */
  readonly until?: number;
  /** Once aborted, a failure is final at once (passed through `stopped`), and a wait ends early. */
  readonly stop?: AbortSignal;
  readonly stopped?: (err: unknown, attempt: number) => unknown;
}

const sleepUnlessAborted = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/** Runs `task` until it succeeds or the attempts (or `limits`) run out; rethrows the last error. */
export async function withRetry<T>(task: (attempt: number) => Promise<T>, policy: RetryPolicy = {}, limits: RetryLimits = {}): Promise<T> {
  const attempts = Math.max(1, policy.attempts ?? 4);
  const sleep = policy.sleep ?? ((ms: number) => sleepUnlessAborted(ms, limits.stop));
  let delay = policy.baseDelayMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (err) {
      const left = limits.until === undefined ? Infinity : limits.until - Date.now();
      if (limits.until === undefined ? attempt >= attempts : left <= 0) throw err;
      if (limits.stop?.aborted) throw limits.stopped ? limits.stopped(err, attempt) : err;
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, policy.maxDelayMs ?? 30_000);
    }
  }
}
