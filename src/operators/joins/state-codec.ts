/**
 * Join state as bytes: JSON, with the numbers JSON cannot hold (±Infinity, NaN: an unset
 * watermark, a DOUBLE column's value) written as `{"$num": "Infinity"}` and read back as numbers.
 * Row values are plain SQL values (number, string, boolean, null), so nothing else needs a tag.
 */
export function encodeState(state: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(state, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v)));
}

export function decodeState<T>(bytes: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(bytes), (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const tag = (v as { $num?: unknown }).$num;
      if (typeof tag === 'string' && Object.keys(v).length === 1) return Number(tag);
    }
    return v;
  }) as T;
}
