/**
 * Reading a request body within bounds: a size limit per operation (body-limits.ts), a minimum
 * arrival rate, and a server-wide budget of bytes held in bodies. SluiceServer attaches each
 * request's bounds (`governBody`) before its handler runs; `readBody` on a request it did not
 * attach bounds to applies the size limit alone.
 */

import type { HttpRequest, HttpResponse } from './http-types.js';

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** The body arrived slower than the minimum rate. */
export class BodyTimeoutError extends Error {
  override readonly name = 'BodyTimeoutError';
}

/** Every byte the server may hold in request bodies is taken by other requests. */
export class BodyBudgetError extends Error {
  override readonly name = 'BodyBudgetError';
}

/** Bytes of request bodies held at once, across every connection. */
export class BodyBudget {
  used = 0;

  constructor(readonly limit: number) {}

  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used -= n;
  }
}

export interface BodyPolicy {
  /** How long a body may take before the minimum rate applies. */
  readonly graceMs: number;
  /** After the grace period, the body must have arrived at this rate at least. */
  readonly minBytesPerSecond: number;
  readonly budget: BodyBudget;
}

/** One request's share of the budget, given back when its response is done. */
class BodyAccount {
  held = 0;

  constructor(readonly policy: BodyPolicy) {}

  take(n: number): boolean {
    if (!this.policy.budget.take(n)) return false;
    this.held += n;
    return true;
  }

  release(): void {
    this.policy.budget.give(this.held);
    this.held = 0;
  }
}

const accounts = new WeakMap<HttpRequest, BodyAccount>();

/** Puts `req` under `policy`; what its body holds of the budget is given back when `res` closes. */
export function governBody(req: HttpRequest, res: HttpResponse, policy: BodyPolicy): void {
  const account = new BodyAccount(policy);
  accounts.set(req, account);
  res.once('close', () => account.release());
}

/**
 * The whole request body. Rejects at once when Content-Length announces more than `limit`
 * bytes, and as soon as a body without one grows past it, so an oversized upload is never
 * buffered whole; under a policy, also when the body is too slow or the budget is spent.
 */
export function readBody(req: HttpRequest, limit: number): Promise<Buffer> {
  const account = accounts.get(req);
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      reject(new BodyTooLargeError(`request body of ${declared} bytes is over the ${limit}-byte limit`));
      return;
    }
    // A known length is copied into one buffer (taken from the budget whole); an unknown one is collected and joined.
    const known = Number.isSafeInteger(declared) && declared > 0;
    if (known && account && !account.take(declared)) {
      reject(new BodyBudgetError('the server holds as many request bodies as it may; try again'));
      return;
    }
    const exact = known ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearInterval(timer);
      return true;
    };
    const fail = (err: Error): void => {
      if (settle()) reject(err);
    };
    if (account) {
      const { graceMs, minBytesPerSecond } = account.policy;
      const due = (): number => ((Date.now() - started - graceMs) * minBytesPerSecond) / 1000;
      timer = setInterval(() => {
        if (length < Math.min(due(), exact ? exact.length : Infinity)) {
          fail(new BodyTimeoutError(`request body arrived slower than ${minBytesPerSecond} bytes/s`));
        }
      }, Math.min(1000, Math.max(10, graceMs / 5)));
      timer.unref();
    }
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (length + chunk.length > limit || (exact && length + chunk.length > exact.length)) {
        fail(new BodyTooLargeError(`request body is over the ${exact ? exact.length : limit}-byte limit`));
        return;
      }
      if (!exact && account && !account.take(chunk.length)) {
        fail(new BodyBudgetError('the server holds as many request bodies as it may; try again'));
        return;
      }
      if (exact) chunk.copy(exact, length);
      else chunks.push(chunk);
      length += chunk.length;
    });
    req.on('end', () => {
      if (exact && length !== exact.length) {
        fail(new Error(`request body ended after ${length} of ${exact.length} bytes`));
      } else if (settle()) {
        resolve(exact ?? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
      }
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new Error('request aborted')));
    req.on('close', () => fail(new Error('request closed before its body ended')));
  });
}

/** The HTTP status that answers a refused body (413, 408, 503), or undefined when the client went away. */
export function refusalStatus(err: unknown): number | undefined {
  if (err instanceof BodyTooLargeError) return 413;
  if (err instanceof BodyTimeoutError) return 408;
  if (err instanceof BodyBudgetError) return 503;
  return undefined;
}

/** How long a refused body may go on arriving (and is thrown away) so the client reads the answer. */
const LINGER_MS = 2000;

/**
 * Ends the exchange after the error answer to a body that was refused. HTTP/2 resets the stream
 * with NO_ERROR once the answer is sent (RFC 9113 §8.1: the client stops sending). HTTP/1.1 reads
 * and drops the rest of an oversized body for up to 2 s so the client sees the answer rather than
 * a reset, then closes; a body too slow to bother with is closed at once.
 */
export function endRefusedBody(req: HttpRequest, res: HttpResponse, err: Error): void {
  res.once('finish', () => {
    if (req.httpVersion === '2.0' || err instanceof BodyTimeoutError) {
      req.destroy();
      return;
    }
    const linger = setTimeout(() => req.destroy(), LINGER_MS);
    linger.unref();
    req.on('end', () => clearTimeout(linger));
    req.on('close', () => clearTimeout(linger));
    req.resume();
  });
}
