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

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task` until it succeeds or the attempts run out; rethrows the last error. */
export async function withRetry<T>(task: (attempt: number) => Promise<T>, policy: RetryPolicy = {}): Promise<T> {
  const attempts = Math.max(1, policy.attempts ?? 4);
  const sleep = policy.sleep ?? realSleep;
  let delay = policy.baseDelayMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (err) {
      if (attempt >= attempts) throw err;
      await sleep(delay);
      delay = Math.min(delay * 2, policy.maxDelayMs ?? 30_000);
    }
  }
}
