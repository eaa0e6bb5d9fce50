import { createHash, randomUUID } from 'node:crypto';
import type { BoundExpr } from '../../planner/bound-expr.js';
import type { Reader } from '../column-batch.js';
import { javaRegExp, JavaRegexError } from './java-regex.js';
import { RowError } from './row-error.js';

/**
 * Flink's string, regular-expression and hash functions. Lengths and positions count UTF-16 code
 * units, as Java's String does; NULL in gives NULL out unless noted.
 */

/** Java's String.replace: every non-overlapping occurrence, an empty target between every character. */
export function replaceAll(s: string, from: string, to: string): string {
  return s.replaceAll(from, () => to);
}

/** Flink's LPAD and RPAD: shortened to `len` when longer; NULL for a negative length or an empty pad. */
export function pad(s: string, len: number, fill: string, left: boolean): string | null {
  if (len < 0 || fill === '') return null;
  if (s.length >= len) return s.slice(0, len);
  const need = len - s.length;
  const padding = fill.repeat(Math.ceil(need / fill.length)).slice(0, need);
  return left ? padding + s : s + padding;
}

/**
 * Flink's SPLIT_INDEX (Commons Lang's splitByWholeSeparatorPreserveAllTokens): the zero-based
 * `index`th piece, or NULL past the end or for a negative index. An empty string has no pieces; an
 * empty separator splits at whitespace.
 */
export function splitIndex(s: string, sep: string, index: number): string | null {
  if (index < 0 || s === '') return null;
  const parts = sep === '' ? s.split(/\s/) : s.split(sep);
  return parts[index] ?? null;
}

/** REGEXP_EXTRACT: group `index` of the first match (0: the whole match); NULL when nothing matches or there is no such group. */
export function regexpExtract(s: string, re: RegExp, index: number): string | null {
  if (index < 0) return null;
  const m = re.exec(s);
  return m?.[index] ?? null;
}

/** The pattern argument as a per-row lookup (compiled once per pattern text); `onBad` for an invalid one. */
function regexArg(e: BoundExpr, r: Reader, global: boolean, onBad: 'null' | 'error'): (i: number) => RegExp | null {
  const compile = (p: string): RegExp | null => {
    try {
      return javaRegExp(p, global);
    } catch (err) {
      if (!(err instanceof JavaRegexError)) throw err;
      if (onBad === 'null') return null;
      throw new RowError(`invalid regular expression '${p}': ${err.message}`);
    }
  };
  if (e.k === 'lit') {
    let re: RegExp | null | undefined;
    return () => (e.value === null ? null : re === undefined ? (re = compile(String(e.value))) : re);
  }
  return (i) => {
    const p = r(i);
    return p === null ? null : compile(p as string);
  };
}

/** A Reader for a string function, or undefined when `fn` is not one. */
export function buildStringCall(fn: string, args: readonly Reader[], argExprs: readonly BoundExpr[]): Reader | undefined {
  const [a, b, c] = args as [Reader, Reader, Reader | undefined];
  const nullable2 = (f: (x: any, y: any) => unknown): Reader => (i) => {
    const x = a(i);
    const y = x === null ? null : b(i);
    return y === null ? null : f(x, y);
  };
  const nullable3 = (f: (x: any, y: any, z: any) => unknown): Reader => (i) => {
    const x = a(i);
    const y = x === null ? null : b(i);
    const z = y === null ? null : c!(i);
    return z === null ? null : f(x, y, z);
  };
  switch (fn) {
    case 'LEFT': return nullable2((s: string, n: number) => (n <= 0 ? '' : s.slice(0, n)));
    case 'RIGHT': return nullable2((s: string, n: number) => (n <= 0 ? '' : s.slice(Math.max(0, s.length - n))));
    case 'REPEAT': return nullable2((s: string, n: number) => (n <= 0 ? '' : s.repeat(n)));
    case 'REPLACE': return nullable3(replaceAll);
    case 'LPAD': return nullable3((s: string, n: number, f: string) => pad(s, Math.trunc(n), f, true));
    case 'RPAD': return nullable3((s: string, n: number, f: string) => pad(s, Math.trunc(n), f, false));
    case 'REVERSE': return (i) => {
      const s = a(i) as string | null;
      return s === null ? null : Array.from(s).reverse().join('');
    };
    case 'INSTR': return nullable2((s: string, sub: string) => s.indexOf(sub) + 1);
    case 'SPLIT_INDEX': return nullable3((s: string, sep: string, n: number) => splitIndex(s, sep, Math.trunc(n)));
    case 'CONCAT_WS': return (i) => {
      const sep = a(i);
      if (sep === null) return null;
      const parts: string[] = [];
      for (let k = 1; k < args.length; k++) {
        const v = args[k]!(i);
        if (v !== null) parts.push(String(v));
      }
      return parts.join(sep as string);
    };
    case 'REGEXP': {
      const re = regexArg(argExprs[1]!, b, false, 'error');
      return (i) => {
        const s = a(i) as string | null;
        const r = s === null ? null : re(i);
        return r === null ? null : r.test(s!);
      };
    }
    case 'REGEXP_EXTRACT': {
      const re = regexArg(argExprs[1]!, b, false, 'null');
      return (i) => {
        const s = a(i) as string | null;
        const r = s === null ? null : re(i);
        const idx = r === null ? null : c ? (c(i) as number | null) : 0;
        return idx === null ? null : regexpExtract(s!, r!, Math.trunc(idx));
      };
    }
    case 'REGEXP_REPLACE': {
      const re = regexArg(argExprs[1]!, b, true, 'null');
      return (i) => {
        const s = a(i) as string | null;
        const r = s === null ? null : re(i);
        const to = r === null ? null : (c!(i) as string | null);
        // The replacement is literal text, as Flink quotes it (Matcher.quoteReplacement).
        return to === null ? null : s!.replace(r!, () => to);
      };
    }
    case 'MD5': case 'SHA1': case 'SHA256': {
      const algorithm = fn === 'MD5' ? 'md5' : fn === 'SHA1' ? 'sha1' : 'sha256';
      return (i) => {
        const s = a(i) as string | null;
        return s === null ? null : createHash(algorithm).update(s, 'utf8').digest('hex');
      };
    }
    case 'UUID': return () => randomUUID();
    default: return undefined;
  }
}
