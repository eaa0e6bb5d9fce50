import type { JoinKey } from './join-rows.js';

/** One distinct row of an input with how many copies the input holds now. */
export interface CountedRow {
  readonly key: JoinKey;
  /** The row's identity among its key's rows (join-rows.ts `rowIdentity`). */
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
 * An input's rows for a regular join: its distinct rows (by all their values) with a count, as a
 * changelog input is a multiset that inserts add to and retractions take from, found by identity
 * and listed per join key in arrival order (an array per key: most keys hold a row or two).
 * With a TTL, every write is queued with its time, and `expire` drops rows not written since.
 */
export class KeyedRowCounts {
  private readonly byId = new Map<string, CountedRow>();
  private readonly byKey = new Map<JoinKey, CountedRow[]>();
  private readonly writes: { stamp: number; id: string }[] = [];
  private writesHead = 0;
  size = 0;

  constructor(private readonly ttlMs: number | undefined) {}

  rowsOf(key: JoinKey): readonly CountedRow[] | undefined {
    return this.byKey.get(key);
  }

  /** The row with identity `id` (an identity covers the whole row, key included). */
  get(id: string): CountedRow | undefined {
    return this.byId.get(id);
  }

  add(entry: CountedRow): void {
    this.byId.set(entry.id, entry);
    const rows = this.byKey.get(entry.key);
    if (rows === undefined) this.byKey.set(entry.key, [entry]);
    else rows.push(entry);
    this.size++;
    this.touch(entry, entry.stamp);
  }

  remove(entry: CountedRow): void {
    if (!this.byId.delete(entry.id)) return;
    const rows = this.byKey.get(entry.key)!;
    if (rows.length === 1) this.byKey.delete(entry.key);
    else rows.splice(rows.indexOf(entry), 1);
    this.size--;
  }

  /** Records a write at `now` (keeps the row from expiring for another TTL). */
  touch(entry: CountedRow, now: number): void {
    entry.stamp = now;
    if (this.ttlMs !== undefined) this.writes.push({ stamp: now, id: entry.id });
  }

  /** Drops rows last written at or before `now - ttlMs`; returns how many distinct rows went. */
  expire(now: number): number {
    if (this.ttlMs === undefined) return 0;
    let dropped = 0;
    const horizon = now - this.ttlMs;
    while (this.writesHead < this.writes.length && this.writes[this.writesHead]!.stamp <= horizon) {
      const w = this.writes[this.writesHead++]!;
      const entry = this.byId.get(w.id);
      if (entry !== undefined && entry.stamp <= horizon) {
        this.remove(entry);
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
    for (const rows of this.byKey.values()) yield* rows;
  }
}
