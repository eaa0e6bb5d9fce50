/**
 * The JSONPath that KDA's record mappings use: `$`, member steps (`.name`, `['name']`), array
 * indexes (`[2]`) and `[0:]`. A `[0:]` with steps after it flattens the array: each element is a
 * row of its own (one such array per schema); a `[0:]` at the end is the whole array, as text.
 */

export type Step = { readonly key: string } | { readonly index: number };

export interface JsonPath {
  readonly text: string;
  /** The steps before a flattened array, or the whole path when nothing is flattened. */
  readonly prefix: readonly Step[];
  /** Steps applied to each element of the flattened array at `prefix`; undefined when nothing is flattened. */
  readonly perElement?: readonly Step[];
}

const MEMBER = /^\.([^.[\]]+)/;
const QUOTED = /^\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/;
const INDEX = /^\[\s*(\d+)\s*\]/;
const ALL = /^\[\s*(?:0\s*:|\*)\s*\]/;

/** Parses `text`; a string says what is wrong with it. */
export function parseJsonPath(text: string): JsonPath | string {
  if (!text.startsWith('$')) return `JSONPath ${text} must start with $`;
  let rest = text.slice(1);
  const prefix: Step[] = [];
  let perElement: Step[] | undefined;
  const steps = (): Step[] => perElement ?? prefix;
  while (rest !== '') {
    let m: RegExpExecArray | null;
    if ((m = MEMBER.exec(rest))) steps().push({ key: m[1]!.trim() });
    else if ((m = QUOTED.exec(rest))) steps().push({ key: (m[1] ?? m[2]!).replace(/\\(.)/g, '$1') });
    else if ((m = INDEX.exec(rest))) steps().push({ index: Number(m[1]) });
    else if ((m = ALL.exec(rest))) {
      if (perElement) return `JSONPath ${text} flattens two arrays; KDA supports one level of array dereferencing`;
      perElement = [];
    } else return `JSONPath ${text} cannot be read at "${rest}" (use $.name, $.parent.child, $.array[0] or $.array[0:].element)`;
    rest = rest.slice(m[0].length);
  }
  // `[0:]` at the end selects the whole array as one value, not one row per element.
  if (perElement && perElement.length === 0) return { text, prefix };
  return perElement ? { text, prefix, perElement } : { text, prefix };
}

/** The value at `steps` under `value`; undefined when any step finds nothing. */
export function walk(value: unknown, steps: readonly Step[]): unknown {
  let v = value;
  for (const s of steps) {
    if (v === null || typeof v !== 'object') return undefined;
    if ('key' in s) {
      if (Array.isArray(v) || !Object.hasOwn(v, s.key)) return undefined;
      v = (v as Record<string, unknown>)[s.key];
    } else {
      if (!Array.isArray(v)) return undefined;
      v = v[s.index];
    }
  }
  return v;
}

/** Whether two paths flatten the same array (same prefix), so their rows line up. */
export function samePrefix(a: readonly Step[], b: readonly Step[]): boolean {
  return a.length === b.length && a.every((s, i) => JSON.stringify(s) === JSON.stringify(b[i]));
}
