import type { PointStore } from './point-store.js';
import type { Xoshiro128 } from './prng.js';
import type { SnapshotReader, SnapshotWriter } from './snapshot-codec.js';

/**
 * One random cut tree (Guha et al., ICML 2016) in typed arrays: internal nodes are 0..capacity-2,
 * a child id >= capacity is leaf `id - capacity`. Each internal node keeps its cut and the bounding
 * box of the points below it, so scoring reads boxes instead of walking subtrees. Points are
 * inserted top-down (a random cut over the box merged with the point either separates the point
 * here or the point descends) and deleted by replacing the leaf's parent with its sibling.
 */
export class RcfTree {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly cutDim: Int32Array;
  readonly cutValue: Float64Array;
  readonly mass: Int32Array;
  readonly boxMin: Float64Array;
  readonly boxMax: Float64Array;
  readonly leafPoint: Int32Array;
  readonly leafMass: Int32Array;
  private readonly freeNodes: Int32Array;
  private readonly freeLeaves: Int32Array;
  private freeNodeCount: number;
  private freeLeafCount: number;
  root = -1;
  /** Scratch for the root-to-leaf path of the last descent. */
  readonly path: Int32Array;

  constructor(readonly capacity: number, readonly dims: number, private readonly store: PointStore) {
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.cutDim = new Int32Array(capacity);
    this.cutValue = new Float64Array(capacity);
    this.mass = new Int32Array(capacity);
    this.boxMin = new Float64Array(capacity * dims);
    this.boxMax = new Float64Array(capacity * dims);
    this.leafPoint = new Int32Array(capacity);
    this.leafMass = new Int32Array(capacity);
    this.freeNodes = Int32Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
    this.freeLeaves = Int32Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
    this.freeNodeCount = capacity - 1;
    this.freeLeafCount = capacity;
    this.path = new Int32Array(capacity + 1);
  }

  /** Points in the tree, duplicates counted. */
  get totalMass(): number {
    const r = this.root;
    return r < 0 ? 0 : r >= this.capacity ? this.leafMass[r - this.capacity]! : this.mass[r]!;
  }

  /** Leaf slot and depth reached by the last descent; `path[0..lastDepth)` holds the nodes above it. */
  lastLeaf = -1;
  lastDepth = 0;

  /** Descends from the root along the cuts to a leaf; returns its depth. */
  descend(x: Float64Array): number {
    const S = this.capacity;
    let node = this.root;
    let depth = 0;
    while (node < S) {
      this.path[depth++] = node;
      node = x[this.cutDim[node]!]! <= this.cutValue[node]! ? this.left[node]! : this.right[node]!;
    }
    this.lastLeaf = node - S;
    this.lastDepth = depth;
    return depth;
  }

  insert(pointSlot: number, x: Float64Array, rng: Xoshiro128): void {
    const S = this.capacity;
    const d = this.dims;
    if (this.root < 0) {
      this.root = S + this.newLeaf(pointSlot);
      return;
    }
    let node = this.root;
    let parent = -1;
    for (;;) {
      const leaf = node >= S;
      const src = leaf ? this.store.coords : this.boxMin;
      const srcMax = leaf ? this.store.coords : this.boxMax;
      const base = (leaf ? this.leafPoint[node - S]! : node) * d;
      if (leaf && this.store.equals(this.leafPoint[node - S]!, x)) {
        this.leafMass[node - S]!++;
        return;
      }
      let range = 0;
      for (let i = 0; i < d; i++) range += Math.max(srcMax[base + i]!, x[i]!) - Math.min(src[base + i]!, x[i]!);
      let r = rng.nextDouble() * range;
      let dim = -1;
      let cut = 0;
      for (let i = 0; i < d; i++) {
        const lo = Math.min(src[base + i]!, x[i]!);
        const gap = Math.max(srcMax[base + i]!, x[i]!) - lo;
        if (gap <= 0) continue;
        dim = i;
        if (r < gap) {
          cut = lo + r;
          break;
        }
        // Only reached past the last dimension when rounding left r >= range: cut mid-gap there.
        cut = lo + gap / 2;
        r -= gap;
      }
      const lo = src[base + dim]!;
      const hi = srcMax[base + dim]!;
      const xd = x[dim]!;
      if ((xd <= cut && cut < lo) || (xd > cut && cut >= hi)) {
        this.separate(node, parent, pointSlot, x, dim, cut, src, srcMax, base);
        return;
      }
      if (leaf) continue;
      this.mass[node]!++;
      for (let i = 0; i < d; i++) {
        if (x[i]! < this.boxMin[base + i]!) this.boxMin[base + i] = x[i]!;
        if (x[i]! > this.boxMax[base + i]!) this.boxMax[base + i] = x[i]!;
      }
      parent = node;
      node = x[this.cutDim[node]!]! <= this.cutValue[node]! ? this.left[node]! : this.right[node]!;
    }
  }

  /** Removes one copy of the point in `pointSlot` (which the tree must hold). */
  delete(pointSlot: number): void {
    const S = this.capacity;
    const d = this.dims;
    const store = this.store;
    const coords = store.coords;
    const xBase = pointSlot * d;
    if (this.root < 0) throw new Error('random cut tree: deleting from an empty tree');
    let node = this.root;
    let depth = 0;
    while (node < S) {
      this.path[depth++] = node;
      this.mass[node]!--;
      node = coords[xBase + this.cutDim[node]!]! <= this.cutValue[node]! ? this.left[node]! : this.right[node]!;
    }
    const leaf = node - S;
    if (!samePoint(coords, this.leafPoint[leaf]! * d, xBase, d)) throw new Error('random cut tree: deleting a point it does not hold');
    if (--this.leafMass[leaf]! > 0) return;
    store.release(this.leafPoint[leaf]!);
    this.freeLeaves[this.freeLeafCount++] = leaf;
    if (depth === 0) {
      this.root = -1;
      return;
    }
    const p = this.path[--depth]!;
    const sibling = this.left[p] === node ? this.right[p]! : this.left[p]!;
    this.freeNodes[this.freeNodeCount++] = p;
    if (depth === 0) {
      this.root = sibling;
      return;
    }
    const g = this.path[depth - 1]!;
    if (this.left[g] === p) this.left[g] = sibling;
    else this.right[g] = sibling;
    for (let k = depth - 1; k >= 0; k--) if (!this.refitBox(this.path[k]!)) break;
  }

  private separate(node: number, parent: number, pointSlot: number, x: Float64Array, dim: number, cut: number, src: Float64Array, srcMax: Float64Array, base: number): void {
    const S = this.capacity;
    const d = this.dims;
    const n = this.freeNodes[--this.freeNodeCount]!;
    const leafId = S + this.newLeaf(pointSlot);
    this.cutDim[n] = dim;
    this.cutValue[n] = cut;
    this.mass[n] = (node >= S ? this.leafMass[node - S]! : this.mass[node]!) + 1;
    const nb = n * d;
    for (let i = 0; i < d; i++) {
      this.boxMin[nb + i] = Math.min(src[base + i]!, x[i]!);
      this.boxMax[nb + i] = Math.max(srcMax[base + i]!, x[i]!);
    }
    if (x[dim]! <= cut) {
      this.left[n] = leafId;
      this.right[n] = node;
    } else {
      this.left[n] = node;
      this.right[n] = leafId;
    }
    if (parent < 0) this.root = n;
    else if (this.left[parent] === node) this.left[parent] = n;
    else this.right[parent] = n;
  }

  private newLeaf(pointSlot: number): number {
    const leaf = this.freeLeaves[--this.freeLeafCount]!;
    this.leafPoint[leaf] = pointSlot;
    this.leafMass[leaf] = 1;
    this.store.retain(pointSlot);
    return leaf;
  }

  /** Recomputes a node's box from its children; false when it did not change. */
  private refitBox(n: number): boolean {
    const d = this.dims;
    const nb = n * d;
    let changed = false;
    for (let i = 0; i < d; i++) {
      const lo = Math.min(this.childMin(this.left[n]!, i), this.childMin(this.right[n]!, i));
      const hi = Math.max(this.childMax(this.left[n]!, i), this.childMax(this.right[n]!, i));
      if (lo !== this.boxMin[nb + i] || hi !== this.boxMax[nb + i]) changed = true;
      this.boxMin[nb + i] = lo;
      this.boxMax[nb + i] = hi;
    }
    return changed;
  }

  childMin(child: number, i: number): number {
    return child >= this.capacity ? this.store.coords[this.leafPoint[child - this.capacity]! * this.dims + i]! : this.boxMin[child * this.dims + i]!;
  }

  childMax(child: number, i: number): number {
    return child >= this.capacity ? this.store.coords[this.leafPoint[child - this.capacity]! * this.dims + i]! : this.boxMax[child * this.dims + i]!;
  }

  write(w: SnapshotWriter): void {
    w.add(this.left).add(this.right).add(this.cutDim).add(this.cutValue).add(this.mass).add(this.boxMin).add(this.boxMax)
      .add(this.leafPoint).add(this.leafMass).add(this.freeNodes, this.freeNodeCount).add(this.freeLeaves, this.freeLeafCount)
      .add(Int32Array.of(this.root));
  }

  read(r: SnapshotReader<unknown>): void {
    for (const a of [this.left, this.right, this.cutDim]) a.set(r.i32());
    this.cutValue.set(r.f64());
    this.mass.set(r.i32());
    this.boxMin.set(r.f64());
    this.boxMax.set(r.f64());
    this.leafPoint.set(r.i32());
    this.leafMass.set(r.i32());
    const freeNodes = r.i32();
    this.freeNodes.set(freeNodes);
    this.freeNodeCount = freeNodes.length;
    const freeLeaves = r.i32();
    this.freeLeaves.set(freeLeaves);
    this.freeLeafCount = freeLeaves.length;
    this.root = r.i32()[0]!;
  }
}

function samePoint(coords: Float64Array, a: number, b: number, d: number): boolean {
  for (let i = 0; i < d; i++) if (coords[a + i] !== coords[b + i]) return false;
  return true;
}

/**
 * Descends two non-empty trees at once. Each step of a descent waits on a load and a hard-to-predict
 * branch; two independent descents in one loop let the processor overlap them (measured ~25% faster
 * than one after the other).
 */
export function descendTwo(a: RcfTree, b: RcfTree, x: Float64Array): void {
  const S = a.capacity;
  let na = a.root;
  let nb = b.root;
  let da = 0;
  let db = 0;
  const pa = a.path;
  const pb = b.path;
  const cda = a.cutDim;
  const cdb = b.cutDim;
  const cva = a.cutValue;
  const cvb = b.cutValue;
  const la = a.left;
  const lb = b.left;
  const ra = a.right;
  const rb = b.right;
  if (a.dims === 1) {
    // One dimension: every cut is on x[0], which saves a dependent load per step.
    const x0 = x[0]!;
    while (na < S && nb < S) {
      pa[da++] = na;
      pb[db++] = nb;
      na = x0 <= cva[na]! ? la[na]! : ra[na]!;
      nb = x0 <= cvb[nb]! ? lb[nb]! : rb[nb]!;
    }
  }
  while (na < S && nb < S) {
    pa[da++] = na;
    pb[db++] = nb;
    na = x[cda[na]!]! <= cva[na]! ? la[na]! : ra[na]!;
    nb = x[cdb[nb]!]! <= cvb[nb]! ? lb[nb]! : rb[nb]!;
  }
  while (na < S) {
    pa[da++] = na;
    na = x[cda[na]!]! <= cva[na]! ? la[na]! : ra[na]!;
  }
  while (nb < S) {
    pb[db++] = nb;
    nb = x[cdb[nb]!]! <= cvb[nb]! ? lb[nb]! : rb[nb]!;
  }
  a.lastLeaf = na - S;
  a.lastDepth = da;
  b.lastLeaf = nb - S;
  b.lastDepth = db;
}
