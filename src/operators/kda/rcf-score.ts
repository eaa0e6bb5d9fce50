import type { PointStore } from './point-store.js';
import type { RcfTree } from './rcf-tree.js';

/**
 * A tree's anomaly score for a point, as random-cut-forest-by-aws computes it: from the leaf the
 * point falls into, back up to the root, each node mixes in 1/(depth+1) with the probability that a
 * random cut of its box merged with the point separates the point (the codisplacement argument of
 * Guha et al.); a point equal to its leaf scores as seen, damped by the leaf's mass. The sum is
 * scaled by log2(tree mass + 1) so scores of trees of different sizes are comparable.
 */
export function scoreTree(tree: RcfTree, store: PointStore, x: Float64Array): number {
  if (tree.root < 0) return 0;
  tree.descend(x);
  return scoreDescended(tree, store, x);
}

/** `scoreTree` for a tree whose descent for `x` has just been done (`lastLeaf`, `lastDepth`, `path`). */
export function scoreDescended(tree: RcfTree, store: PointStore, x: Float64Array): number {
  const d = tree.dims;
  const path = tree.path;
  const depth = tree.lastDepth;
  const leaf = tree.lastLeaf;
  const treeMass = tree.totalMass;
  const leafMass = tree.leafMass[leaf]!;
  if (store.equals(tree.leafPoint[leaf]!, x)) {
    return ((1 - leafMass / (2 * treeMass)) / (depth + log2(leafMass + 1))) * log2(treeMass + 1);
  }
  let score = 1 / (depth + 1);
  const boxMin = tree.boxMin;
  const boxMax = tree.boxMax;
  for (let k = depth - 1; k >= 0; k--) {
    const base = path[k]! * d;
    let newRange = 0;
    let grown = 0;
    for (let i = 0; i < d; i++) {
      const lo = boxMin[base + i]!;
      const hi = boxMax[base + i]!;
      const xi = x[i]!;
      if (xi < lo) {
        newRange += hi - xi;
        grown += lo - xi;
      } else if (xi > hi) {
        newRange += xi - lo;
        grown += xi - hi;
      } else newRange += hi - lo;
    }
    // Inside this box means inside every box above it: nothing further up can separate the point.
    if (grown === 0) break;
    const p = grown / newRange;
    score = p / (k + 1) + (1 - p) * score;
  }
  return score * log2(treeMass + 1);
}

let LOG2 = new Float64Array(0);

/** log2 of a small positive integer (tree and leaf masses), from a table grown on demand. */
function log2(n: number): number {
  if (n >= LOG2.length) LOG2 = Float64Array.from({ length: Math.max(2 * n, 1026) }, (_, i) => Math.log2(i));
  return LOG2[n]!;
}

/**
 * Adds a tree's directional attribution of the score to `high` and `low` (one entry per dimension):
 * the same recursion as `scoreTree`, with each node's separation probability split by dimension and
 * by side (the point above the box: high; below: low). Their sum over dimensions is the tree's score.
 * A point equal to its leaf is explained by the boxes of the other points on its path (what the
 * tree would look like without it), then scaled to its seen score.
 */
export function attributeTree(tree: RcfTree, store: PointStore, x: Float64Array, high: Float64Array, low: Float64Array, h: Float64Array, l: Float64Array, shadowMin: Float64Array, shadowMax: Float64Array): void {
  if (tree.root < 0) return;
  tree.descend(x);
  attributeDescended(tree, store, x, high, low, h, l, shadowMin, shadowMax);
}

/** `attributeTree` for a tree whose descent for `x` has just been done. */
export function attributeDescended(tree: RcfTree, store: PointStore, x: Float64Array, high: Float64Array, low: Float64Array, h: Float64Array, l: Float64Array, shadowMin: Float64Array, shadowMax: Float64Array): void {
  const d = tree.dims;
  const S = tree.capacity;
  const depth = tree.lastDepth;
  const leaf = tree.lastLeaf;
  const treeMass = tree.totalMass;
  const leafMass = tree.leafMass[leaf]!;
  const coords = store.coords;
  const lp = tree.leafPoint[leaf]! * d;
  const duplicate = store.equals(tree.leafPoint[leaf]!, x);
  let saved: number;
  if (duplicate) {
    saved = (1 - leafMass / (2 * treeMass)) / (depth + Math.log2(leafMass + 1));
    h.fill(saved / (2 * d));
    l.fill(saved / (2 * d));
    shadowMin.fill(Infinity);
    shadowMax.fill(-Infinity);
  } else {
    saved = 1 / (depth + 1);
    let spread = 0;
    for (let i = 0; i < d; i++) spread += Math.abs(x[i]! - coords[lp + i]!);
    for (let i = 0; i < d; i++) {
      const gap = x[i]! - coords[lp + i]!;
      h[i] = gap > 0 ? (saved * gap) / spread : 0;
      l[i] = gap < 0 ? (-saved * gap) / spread : 0;
    }
  }
  let child = S + leaf;
  for (let k = depth - 1; k >= 0; k--) {
    const node = tree.path[k]!;
    let boxLo: Float64Array;
    let boxHi: Float64Array;
    let base: number;
    if (duplicate) {
      const sibling = tree.left[node] === child ? tree.right[node]! : tree.left[node]!;
      for (let i = 0; i < d; i++) {
        shadowMin[i] = Math.min(shadowMin[i]!, tree.childMin(sibling, i));
        shadowMax[i] = Math.max(shadowMax[i]!, tree.childMax(sibling, i));
      }
      boxLo = shadowMin;
      boxHi = shadowMax;
      base = 0;
    } else {
      boxLo = tree.boxMin;
      boxHi = tree.boxMax;
      base = node * d;
    }
    child = node;
    let newRange = 0;
    let grown = 0;
    for (let i = 0; i < d; i++) {
      const lo = boxLo[base + i]!;
      const hi = boxHi[base + i]!;
      const xi = x[i]!;
      newRange += Math.max(hi, xi) - Math.min(lo, xi);
      grown += Math.max(xi - hi, 0) + Math.max(lo - xi, 0);
    }
    if (grown <= 0 || newRange <= 0) break;
    const p = grown / newRange;
    const unseen = 1 / (k + 1);
    for (let i = 0; i < d; i++) {
      h[i] = (Math.max(x[i]! - boxHi[base + i]!, 0) / newRange) * unseen + (1 - p) * h[i]!;
      l[i] = (Math.max(boxLo[base + i]! - x[i]!, 0) / newRange) * unseen + (1 - p) * l[i]!;
    }
  }
  let scale = Math.log2(treeMass + 1);
  if (duplicate) {
    let total = 0;
    for (let i = 0; i < d; i++) total += h[i]! + l[i]!;
    if (total > 0) scale *= saved / total;
  }
  for (let i = 0; i < d; i++) {
    high[i]! += h[i]! * scale;
    low[i]! += l[i]! * scale;
  }
}
