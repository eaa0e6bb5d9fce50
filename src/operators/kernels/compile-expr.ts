import type { BoundExpr } from '../../planner/bound-expr.js';
import { columnsOf, isDeterministic } from '../../planner/bound-expr.js';
import type { SqlType } from '../../planner/types.js';
import { readerOf, type ColumnBatch, type Reader } from '../column-batch.js';
import * as F from './scalar-functions.js';
import { parseTimestampLiteral } from './timestamps.js';
import { buildTimeCall } from './time-functions.js';
import { buildStringCall } from './string-functions.js';
import { buildKdaTimeCall } from './kda-time-functions.js';
import { buildKdaStringCall } from './kda-string-functions.js';
import { buildLogParseCall } from './log-parsers.js';
import { buildUdfCall } from './udf-registry.js';

import { RowError } from './row-error.js';

export { RowError };

/** The message a failed row carries to error_stream. */
export function messageOf(e: unknown): string {
  if (e instanceof RowError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/** A compiled expression: bind it to a batch to get a per-row evaluator. */
export interface CompiledExpr {
  readonly type: SqlType;
  bind(batch: ColumnBatch): Reader;
}

/**
 * Compiles a bound expression into closures. An expression that reads only one dictionary-coded
 * column is evaluated once per distinct string and cached by code, so `country <> 'XX'` or
 * `UPPER(page)` cost an array lookup per row (unless it calls NOW(), UUID() or a user function
 * declared not deterministic).
 */
export function compileExpr(e: BoundExpr, inputTypes: readonly SqlType[]): CompiledExpr {
  const cols = columnsOf(e);
  const only = cols.size === 1 && e.k !== 'col' && isDeterministic(e) ? [...cols][0]! : -1;
  const memo = { dict: null as readonly string[] | null, values: [] as unknown[], computed: new Uint8Array(0) };
  return {
    type: e.type,
    bind(batch) {
      const vec = only >= 0 ? batch.columns[only] : undefined;
      if (vec && vec.kind === 'dict') {
        if (memo.dict !== vec.dict) {
          memo.dict = vec.dict;
          memo.values = [];
          memo.computed = new Uint8Array(0);
        }
        const codes = vec.codes;
        const dict = vec.dict;
        const singleValues: unknown[] = [null];
        const single: ColumnBatch = { length: 1, columns: batch.columns.map((_, c) => ({ kind: 'js', values: c === only ? singleValues : [] })) };
        const inner = build(e, single, inputTypes);
        let nullValue: unknown;
        let nullDone = false;
        return (i) => {
          const c = codes[i]!;
          if (c < 0) {
            if (!nullDone) { singleValues[0] = null; nullValue = inner(0); nullDone = true; }
            return nullValue;
          }
          if (c >= memo.computed.length) {
            const grown = new Uint8Array(Math.max(64, dict.length * 2, c + 1));
            grown.set(memo.computed);
            memo.computed = grown;
          }
          if (memo.computed[c]) return memo.values[c];
          singleValues[0] = dict[c];
          const v = inner(0);
          memo.values[c] = v;
          memo.computed[c] = 1;
          return v;
        };
      }
      return build(e, batch, inputTypes);
    },
  };
}

function build(e: BoundExpr, batch: ColumnBatch, types: readonly SqlType[]): Reader {
  switch (e.k) {
    case 'col': return readerOf(batch.columns[e.index]!, types[e.index]!);
    case 'lit': { const v = e.value; return () => v; }
    case 'case': {
      const whens = e.whens.map(([w, t]) => [build(w, batch, types), build(t, batch, types)] as const);
      const els = e.else ? build(e.else, batch, types) : () => null;
      return (i) => {
        for (const [w, t] of whens) if (w(i) === true) return t(i);
        return els(i);
      };
    }
    case 'call':
      if (e.udf) return buildUdfCall(e.udf.name, e.udf.ref, e.args.map((a) => build(a, batch, types)), e.type);
      return buildCall(e.fn, e.args, e.type, batch, types);
  }
}

function strict1(f: (a: any) => unknown, a: Reader): Reader {
  return (i) => {
    const x = a(i);
    return x === null ? null : f(x);
  };
}

function strict2(f: (a: any, b: any) => unknown, a: Reader, b: Reader): Reader {
  return (i) => {
    const x = a(i);
    if (x === null) return null;
    const y = b(i);
    return y === null ? null : f(x, y);
  };
}

function buildCall(fn: string, argExprs: readonly BoundExpr[], type: SqlType, batch: ColumnBatch, types: readonly SqlType[]): Reader {
  const args = argExprs.map((a) => build(a, batch, types));
  const [a, b, c] = args as [Reader, Reader, Reader];
  switch (fn) {
    case 'AND': return (i) => {
      const x = a(i);
      if (x === false) return false;
      const y = b(i);
      if (y === false) return false;
      return x === null || y === null ? null : true;
    };
    case 'OR': return (i) => {
      const x = a(i);
      if (x === true) return true;
      const y = b(i);
      if (y === true) return true;
      return x === null || y === null ? null : false;
    };
    case 'NOT': return strict1((x: boolean) => !x, a);
    case 'IS_NULL': return (i) => a(i) === null;
    case 'IS_NOT_NULL': return (i) => a(i) !== null;
    case '=': return strict2((x, y) => x === y, a, b);
    case '<>': return strict2((x, y) => x !== y, a, b);
    case '<': return strict2((x, y) => x < y, a, b);
    case '<=': return strict2((x, y) => x <= y, a, b);
    case '>': return strict2((x, y) => x > y, a, b);
    case '>=': return strict2((x, y) => x >= y, a, b);
    case '+': return strict2((x: number, y: number) => x + y, a, b);
    case '-': return strict2((x: number, y: number) => x - y, a, b);
    case '*': return strict2((x: number, y: number) => x * y, a, b);
    case '/': return strict2((x: number, y: number) => {
      if (y === 0) throw new RowError('division by zero');
      return x / y;
    }, a, b);
    case 'IDIV': return strict2((x: number, y: number) => {
      if (y === 0) throw new RowError('division by zero');
      return Math.trunc(x / y);
    }, a, b);
    case '%': case 'MOD': return strict2((x: number, y: number) => {
      if (y === 0) throw new RowError('division by zero');
      return x % y;
    }, a, b);
    case 'NEG': return strict1((x: number) => -x, a);
    case 'IN': {
      const list = args.slice(1);
      return (i) => {
        const x = a(i);
        if (x === null) return null;
        let sawNull = false;
        for (const r of list) {
          const y = r(i);
          if (y === x) return true;
          if (y === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'LIKE': {
      const cache = new Map<string, RegExp>();
      return (i) => {
        const s = a(i);
        const p = b(i);
        const esc = c ? c(i) : undefined;
        if (s === null || p === null || esc === null) return null;
        const key = `${p as string}\u0000${(esc as string) ?? ''}`;
        let re = cache.get(key);
        if (!re) cache.set(key, (re = F.likeToRegExp(p as string, esc as string | undefined)));
        return re.test(s as string);
      };
    }
    case 'CONCAT': return (i) => {
      let out = '';
      for (const r of args) {
        const v = r(i);
        if (v === null) return null;
        out += typeof v === 'string' ? v : castToString(v, argExprs[args.indexOf(r)]!.type);
      }
      return out;
    };
    case 'LOWER': return strict1((s: string) => s.toLowerCase(), a);
    case 'UPPER': return strict1((s: string) => s.toUpperCase(), a);
    case 'INITCAP': return strict1((s: string) => s.toLowerCase().replace(/(^|[^A-Za-z0-9])([a-z])/g, (_m, p, ch) => p + ch.toUpperCase()), a);
    case 'LTRIM': return strict1((s: string) => F.trimChars(s, ' ', 'LEADING'), a);
    case 'RTRIM': return strict1((s: string) => F.trimChars(s, ' ', 'TRAILING'), a);
    case 'TRIM': return (i) => {
      const s = a(i);
      const chars = b(i);
      return s === null || chars === null ? null : F.trimChars(s as string, chars as string, c(i) as string);
    };
    case 'CHAR_LENGTH': return strict1((s: string) => Array.from(s).length, a);
    case 'SUBSTRING': return (i) => {
      const s = a(i);
      const start = b(i);
      const len = c ? c(i) : undefined;
      if (s === null || start === null || len === null) return null;
      try {
        return F.substring(s as string, start as number, len as number | undefined);
      } catch (err) {
        throw new RowError((err as Error).message);
      }
    };
    case 'POSITION': return strict2((needle: string, hay: string) => {
      const idx = hay.indexOf(needle);
      return idx < 0 ? 0 : Array.from(hay.slice(0, idx)).length + 1;
    }, a, b);
    case 'COALESCE': return (i) => {
      for (const r of args) {
        const v = r(i);
        if (v !== null) return v;
      }
      return null;
    };
    case 'NULLIF': return (i) => {
      const x = a(i);
      return x !== null && x === b(i) ? null : x;
    };
    case 'IF': return (i) => (a(i) === true ? b(i) : c(i));
    case 'IFNULL': return (i) => a(i) ?? b(i);
    case 'ABS': return strict1(Math.abs, a);
    case 'FLOOR': return strict1(Math.floor, a);
    case 'CEIL': return strict1(Math.ceil, a);
    case 'ROUND': return b ? strict2((x: number, d: number) => F.roundHalfAway(x, d), a, b) : strict1((x: number) => F.roundHalfAway(x), a);
    case 'POWER': return strict2(Math.pow, a, b);
    case 'SQRT': return strict1(Math.sqrt, a);
    case 'FLOOR_TIME': { const unit = argExprs[1]!.k === 'lit' ? String((argExprs[1] as { value: unknown }).value) : 'SECOND'; return strict1((t: number) => F.floorTime(t, unit), a); }
    case 'CEIL_TIME': { const unit = argExprs[1]!.k === 'lit' ? String((argExprs[1] as { value: unknown }).value) : 'SECOND'; return strict1((t: number) => F.ceilTime(t, unit), a); }
    case 'STEP': { const size = Number((argExprs[1] as { value: unknown }).value); return strict1((t: number) => Math.floor(t / size) * size, a); }
    case 'EXTRACT': { const unit = String((argExprs[0] as { value: unknown }).value); return strict1((t: number) => F.extract(unit, t), b); }
    case 'CAST': {
      const from = argExprs[0]!.type;
      const len = argExprs[1]?.k === 'lit' ? ((argExprs[1] as { value: unknown }).value as number | null) : null;
      return strict1((x: unknown) => castValue(x, from, type, len), a);
    }
    default: {
      const r = buildTimeCall(fn, args, argExprs) ?? buildStringCall(fn, args, argExprs) ?? buildKdaTimeCall(fn, args, argExprs) ?? buildKdaStringCall(fn, args, argExprs) ?? buildLogParseCall(fn, args, argExprs);
      if (!r) throw new Error(`no kernel for function ${fn}`);
      return r;
    }
  }
}

export function castToString(x: unknown, from: SqlType): string {
  if (from === 'TIMESTAMP') return new Date(x as number).toISOString().replace('T', ' ').replace('Z', '');
  return String(x);
}

export function castValue(x: unknown, from: SqlType, to: SqlType, len: number | null = null): unknown {
  switch (to) {
    case 'VARCHAR': {
      const s = typeof x === 'string' ? x : castToString(x, from);
      return len !== null && len > 0 ? s.slice(0, len) : s;
    }
    case 'INTEGER': case 'BIGINT': {
      const n = typeof x === 'string' ? Number(x.trim()) : typeof x === 'boolean' ? (x ? 1 : 0) : (x as number);
      if (typeof x === 'string' && (x.trim() === '' || !Number.isFinite(n))) throw new RowError(`cannot cast '${x}' to ${to}`);
      if (!Number.isFinite(n)) throw new RowError(`cannot cast ${x} to ${to}`);
      return Math.trunc(n);
    }
    case 'DOUBLE': case 'DECIMAL': {
      const n = typeof x === 'string' ? Number(x.trim()) : typeof x === 'boolean' ? (x ? 1 : 0) : (x as number);
      if (typeof x === 'string' && (x.trim() === '' || Number.isNaN(n))) throw new RowError(`cannot cast '${x}' to ${to}`);
      return n;
    }
    case 'BOOLEAN': {
      if (typeof x === 'boolean') return x;
      if (typeof x === 'number') return x !== 0;
      const s = String(x).trim().toLowerCase();
      if (s === 'true' || s === 't' || s === '1') return true;
      if (s === 'false' || s === 'f' || s === '0') return false;
      throw new RowError(`cannot cast '${x}' to BOOLEAN`);
    }
    case 'TIMESTAMP': {
      if (typeof x === 'number') return x;
      const t = parseTimestampLiteral(String(x));
      if (t === undefined) throw new RowError(`cannot cast '${x}' to TIMESTAMP`);
      return t;
    }
    default:
      return x;
  }
}
