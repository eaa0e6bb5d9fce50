import type { PartialGroups } from '../row-stage.js';

/** FNV-1a over a key's text: the same key lands in the same partition on every thread. */
export function keyHash(key: readonly unknown[]): number {
  const s = key.length === 1 ? String(key[0]) + (key[0] === null ? '\u0000' : '') : JSON.stringify(key);
  let h = 0x811c9dc5;
  // for each char: h = (h ^ code) * FNV prime, kept in 32 bits
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Splits partial aggregates into `n` partitions by hash of their group key. */
export function splitByKey(p: PartialGroups, n: number): PartialGroups[] {
  if (n === 1) return [p];
  const parts = Array.from({ length: n }, () => ({ count: 0, starts: [] as number[], ends: [] as number[], keys: [] as unknown[][], states: [] as unknown[][] }));
  for (let i = 0; i < p.count; i++) {
    const part = parts[keyHash(p.keys[i]!) % n]!;
    part.count++;
    part.starts.push(p.starts[i]!);
    part.ends.push(p.ends[i]!);
    part.keys.push(p.keys[i]!);
    part.states.push(p.states[i]!);
  }
  return parts;
}

/** The earliest time at which some group of the partial is late: its window end, or for a session its start plus the gap. */
export function lateProbe(p: PartialGroups, sessionGapMs: number | null): number {
  let min = Infinity;
  for (let i = 0; i < p.count; i++) {
    const t = sessionGapMs === null ? p.ends[i]! : p.starts[i]! + sessionGapMs;
    if (t < min) min = t;
  }
  return min;
}
