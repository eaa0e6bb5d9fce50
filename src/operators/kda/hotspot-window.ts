/** A dense region of the window: how many records, and their bounds per column. */
export interface Hotspot {
  readonly density: number;
  readonly count: number;
  readonly minValues: number[];
  readonly maxValues: number[];
}

/**
 * The last `windowSize` points and the DBSCAN structure over them (Ester et al., 1996, whose ε is
 * KDA's scanRadius and whose minPts is minimumNumberOfPointsInAHotspot): each point's neighbours
 * within the radius are kept as points come and go, so finding the clusters is a walk over the
 * core points' neighbour lists, not a pairwise scan. A point is core when it has at least minPts
 * points (itself included) within the radius; a hotspot is a cluster: core points linked through
 * each other plus the points within the radius of them. Clusters are found from the oldest core
 * point on, so a point near two clusters belongs to the one with the older seed whatever the order
 * of the lists, and a window rebuilt from its points gives the same hotspots. A record costs
 * O(windowSize x columns) to place plus the lists of the hotspots' core points: O(windowSize²) at
 * worst, when nearly the whole window lies within scanRadius of itself (~640 records/s at 1000).
 */
export class HotspotWindow {
  private readonly coords: Float64Array;
  private readonly neighbours: Int32Array[];
  /** Where each neighbour list starts in its array: lists are oldest first, so the oldest point leaves from the front. */
  private readonly first: Int32Array;
  private readonly degree: Int32Array;
  private readonly seen: Int32Array;
  private readonly queue: Int32Array;
  private readonly radius2: number;
  private head = 0;
  private size = 0;
  private stamp = 0;

  constructor(readonly windowSize: number, readonly dims: number, readonly scanRadius: number, readonly minPoints: number) {
    this.coords = new Float64Array(windowSize * dims);
    this.neighbours = Array.from({ length: windowSize }, () => new Int32Array(8));
    this.first = new Int32Array(windowSize);
    this.degree = new Int32Array(windowSize);
    this.seen = new Int32Array(windowSize);
    this.queue = new Int32Array(windowSize);
    this.radius2 = scanRadius * scanRadius;
  }

  get count(): number {
    return this.size;
  }

  /** Adds a point, dropping the oldest when the window is full. */
  add(point: ArrayLike<number>): void {
    if (this.size === this.windowSize) this.removeOldest();
    const slot = (this.head + this.size) % this.windowSize;
    const d = this.dims;
    for (let i = 0; i < d; i++) this.coords[slot * d + i] = point[i]!;
    this.first[slot] = 0;
    this.degree[slot] = 0;
    for (let k = 0; k < this.size; k++) {
      const other = (this.head + k) % this.windowSize;
      if (this.distance2(slot, other) <= this.radius2) {
        this.link(slot, other);
        this.link(other, slot);
      }
    }
    this.size++;
  }

  /** The window's points, oldest first, for a snapshot. */
  points(): Float64Array {
    const out = new Float64Array(this.size * this.dims);
    for (let k = 0; k < this.size; k++) {
      const slot = (this.head + k) % this.windowSize;
      out.set(this.coords.subarray(slot * this.dims, (slot + 1) * this.dims), k * this.dims);
    }
    return out;
  }

  /** The hotspots in the window now, densest first. */
  hotspots(): Hotspot[] {
    const found: Hotspot[] = [];
    const stamp = ++this.stamp;
    const d = this.dims;
    // Once every point is placed, no neighbour list needs reading: a dense window costs O(n), not O(n²).
    let unseen = this.size;
    for (let k = 0; k < this.size; k++) {
      const seed = (this.head + k) % this.windowSize;
      if (this.seen[seed] === stamp || !this.isCore(seed)) continue;
      const min = new Array<number>(d).fill(Infinity);
      const max = new Array<number>(d).fill(-Infinity);
      let count = 0;
      let tail = 0;
      this.queue[tail++] = seed;
      this.seen[seed] = stamp;
      unseen--;
      for (let q = 0; q < tail; q++) {
        const p = this.queue[q]!;
        count++;
        for (let i = 0; i < d; i++) {
          const v = this.coords[p * d + i]!;
          if (v < min[i]!) min[i] = v;
          if (v > max[i]!) max[i] = v;
        }
        if (unseen === 0 || !this.isCore(p)) continue;
        const list = this.neighbours[p]!;
        const end = this.first[p]! + this.degree[p]!;
        for (let j = this.first[p]!; j < end; j++) {
          const n = list[j]!;
          if (this.seen[n] === stamp) continue;
          this.seen[n] = stamp;
          this.queue[tail++] = n;
          unseen--;
        }
      }
      let size = 1;
      for (let i = 0; i < d; i++) size *= Math.max(max[i]! - min[i]!, this.scanRadius);
      found.push({ density: count / size, count, minValues: min, maxValues: max });
    }
    // A stable sort: equal densities keep the order of their seeds' age.
    return found.sort((a, b) => b.density - a.density);
  }

  private isCore(slot: number): boolean {
    return this.degree[slot]! + 1 >= this.minPoints;
  }

  private removeOldest(): void {
    const old = this.head;
    const list = this.neighbours[old]!;
    const end = this.first[old]! + this.degree[old]!;
    // The oldest point heads each of its neighbours' lists.
    for (let j = this.first[old]!; j < end; j++) {
      const n = list[j]!;
      this.first[n]!++;
      this.degree[n]!--;
    }
    this.degree[old] = 0;
    this.head = (this.head + 1) % this.windowSize;
    this.size--;
  }

  private link(slot: number, other: number): void {
    let list = this.neighbours[slot]!;
    let start = this.first[slot]!;
    const n = this.degree[slot]!;
    if (start + n === list.length) {
      if (start > 0) list.copyWithin(0, start, start + n);
      else {
        const grown = new Int32Array(Math.min(this.windowSize, list.length * 2));
        grown.set(list);
        this.neighbours[slot] = list = grown;
      }
      this.first[slot] = start = 0;
    }
    list[start + n] = other;
    this.degree[slot] = n + 1;
  }

  private distance2(a: number, b: number): number {
    const d = this.dims;
    let sum = 0;
    for (let i = 0; i < d; i++) {
      const diff = this.coords[a * d + i]! - this.coords[b * d + i]!;
      sum += diff * diff;
    }
    return sum;
  }
}
