/**
 * The bounds every connection lives within, with their defaults. Each is a SluiceServer option so
 * tests (and embedders) can tighten them; README.md's "Security" section lists the same figures.
 */

import fs from 'node:fs';

export interface ServerLimits {
  /** A new connection must send its first bytes (and so its protocol) within this. */
  readonly sniffTimeoutMs: number;
  /** HTTP/1.1: a request's headers must be complete this long after its first byte; HTTP/2: a new session must open its first stream within it. */
  readonly headersTimeoutMs: number;
  /** A whole request (headers and body) must have arrived within this: HTTP/1.1 answers 408 and closes, HTTP/2 resets the stream. */
  readonly requestTimeoutMs: number;
  /** An HTTP/1.1 keep-alive connection, or an HTTP/2 session with no open stream, is closed after this long idle. */
  readonly idleTimeoutMs: number;
  /** A body may take this long before the minimum rate applies. */
  readonly bodyGraceMs: number;
  /** After the grace period a body must have arrived at this rate (bytes per second) at least. */
  readonly minBodyBytesPerSecond: number;
  /** Bytes of request bodies held at once across all connections; past it requests get 503. */
  readonly maxBufferedBodyBytes: number;
  /** Open connections; one more is closed as soon as it is accepted. */
  readonly maxConnections: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: streams one session may have open. */
  readonly maxConcurrentStreams: number;
  /** HTTP/1.1 header bytes and HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE (node applies the latter once the client has acknowledged it). */
  readonly maxHeaderBytes: number;
  /** nghttp2's memory cap per HTTP/2 session, in MB (header tables, queued output). */
  readonly maxSessionMemoryMb: number;
}

export const DEFAULT_LIMITS: Omit<ServerLimits, 'maxConnections'> = {
  sniffTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  // Longer than the 60 s that load balancers and SDK agents idle for, so the client closes first.
  idleTimeoutMs: 65_000,
  bodyGraceMs: 5_000,
  minBodyBytesPerSecond: 16 * 1024,
  maxBufferedBodyBytes: 256 * 1024 * 1024,
  // Node's client (the SDK's) assumes 100 streams until the server's SETTINGS arrive and queues
  // past the limit after that: below 100 its first burst on a new session would be refused.
  maxConcurrentStreams: 256,
  maxHeaderBytes: 16 * 1024,
  maxSessionMemoryMb: 32,
};

/** Never more than this many connections, however many descriptors the process may open. */
const CONNECTION_CEILING = 4096;

/**
 * Half the process's descriptor limit (the log, DuckDB and the rest keep the other half), at most
 * 4,096. Node raises the soft limit to the hard one at start; Linux shows it in /proc/self/limits.
 */
export function defaultMaxConnections(): number {
  let soft = Infinity;
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    if (line && line[1] !== 'unlimited') soft = Number(line[1]);
  } catch {
    // Not Linux: the ceiling alone.
  }
  return Math.max(64, Math.min(CONNECTION_CEILING, Math.floor(soft / 2)));
}

export function resolveLimits(options: Partial<ServerLimits>): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, maxConnections: defaultMaxConnections() };
  for (const key of Object.keys(limits) as (keyof ServerLimits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`${key} must be a positive number, not ${String(value)}`);
    (limits as Record<keyof ServerLimits, number>)[key] = value;
  }
  return limits;
}
