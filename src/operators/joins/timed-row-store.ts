import type { JoinKey } from './join-rows.js';

interface KeyList {
  head: number;
  tail: number;
}

/**
 * One input's rows held by a time-bounded join: rows in slots (reused after purge), a list per
 * key in arrival order (probing walks it), and a min-heap on time (purging pops it), so both
 * probing a key and purging by the watermark cost what they touch, not the whole state.
 * Rows whose key is NULL are held (outer sides need them at purge) but in no key's list.
 */
export class TimedRowStore {
  private rows: (unknown[] | null)[] = [];
  private times = new Float64Array(256);
  private rowtimes = new Float64Array(256);
  private seqs = new Float64Array(256);
  private tags = new Uint8Array(256);
  private next = new Int32Array(256);
  private prev = new Int32Array(256);
  private keys: (JoinKey | null)[] = [];
  private heap = new Int32Array(256);
  private heapSize = 0;
  private free: number[] = [];
  private readonly lists = new Map<JoinKey, KeyList>();
  private capacity = 0;
  /** Rows held now, and the most held at once. */
  size = 0;
  peak = 0;

  /** Holds a row; `tag` is a byte the join keeps with it (whether it matched, or its row kind). */
  insert(key: JoinKey | null, row: unknown[], time: number, rowtime: number, seq: number, tag: number): number {
    const slot = this.allocate();
    this.rows[slot] = row;
    this.times[slot] = time;
    this.rowtimes[slot] = rowtime;
    this.seqs[slot] = seq;
    this.tags[slot] = tag;
    this.keys[slot] = key;
    this.next[slot] = -1;
    this.prev[slot] = -1;
    if (key !== null) {
      const list = this.lists.get(key);
      if (list === undefined) this.lists.set(key, { head: slot, tail: slot });
      else {
        this.next[list.tail] = slot;
        this.prev[slot] = list.tail;
        list.tail = slot;
      }
    }
    this.push(slot);
    if (++this.size > this.peak) this.peak = this.size;
    return slot;
  }

  /** First slot of `key`'s list, or -1; walk on with `nextOf`. */
  first(key: JoinKey): number {
    const list = this.lists.get(key);
    return list === undefined ? -1 : list.head;
  }

  nextOf(slot: number): number {
    return this.next[slot]!;
  }

  row(slot: number): unknown[] {
    return this.rows[slot]!;
  }

  time(slot: number): number {
    return this.times[slot]!;
  }

  rowtime(slot: number): number {
    return this.rowtimes[slot]!;
  }

  seq(slot: number): number {
    return this.seqs[slot]!;
  }

  tag(slot: number): number {
    return this.tags[slot]!;
  }

  setTag(slot: number, tag: number): void {
    this.tags[slot] = tag;
  }

  /** Removes every row with time below `horizon`, handing each slot to `visit` before it is freed. */
  expire(horizon: number, visit: (slot: number) => void): void {
    while (this.heapSize > 0 && this.times[this.heap[0]!]! < horizon) {
      const slot = this.pop();
      visit(slot);
      this.unlink(slot);
      this.rows[slot] = null;
      this.keys[slot] = null;
      this.free.push(slot);
      this.size--;
    }
  }

  /** Live slots in arrival order (for snapshots: re-inserting in this order rebuilds the same lists). */
  slotsBySeq(): number[] {
    const slots: number[] = [];
    for (let s = 0; s < this.capacity; s++) if (this.rows[s]) slots.push(s);
    return slots.sort((a, b) => this.seqs[a]! - this.seqs[b]!);
  }

  private unlink(slot: number): void {
    const key = this.keys[slot];
    if (key === null || key === undefined) return;
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    const list = this.lists.get(key)!;
    if (p >= 0) this.next[p] = n;
    else list.head = n;
    if (n >= 0) this.prev[n] = p;
    else list.tail = p;
    if (list.head < 0) this.lists.delete(key);
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.capacity === this.times.length) this.grow();
    return this.capacity++;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const f64 = (a: Float64Array) => { const b = new Float64Array(n); b.set(a); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(n); b.set(a); return b; };
    this.times = f64(this.times);
    this.rowtimes = f64(this.rowtimes);
    this.seqs = f64(this.seqs);
    this.next = i32(this.next);
    this.prev = i32(this.prev);
    this.heap = i32(this.heap);
    const tags = new Uint8Array(n);
    tags.set(this.tags);
    this.tags = tags;
  }

  private push(slot: number): void {
    const heap = this.heap;
    const times = this.times;
    const t = times[slot]!;
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[heap[parent]!]! <= t) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = slot;
  }

  private pop(): number {
    const heap = this.heap;
    const times = this.times;
    const top = heap[0]!;
    const last = heap[--this.heapSize]!;
    const n = this.heapSize;
    const t = times[last]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && times[heap[child + 1]!]! < times[heap[child]!]!) child++;
      if (times[heap[child]!]! >= t) break;
      heap[i] = heap[child]!;
      i = child;
    }
    if (n > 0) heap[i] = last;
    return top;
  }
}
