/** Index bits: 2^16 registers, a standard error of 1.04/sqrt(65536) = 0.41 %. */
export const HLL_PRECISION = 16;
const M = 1 << HLL_PRECISION;
/** Bits of the 64-bit hash left for the rank once the index is taken. */
const Q = 64 - HLL_PRECISION;

/**
 * HyperLogLog (Flajolet et al., 2007) over a 64-bit hash made of two 32-bit MurmurHash3 passes with
 * different seeds, estimated with Ertl's improved raw estimator ("New cardinality estimation
 * algorithms for HyperLogLog sketches", 2017), which needs no bias tables and no switch to linear
 * counting: it is unbiased from a handful of items to billions.
 */
export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(registers?: Uint8Array) {
    this.registers = registers ?? new Uint8Array(M);
  }

  add(key: string): void {
    const h1 = murmur3(key, 0x9747b28c);
    const h2 = murmur3(key, 0x5bd1e995);
    const index = h1 >>> (32 - HLL_PRECISION);
    // The rank counts leading zeros in the 48 bits after the index: h1's low 16, then h2.
    const rest = h1 & ((1 << (32 - HLL_PRECISION)) - 1);
    const rank = rest !== 0 ? Math.clz32(rest) - HLL_PRECISION + 1 : h2 !== 0 ? 32 - HLL_PRECISION + Math.clz32(h2) + 1 : Q + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  estimate(): number {
    const histogram = new Float64Array(Q + 2);
    for (let i = 0; i < M; i++) histogram[this.registers[i]!]!++;
    let z = M * tau(1 - histogram[Q + 1]! / M);
    for (let k = Q; k >= 1; k--) z = 0.5 * (z + histogram[k]!);
    z += M * sigma(histogram[0]! / M);
    return (M * M) / (2 * Math.LN2 * z);
  }
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const before = z;
    z += x * y;
    y += y;
    if (z === before) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const before = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
    if (z === before) return z / 3;
  }
}

/** MurmurHash3's 32-bit hash over a string's UTF-16 code units, two to a block. */
export function murmur3(key: string, seed: number): number {
  let h = seed | 0;
  const n = key.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = key.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
