import { rowIdentity, type JoinKey } from './join-rows.js';

/** One distinct row of an input with how many copies the input holds now. */
export interface CountedRow {
  readonly key: JoinKey;
  readonly row: unknown[];
  /** Copies held; 0 once the row is gone (retracted or expired). */
  count: number;
  /** Copies of rows on the other side this row matches (kept for outer sides only). */
  matches: number;
  /** Processing time of the last write, for the state TTL. */
  stamp: number;
  rowtime: number;
}

interface KeyRows {
  readonly rows: CountedRow[];
  /** Rows by identity, once the key holds more than a few (below that, comparing values is cheaper). */
  byId?: Map<string, CountedRow>;
}

const SCAN_LIMIT = 8;

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * An input's rows for a regular join: its distinct rows with a count, as a changelog input is a
 * multiset that inserts add to and retractions take from, listed per join key in arrival order.
 * A row is found among its key's rows by its values, or by its identity text once the key holds
 * more than a few rows, so most rows cost one Map entry (their key's) and no identity string.
 * With a TTL, every write is queued with its time, and `expire` drops rows not written since.
 */
export class KeyedRowCounts {
  private readonly byKey = new Map<JoinKey, KeyRows>();
  private readonly writes: { stamp: number; entry: CountedRow }[] = [];
  private writesHead = 0;
  size = 0;

  constructor(private readonly ttlMs: number | undefined) {}

  rowsOf(key: JoinKey): readonly CountedRow[] | undefined {
    return this.byKey.get(key)?.rows;
  }

  /** The held row of `key` equal to `row`, if any. */
  find(key: JoinKey, row: readonly unknown[]): CountedRow | undefined {
    const held = this.byKey.get(key);
    if (held === undefined) return undefined;
    if (held.byId !== undefined) return held.byId.get(rowIdentity(row));
    for (const entry of held.rows) if (sameValues(entry.row, row)) return entry;
    return undefined;
  }

  add(entry: CountedRow): void {
    let held = this.byKey.get(entry.key);
    if (held === undefined) this.byKey.set(entry.key, (held = { rows: [] }));
    held.rows.push(entry);
    if (held.byId !== undefined) held.byId.set(rowIdentity(entry.row), entry);
    else if (held.rows.length > SCAN_LIMIT) held.byId = new Map(held.rows.map((e) => [rowIdentity(e.row), e]));
    this.size++;
    this.touch(entry, entry.stamp);
  }

  remove(entry: CountedRow): void {
    const held = this.byKey.get(entry.key);
    if (held === undefined) return;
    const at = held.rows.indexOf(entry);
    if (at < 0) return;
    if (held.rows.length === 1) this.byKey.delete(entry.key);
    else {
      held.rows.splice(at, 1);
      held.byId?.delete(rowIdentity(entry.row));
    }
    entry.count = 0;
    this.size--;
  }

  /** Records a write at `now` (keeps the row from expiring for another TTL). */
  touch(entry: CountedRow, now: number): void {
    entry.stamp = now;
    if (this.ttlMs !== undefined) this.writes.push({ stamp: now, entry });
  }

  /** Drops rows last written at or before `now - ttlMs`; returns how many distinct rows went. */
  expire(now: number): number {
    if (this.ttlMs === undefined) return 0;
    let dropped = 0;
    const horizon = now - this.ttlMs;
    while (this.writesHead < this.writes.length && this.writes[this.writesHead]!.stamp <= horizon) {
      const { entry } = this.writes[this.writesHead++]!;
      if (entry.count > 0 && entry.stamp <= horizon) {
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

  /** Every row in iteration order (re-adding in this order rebuilds the same lists). */
  *entries(): Generator<CountedRow> {
    for (const held of this.byKey.values()) yield* held.rows;
  }
}
