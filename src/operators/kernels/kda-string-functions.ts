import type { BoundExpr } from '../../planner/bound-expr.js';
import type { Reader } from '../column-batch.js';
import { javaRegExp, JavaRegexError } from './java-regex.js';
import { RowError } from './row-error.js';

/**
 * Kinesis Data Analytics' string functions and operators that Flink lacks or defines otherwise:
 * REGEX_REPLACE (Java's replaceAll from a position, one occurrence or all), OVERLAY, SIMILAR TO,
 * SUBSTRING by regular expression or SIMILAR pattern, and INITCAP over space-delimited words.
 * Positions count characters (code points), as KDA's SUBSTRING and POSITION do.
 */

export class SimilarPatternError extends Error {
  override readonly name = 'SimilarPatternError';
}

/**
 * A SQL SIMILAR TO pattern as a regular expression source: `%` any string, `_` any character,
 * `| * + ? {m,n} ( ) [...]` as in regular expressions, anything else literal; `escape` quotes the
 * character after it. `lazy` makes `%` match as little as it can.
 */
export function similarToRegex(pattern: string, escape: string | null, lazy = false): string {
  if (escape !== null && [...escape].length !== 1) throw new SimilarPatternError(`the escape must be one character, got '${escape}'`);
  let out = '';
  let inClass = false;
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (escape !== null && ch === escape) {
      const next = chars[++i];
      if (next === undefined) throw new SimilarPatternError('the pattern ends with its escape character');
      out += quote(next);
    } else if (inClass) {
      if (ch === ']') inClass = false;
      out += ch === '\\' ? '\\\\' : ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
    } else if (ch === '%') out += lazy ? '[\\s\\S]*?' : '[\\s\\S]*';
    else if (ch === '_') out += '[\\s\\S]';
    else if ('|*+?{}()'.includes(ch)) out += ch;
    else out += quote(ch);
  }
  if (inClass) throw new SimilarPatternError(`unclosed '[' in '${pattern}'`);
  return out;
}

function quote(ch: string): string {
  return /[.*+?^${}()|[\]\\/-]/.test(ch) ? `\\${ch}` : ch;
}

const similarCache = new Map<string, RegExp>();

/** The whole-string RegExp of a SIMILAR TO pattern, cached by pattern and escape. */
export function similarRegExp(pattern: string, escape: string | null): RegExp {
  const key = `${escape ?? ''}\u0000${pattern}`;
  let re = similarCache.get(key);
  if (!re) {
    try {
      re = new RegExp(`^(?:${similarToRegex(pattern, escape)})$`, 'u');
    } catch (e) {
      if (e instanceof SimilarPatternError) throw e;
      throw new SimilarPatternError(`invalid SIMILAR TO pattern '${pattern}': ${(e as Error).message}`);
    }
    if (similarCache.size >= 1000) similarCache.clear();
    similarCache.set(key, re);
  }
  return re;
}

/** SUBSTRING(s SIMILAR 'R1<esc>"R2<esc>"R3' ESCAPE esc): the part R2 matches when the whole string matches, else NULL. */
export function substringSimilar(s: string, pattern: string, escape: string): string | null {
  const m = substringRegExp(pattern, escape).exec(s);
  return m ? m[1]! : null;
}

const substringCache = new Map<string, RegExp>();

/** The pattern's three parts as one RegExp whose group 1 is the middle part; the first part matches as little as it can. */
function substringRegExp(pattern: string, escape: string): RegExp {
  const key = `${escape}\u0000${pattern}`;
  let re = substringCache.get(key);
  if (re) return re;
  const marker = `${escape}"`;
  const parts = pattern.split(marker);
  if (parts.length !== 3) throw new SimilarPatternError(`a SUBSTRING SIMILAR pattern needs exactly two ${marker} markers, '${pattern}' has ${parts.length - 1}`);
  const [r1, r2, r3] = parts.map((p, i) => similarToRegex(p, escape, i === 0)) as [string, string, string];
  try {
    re = new RegExp(`^(?:${r1})(${r2})(?:${r3})$`, 'u');
  } catch (e) {
    throw new SimilarPatternError(`invalid SIMILAR pattern '${pattern}': ${(e as Error).message}`);
  }
  if (substringCache.size >= 1000) substringCache.clear();
  substringCache.set(key, re);
  return re;
}

/** OVERLAY(s PLACING r FROM start [FOR length]), KDA's way: a start before 1 puts the first (1 - start) characters of r in front. */
export function overlay(s: string, r: string, start: number, length?: number): string {
  const chars = [...s];
  const len = length ?? [...r].length;
  if (len < 0) throw new RowError(`OVERLAY length must not be negative, got ${len}`);
  const head = chars.slice(0, Math.max(0, start - 1)).join('');
  const tail = chars.slice(Math.max(0, start - 1 + len)).join('');
  return head + r + tail;
}

type Piece = string | number;

/** Java's replacement text: `$n` is group n (as many digits as name a group), `\x` is x. */
export function javaReplacement(replacement: string, groups: number): Piece[] {
  const pieces: Piece[] = [];
  let text = '';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i]!;
    if (ch === '\\') {
      if (i + 1 >= replacement.length) throw new RowError('the replacement ends with a lone backslash');
      text += replacement[++i];
    } else if (ch === '$') {
      const m = /^\d+/.exec(replacement.slice(i + 1));
      if (!m) throw new RowError(`illegal group reference in replacement '${replacement}'`);
      let digits = m[0][0]!;
      if (Number(digits) > groups) throw new RowError(`no group ${digits} in the regular expression`);
      for (const d of m[0].slice(1)) {
        if (Number(digits + d) > groups) break;
        digits += d;
      }
      if (text) pieces.push(text);
      text = '';
      pieces.push(Number(digits));
      i += digits.length;
    } else text += ch;
  }
  if (text) pieces.push(text);
  return pieces;
}

/** REGEX_REPLACE: Java's replaceAll over the string from `start` (1-based), all matches (occurrence 0) or the nth. */
export function regexReplace(s: string, re: RegExp, replacement: Piece[], start: number, occurrence: number): string {
  if (start < 1) throw new RowError(`REGEX_REPLACE start position must be at least 1, got ${start}`);
  if (occurrence < 0) throw new RowError(`REGEX_REPLACE occurrence must not be negative, got ${occurrence}`);
  const chars = [...s];
  if (start > chars.length) return s;
  const head = chars.slice(0, start - 1).join('');
  let n = 0;
  const rest = chars.slice(start - 1).join('').replace(re, (...m: unknown[]) => {
    n++;
    if (occurrence !== 0 && n !== occurrence) return m[0] as string;
    return replacement.map((p) => (typeof p === 'number' ? ((m[p] as string | undefined) ?? '') : p)).join('');
  });
  return head + rest;
}

/** KDA's INITCAP: each space-delimited word upper-cased at its first character, lower-cased elsewhere. */
export function initcapWords(s: string): string {
  return s.toLowerCase().replace(/(^|\s)(\S)/gu, (_m, before: string, first: string) => before + first.toUpperCase());
}

function compileJava(p: string, global: boolean): RegExp {
  try {
    return javaRegExp(p, global);
  } catch (e) {
    throw e instanceof JavaRegexError ? new RowError(`invalid regular expression '${p}': ${e.message}`) : e;
  }
}

function similar(p: string, esc: string | null): RegExp {
  try {
    return similarRegExp(p, esc);
  } catch (e) {
    throw e instanceof SimilarPatternError ? new RowError(e.message) : e;
  }
}

/** A Reader for a KDA string function, or undefined when `fn` is not one. */
export function buildKdaStringCall(fn: string, args: readonly Reader[], argExprs: readonly BoundExpr[]): Reader | undefined {
  const a = args[0]!;
  const all = (i: number): unknown[] | null => {
    const out: unknown[] = [];
    for (const r of args) {
      const v = r(i);
      if (v === null) return null;
      out.push(v);
    }
    return out;
  };
  switch (fn) {
    case 'REGEX_REPLACE': {
      const lit = argExprs[1]!.k === 'lit' && argExprs[2]!.k === 'lit';
      let cached: { re: RegExp; pieces: Piece[] } | undefined;
      const compile = (p: string, r: string) => {
        const re = compileJava(p, true);
        return { re, pieces: javaReplacement(r, new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('')!.length - 1) };
      };
      return (i) => {
        const v = all(i);
        if (!v) return null;
        const { re, pieces } = lit ? (cached ??= compile(v[1] as string, v[2] as string)) : compile(v[1] as string, v[2] as string);
        return regexReplace(v[0] as string, re, pieces, Math.trunc(v[3] as number), Math.trunc(v[4] as number));
      };
    }
    case 'OVERLAY': return (i) => {
      const v = all(i);
      return v ? overlay(v[0] as string, v[1] as string, Math.trunc(v[2] as number), v.length > 3 ? Math.trunc(v[3] as number) : undefined) : null;
    };
    case 'SIMILAR': return (i) => {
      const v = all(i);
      return v ? similar(v[1] as string, v.length > 2 ? (v[2] as string) : null).test(v[0] as string) : null;
    };
    case 'SUBSTRING_REGEX': return (i) => {
      const v = all(i);
      return v ? (compileJava(v[1] as string, false).exec(v[0] as string)?.[0] ?? null) : null;
    };
    case 'SUBSTRING_SIMILAR': return (i) => {
      const v = all(i);
      if (!v) return null;
      try {
        return substringSimilar(v[0] as string, v[1] as string, v[2] as string);
      } catch (err) {
        throw err instanceof SimilarPatternError ? new RowError(err.message) : err;
      }
    };
    case 'INITCAP_WORDS': return (i) => {
      const s = a(i) as string | null;
      return s === null ? null : initcapWords(s);
    };
    default: return undefined;
  }
}
