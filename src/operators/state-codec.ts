/**
 * Operator snapshots as UTF-8 JSON. Values are SQL values, so the only things JSON cannot carry are
 * non-finite numbers (DOUBLE can be ±Infinity or NaN; watermarks start at -Infinity): they travel
 * as tagged objects.
 */
const TAG = '$num';

export function encodeState(state: unknown): Uint8Array {
  const text = JSON.stringify(state, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [TAG]: String(v) } : v));
  return new TextEncoder().encode(text);
}

export function decodeState<T>(bytes: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(bytes), (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const tagged = (v as Record<string, unknown>)[TAG];
      if (typeof tagged === 'string' && Object.keys(v).length === 1) return Number(tagged);
    }
    return v;
  }) as T;
}
