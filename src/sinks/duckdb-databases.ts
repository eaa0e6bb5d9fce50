import { DuckDBInstance } from '@duckdb/node-api';

/**
 * The DuckDB files that query outputs write to in this process, each held open by one instance for
 * as long as a sink uses it. Holding the instance matters: DuckDB's instance cache keeps only a
 * weak reference, and once the JavaScript object is collected while a connection still holds the
 * database, a later `fromCache` of that path waits for the database to shut down, which never
 * happens. Pull queries (POST /sql) never run on these instances: they read a snapshot copy
 * (duckdb-snapshots.ts), made again when the sink has committed since the last copy, which is what
 * the commit counter here tells.
 */
interface Held {
  readonly instance: DuckDBInstance;
  users: number;
  commits: number;
}

const open = new Map<string, Held>();
const releaseListeners: ((path: string) => void)[] = [];

export async function acquireDuckDb(path: string): Promise<DuckDBInstance> {
  const held = open.get(path);
  if (held) {
    held.users++;
    return held.instance;
  }
  const instance = await DuckDBInstance.fromCache(path);
  const again = open.get(path);
  if (again) {
    again.users++;
    return again.instance;
  }
  open.set(path, { instance, users: 1, commits: 0 });
  return instance;
}

/** Call once per acquire, after closing the connections made from it. */
export function releaseDuckDb(path: string): void {
  const held = open.get(path);
  if (held && --held.users === 0) {
    open.delete(path);
    for (const listener of releaseListeners) listener(path);
  }
}

/** A writer calls this after each transaction it committed (or statement that changed the catalog). */
export function noteDuckDbCommit(path: string): void {
  const held = open.get(path);
  if (held) held.commits++;
}

/** How many commits writers have noted on the file since it was opened; undefined when no sink holds it. */
export function duckDbCommits(path: string): number | undefined {
  return open.get(path)?.commits;
}

/** Called with the path once the last sink has released it. */
export function onDuckDbReleased(listener: (path: string) => void): void {
  releaseListeners.push(listener);
}

export function heldDuckDb(path: string): DuckDBInstance | undefined {
  return open.get(path)?.instance;
}

export function duckDbPaths(): string[] {
  return [...open.keys()];
}
