import type { SnapshotReader, SnapshotWriter } from './snapshot-codec.js';

/**
 * The forest's points, stored once however many trees sample them: coordinates in one Float64Array,
 * a reference count per point (sampler slots and tree leaves that hold it), freed slots reused.
 */
export class PointStore {
  coords: Float64Array;
  private refs: Int32Array;
  private free: Int32Array;
  private freeCount = 0;
  private used = 0;

  constructor(readonly dims: number, capacity = 64) {
    this.coords = new Float64Array(capacity * dims);
    this.refs = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
  }

  get capacity(): number {
    return this.refs.length;
  }

  /** Copies `point` into a slot with no references yet; `release` frees it if none is taken. */
  add(point: Float64Array): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount]!;
    else {
      if (this.used === this.refs.length) this.grow();
      slot = this.used++;
    }
    this.coords.set(point, slot * this.dims);
    this.refs[slot] = 0;
    return slot;
  }

  retain(slot: number): void {
    this.refs[slot]!++;
  }

  release(slot: number): void {
    if (--this.refs[slot]! <= 0) {
      this.refs[slot] = 0;
      this.free[this.freeCount++] = slot;
    }
  }

  /** Frees a slot taken by `add` that no tree kept. */
  dropIfUnused(slot: number): void {
    if (this.refs[slot] === 0) this.free[this.freeCount++] = slot;
  }

  /** Whether the point at `slot` has exactly the coordinates of `point`. */
  equals(slot: number, point: Float64Array): boolean {
    const base = slot * this.dims;
    for (let i = 0; i < this.dims; i++) if (this.coords[base + i] !== point[i]) return false;
    return true;
  }

  liveCount(): number {
    return this.used - this.freeCount;
  }

  write(w: SnapshotWriter): void {
    w.add(this.coords, this.used * this.dims).add(this.refs, this.used).add(this.free, this.freeCount);
  }

  read(r: SnapshotReader<unknown>): void {
    const coords = r.f64();
    const refs = r.i32();
    const free = r.i32();
    this.used = refs.length;
    const capacity = Math.max(64, this.used);
    this.coords = new Float64Array(capacity * this.dims);
    this.coords.set(coords);
    this.refs = new Int32Array(capacity);
    this.refs.set(refs);
    this.free = new Int32Array(capacity);
    this.free.set(free);
    this.freeCount = free.length;
  }

  private grow(): void {
    const capacity = this.refs.length * 2;
    const coords = new Float64Array(capacity * this.dims);
    coords.set(this.coords);
    this.coords = coords;
    const refs = new Int32Array(capacity);
    refs.set(this.refs);
    this.refs = refs;
    const free = new Int32Array(capacity);
    free.set(this.free);
    this.free = free;
  }
}
