import type { JoinKey } from './join-rows.js';

const NONE = -1;

/**
 * One input's rows held by a time-bounded join, column by column in slots reused after purge: a
 * list per key in arrival order (probing walks it) and a min-heap on time (purging pops it), so
 * probing a key and purging by the watermark cost what they touch, not the whole state. Rows are
 * copied in from a batch's columns and read out by (columns, slot), like a batch, so neither
 * side needs an array per row. Rows with a NULL key are held in no key's list.
 */
export class TimedRowStore {
  /** The held values: `columns[c][slot]`. */
  readonly columns: unknown[][];
  private times = new Float64Array(256);
  private rowtimes = new Float64Array(256);
  private seqs = new Float64Array(256);
  private tags = new Uint8Array(256);
  private next = new Int32Array(256);
  private prev = new Int32Array(256);
  private listOf = new Int32Array(256);
  private live = new Uint8Array(256);
  private heapTimes = new Float64Array(256);
  private heapSlots = new Int32Array(256);
  private heapSize = 0;
  private freeSlots: number[] = [];
  private capacity = 0;
  // Key lists: ids into head/tail arrays. An emptied list keeps its id until a sweep, so a key that
  // comes and goes (most keys, in a moving time window) does not churn the Map.
  private readonly lists = new Map<JoinKey, number>();
  private listKeys: JoinKey[] = [];
  private heads = new Int32Array(64);
  private tails = new Int32Array(64);
  private freeLists: number[] = [];
  private emptyLists = 0;
  /** Rows held now, and the most held at once. */
  size = 0;
  peak = 0;

  constructor(readonly width: number) {
    this.columns = Array.from({ length: width }, () => new Array<unknown>(256).fill(null));
  }

  /** Holds row `i` of `columns`; `tag` is a byte the join keeps with it (whether it matched, or its row kind). */
  insert(key: JoinKey | null, columns: readonly (readonly unknown[])[], i: number, time: number, rowtime: number, seq: number, tag: number): number {
    const slot = this.allocate();
    for (let c = 0; c < this.width; c++) this.columns[c]![slot] = columns[c]![i] ?? null;
    this.times[slot] = time;
    this.rowtimes[slot] = rowtime;
    this.seqs[slot] = seq;
    this.tags[slot] = tag;
    this.live[slot] = 1;
    this.next[slot] = NONE;
    this.prev[slot] = NONE;
    this.listOf[slot] = NONE;
    if (key !== null) this.append(key, slot);
    this.heapPush(time, slot);
    if (++this.size > this.peak) this.peak = this.size;
    return slot;
  }

  /** First slot of `key`'s list, or -1; walk on with `nextOf`. */
  first(key: JoinKey): number {
    const id = this.lists.get(key);
    return id === undefined ? NONE : this.heads[id]!;
  }

  nextOf(slot: number): number {
    return this.next[slot]!;
  }

  /** A held row as an array (for residual conditions and snapshots). */
  row(slot: number): unknown[] {
    const row = new Array<unknown>(this.width);
    for (let c = 0; c < this.width; c++) row[c] = this.columns[c]![slot];
    return row;
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

  /**
   * Removes every row with time below `horizon`; `visit` (when given) sees each slot before it is
   * freed, and must read what it needs then.
   */
  expire(horizon: number, visit?: (slot: number) => void): void {
    while (this.heapSize > 0 && this.heapTimes[0]! < horizon) {
      const slot = this.heapPop();
      visit?.(slot);
      this.unlink(slot);
      // The slot's values stay until it is reused: at most `capacity` rows' worth, and no writes here.
      this.live[slot] = 0;
      this.freeSlots.push(slot);
      this.size--;
    }
    if (this.emptyLists > 1024 && this.emptyLists > this.lists.size - this.emptyLists) this.sweepLists();
  }

  /** Live slots in arrival order (re-inserting in this order rebuilds the same lists). */
  slotsBySeq(): number[] {
    const slots: number[] = [];
    for (let s = 0; s < this.capacity; s++) if (this.live[s]) slots.push(s);
    return slots.sort((a, b) => this.seqs[a]! - this.seqs[b]!);
  }

  private append(key: JoinKey, slot: number): void {
    let id = this.lists.get(key);
    if (id === undefined) {
      id = this.freeLists.pop() ?? this.listKeys.length;
      if (id >= this.heads.length) this.growLists();
      this.listKeys[id] = key;
      this.heads[id] = NONE;
      this.tails[id] = NONE;
      this.lists.set(key, id);
    } else if (this.heads[id] === NONE) {
      this.emptyLists--;
    }
    const tail = this.tails[id]!;
    if (tail === NONE) this.heads[id] = slot;
    else {
      this.next[tail] = slot;
      this.prev[slot] = tail;
    }
    this.tails[id] = slot;
    this.listOf[slot] = id;
  }

  private unlink(slot: number): void {
    const id = this.listOf[slot]!;
    if (id === NONE) return;
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p !== NONE) this.next[p] = n;
    else this.heads[id] = n;
    if (n !== NONE) this.prev[n] = p;
    else this.tails[id] = p;
    if (this.heads[id] === NONE) this.emptyLists++;
  }

  private sweepLists(): void {
    for (const [key, id] of this.lists) {
      if (this.heads[id] !== NONE) continue;
      this.lists.delete(key);
      this.freeLists.push(id);
    }
    this.emptyLists = 0;
  }

  private growLists(): void {
    const n = this.heads.length * 2;
    const heads = new Int32Array(n);
    heads.set(this.heads);
    this.heads = heads;
    const tails = new Int32Array(n);
    tails.set(this.tails);
    this.tails = tails;
  }

  private allocate(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (this.capacity === this.times.length) this.grow();
    return this.capacity++;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const f64 = (a: Float64Array) => { const b = new Float64Array(n); b.set(a); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(n); b.set(a); return b; };
    const u8 = (a: Uint8Array) => { const b = new Uint8Array(n); b.set(a); return b; };
    this.times = f64(this.times);
    this.rowtimes = f64(this.rowtimes);
    this.seqs = f64(this.seqs);
    this.heapTimes = f64(this.heapTimes);
    this.next = i32(this.next);
    this.prev = i32(this.prev);
    this.listOf = i32(this.listOf);
    this.heapSlots = i32(this.heapSlots);
    this.tags = u8(this.tags);
    this.live = u8(this.live);
    for (const col of this.columns) for (let s = col.length; s < n; s++) col.push(null);
  }

  private heapPush(time: number, slot: number): void {
    const times = this.heapTimes;
    const slots = this.heapSlots;
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= time) break;
      times[i] = times[parent]!;
      slots[i] = slots[parent]!;
      i = parent;
    }
    times[i] = time;
    slots[i] = slot;
  }

  private heapPop(): number {
    const times = this.heapTimes;
    const slots = this.heapSlots;
    const top = slots[0]!;
    const n = --this.heapSize;
    const t = times[n]!;
    const s = slots[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && times[child + 1]! < times[child]!) child++;
      if (times[child]! >= t) break;
      times[i] = times[child]!;
      slots[i] = slots[child]!;
      i = child;
    }
    if (n > 0) {
      times[i] = t;
      slots[i] = s;
    }
    return top;
  }
}
