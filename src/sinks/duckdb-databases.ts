import { DuckDBInstance } from '@duckdb/node-api';

/**
 * The DuckDB files that query outputs write to in this process, each held open by one instance for
 * as long as a sink uses it. Pull queries (POST /sql) connect through the same instance. Holding
 * the instance matters: DuckDB's instance cache keeps only a weak reference, and once the
 * JavaScript object is collected while a connection still holds the database, a later
 * `fromCache` of that path waits for the database to shut down, which never happens.
 */
const open = new Map<string, { instance: DuckDBInstance; users: number }>();

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
  open.set(path, { instance, users: 1 });
  return instance;
}

/** Call once per acquire, after closing the connections made from it. */
export function releaseDuckDb(path: string): void {
  const held = open.get(path);
  if (held && --held.users === 0) open.delete(path);
}

export function heldDuckDb(path: string): DuckDBInstance | undefined {
  return open.get(path)?.instance;
}

export function duckDbPaths(): string[] {
  return [...open.keys()];
}
