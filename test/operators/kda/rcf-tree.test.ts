import { describe, it, expect } from 'vitest';
import { PointStore } from '../../../src/operators/kda/point-store.js';
import { Xoshiro128 } from '../../../src/operators/kda/prng.js';
import { RcfTree } from '../../../src/operators/kda/rcf-tree.js';
import { scoreTree } from '../../../src/operators/kda/rcf-score.js';
import { seeded } from './helpers.js';

/** Walks the tree: every cut separates its children's boxes, every box is its children's union, masses add up. */
function check(tree: RcfTree, store: PointStore): number[][] {
  const d = tree.dims;
  const leaves: number[][] = [];
  const box = (node: number): { min: number[]; max: number[]; mass: number } => {
    if (node >= tree.capacity) {
      const leaf = node - tree.capacity;
      const p = Array.from(store.coords.subarray(tree.leafPoint[leaf]! * d, (tree.leafPoint[leaf]! + 1) * d));
      for (let m = 0; m < tree.leafMass[leaf]!; m++) leaves.push(p);
      return { min: p, max: p, mass: tree.leafMass[leaf]! };
    }
    const l = box(tree.left[node]!);
    const r = box(tree.right[node]!);
    const dim = tree.cutDim[node]!;
    expect(l.max[dim]!).toBeLessThanOrEqual(tree.cutValue[node]!);
    expect(r.min[dim]!).toBeGreaterThan(tree.cutValue[node]!);
    const min = l.min.map((v, i) => Math.min(v, r.min[i]!));
    const max = l.max.map((v, i) => Math.max(v, r.max[i]!));
    expect(Array.from(tree.boxMin.subarray(node * d, node * d + d))).toEqual(min);
    expect(Array.from(tree.boxMax.subarray(node * d, node * d + d))).toEqual(max);
    expect(tree.mass[node]).toBe(l.mass + r.mass);
    return { min, max, mass: l.mass + r.mass };
  };
  if (tree.root >= 0) expect(box(tree.root).mass).toBe(tree.totalMass);
  return leaves.sort((a, b) => a.join().localeCompare(b.join()));
}

describe('random cut tree', () => {
  it('keeps cuts, boxes and masses consistent through inserts and deletes, duplicates included', () => {
    const rand = seeded(9);
    const rng = new Xoshiro128(1);
    const store = new PointStore(3, 8);
    const tree = new RcfTree(64, 3, store);
    const held: number[] = [];
    for (let step = 0; step < 3000; step++) {
      if (held.length < 64 && (held.length < 20 || rand() < 0.5)) {
        // Coordinates on a coarse grid so equal points (duplicates) happen often.
        const slot = store.add(Float64Array.from({ length: 3 }, () => Math.floor(rand() * 4)));
        store.retain(slot);
        tree.insert(slot, store.coords.subarray(slot * 3, slot * 3 + 3), rng);
        held.push(slot);
      } else {
        const [slot] = held.splice(Math.floor(rand() * held.length), 1);
        tree.delete(slot!);
        store.release(slot!);
      }
      if (step % 50 === 0 || step > 2950) {
        const expected = held.map((s) => Array.from(store.coords.subarray(s * 3, s * 3 + 3))).sort((a, b) => a.join().localeCompare(b.join()));
        expect(check(tree, store)).toEqual(expected);
      }
    }
    while (held.length) {
      const slot = held.pop()!;
      tree.delete(slot);
      store.release(slot);
    }
    expect(tree.root).toBe(-1);
    expect(store.liveCount()).toBe(0);
  });

  it('refuses to delete a point it does not hold', () => {
    const store = new PointStore(1);
    const tree = new RcfTree(16, 1, store);
    const a = store.add(Float64Array.of(1));
    const b = store.add(Float64Array.of(2));
    tree.insert(a, Float64Array.of(1), new Xoshiro128(1));
    expect(() => tree.delete(b)).toThrow(/does not hold/);
  });

  it('scores a point far from the others above one among them', () => {
    const rng = new Xoshiro128(3);
    const store = new PointStore(2);
    const tree = new RcfTree(256, 2, store);
    const rand = seeded(4);
    for (let i = 0; i < 256; i++) {
      const slot = store.add(Float64Array.of(rand(), rand()));
      tree.insert(slot, store.coords.subarray(slot * 2, slot * 2 + 2), rng);
    }
    const inside = scoreTree(tree, store, Float64Array.of(0.5, 0.5));
    const outside = scoreTree(tree, store, Float64Array.of(3, 0.5));
    expect(outside).toBeGreaterThan(2 * inside);
  });
});
