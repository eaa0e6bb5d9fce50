export interface CountedItem {
  readonly item: unknown;
  readonly count: number;
}

/**
 * Space-Saving (Metwally, Agrawal and El Abbadi, 2005), the algorithm KDA's TOP_K_ITEMS_TUMBLING
 * template names: `capacity` counters in a min-heap by count; an item without a counter takes the
 * smallest one over and inherits its count plus one. Counts are exact while there are no more
 * distinct items than counters; past that, a count overstates by at most the smallest count.
 */
export class SpaceSaving {
  private readonly position = new Map<unknown, number>();
  private items: unknown[] = [];
  private counts: number[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  add(item: unknown): void {
    const at = this.position.get(item);
    if (at !== undefined) {
      this.counts[at]!++;
      this.down(at);
    } else if (this.items.length < this.capacity) {
      this.items.push(item);
      this.counts.push(1);
      this.position.set(item, this.items.length - 1);
      this.up(this.items.length - 1);
    } else {
      this.position.delete(this.items[0]);
      this.items[0] = item;
      this.counts[0]!++;
      this.position.set(item, 0);
      this.down(0);
    }
  }

  /** The `k` largest counts, largest first; equal counts in the order of their items. */
  top(k: number): CountedItem[] {
    return this.items
      .map((item, i) => ({ item, count: this.counts[i]! }))
      .sort((a, b) => b.count - a.count || compareItems(a.item, b.item))
      .slice(0, k);
  }

  toJson(): [unknown[], number[]] {
    return [this.items, this.counts];
  }

  static fromJson(capacity: number, json: unknown): SpaceSaving {
    const [items, counts] = json as [unknown[], number[]];
    const s = new SpaceSaving(capacity);
    s.items = items;
    s.counts = counts;
    items.forEach((item, i) => s.position.set(item, i));
    return s;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.counts[parent]! <= this.counts[i]!) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const a = 2 * i + 1;
      if (a >= n) return;
      const b = a + 1;
      const c = b < n && this.counts[b]! < this.counts[a]! ? b : a;
      if (this.counts[c]! >= this.counts[i]!) return;
      this.swap(i, c);
      i = c;
    }
  }

  private swap(i: number, j: number): void {
    const item = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = item;
    const count = this.counts[i]!;
    this.counts[i] = this.counts[j]!;
    this.counts[j] = count;
    this.position.set(this.items[i], i);
    this.position.set(this.items[j], j);
  }
}

/** NULL last; numbers by value; anything else by its text. */
function compareItems(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
