import type { JoinKey } from './join-rows.js';

/** One distinct row of an input with how many copies the input holds now. */
export interface CountedRow {
  readonly key: JoinKey;
  /** The row's identity among its key's rows: its values as JSON. */
  readonly id: string;
  readonly row: unknown[];
  count: number;
  /** Copies of rows on the other side this row matches (kept for outer sides only). */
  matches: number;
  /** Processing time of the last write, for the state TTL. */
  stamp: number;
  rowtime: number;
}

/**
 * An input's rows for a regular join: per join key, its distinct rows (by all their values) with a
 * count, as a changelog input is a multiset that inserts add to and retractions take from.
 * With a TTL, every write is queued with its time, and `expire` drops rows not written since.
 */
export class KeyedRowCounts {
  private readonly byKey = new Map<JoinKey, Map<string, CountedRow>>();
  private readonly writes: { stamp: number; key: JoinKey; id: string }[] = [];
  private writesHead = 0;
  size = 0;

  constructor(private readonly ttlMs: number | undefined) {}

  rowsOf(key: JoinKey): IterableIterator<CountedRow> | undefined {
    return this.byKey.get(key)?.values();
  }

  get(key: JoinKey, id: string): CountedRow | undefined {
    return this.byKey.get(key)?.get(id);
  }

  add(entry: CountedRow): void {
    let rows = this.byKey.get(entry.key);
    if (rows === undefined) this.byKey.set(entry.key, (rows = new Map()));
    rows.set(entry.id, entry);
    this.size++;
    this.touch(entry, entry.stamp);
  }

  remove(key: JoinKey, id: string): void {
    const rows = this.byKey.get(key);
    if (rows?.delete(id)) {
      this.size--;
      if (rows.size === 0) this.byKey.delete(key);
    }
  }

  /** Records a write at `now` (keeps the row from expiring for another TTL). */
  touch(entry: CountedRow, now: number): void {
    entry.stamp = now;
    if (this.ttlMs !== undefined) this.writes.push({ stamp: now, key: entry.key, id: entry.id });
  }

  /** Drops rows last written at or before `now - ttlMs`; returns how many distinct rows went. */
  expire(now: number): number {
    if (this.ttlMs === undefined) return 0;
    let dropped = 0;
    const horizon = now - this.ttlMs;
    while (this.writesHead < this.writes.length && this.writes[this.writesHead]!.stamp <= horizon) {
      const w = this.writes[this.writesHead++]!;
      const entry = this.get(w.key, w.id);
      if (entry !== undefined && entry.stamp <= horizon) {
        this.remove(w.key, w.id);
        dropped++;
      }
    }
    if (this.writesHead > 1024 && this.writesHead * 2 > this.writes.length) {
      this.writes.splice(0, this.writesHead);
      this.writesHead = 0;
    }
    return dropped;
  }

  /** After rows were re-added from a snapshot (in any order): puts the write queue back in time order. */
  sortWrites(): void {
    this.writes.splice(0, this.writesHead);
    this.writesHead = 0;
    this.writes.sort((a, b) => a.stamp - b.stamp);
  }

  /** Every row in iteration order (re-adding in this order rebuilds the same maps). */
  *entries(): Generator<CountedRow> {
    for (const rows of this.byKey.values()) yield* rows.values();
  }
}
