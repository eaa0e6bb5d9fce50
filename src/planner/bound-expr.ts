import type { Field, SqlType } from './types.js';
import type { UdfRef } from './user-functions.js';
import { NONDETERMINISTIC_FUNCTIONS } from './functions.js';

/**
 * Expressions after binding: names resolved to input column indexes, every node typed, every
 * operator and function reduced to one `call` form. Plain JSON, so plans cross to worker threads.
 */
export type BoundExpr =
  | { readonly k: 'col'; readonly index: number; readonly type: SqlType }
  | { readonly k: 'lit'; readonly value: string | number | boolean | null; readonly type: SqlType }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly BoundExpr[]; readonly type: SqlType; readonly udf?: UdfRef; readonly row?: readonly Field[] }
  | { readonly k: 'case'; readonly whens: readonly (readonly [BoundExpr, BoundExpr])[]; readonly else: BoundExpr | null; readonly type: SqlType };

export function col(index: number, type: SqlType): BoundExpr {
  return { k: 'col', index, type };
}

export function lit(value: string | number | boolean | null, type: SqlType): BoundExpr {
  return { k: 'lit', value, type };
}

export function call(fn: string, args: readonly BoundExpr[], type: SqlType, udf?: UdfRef): BoundExpr {
  return udf ? { k: 'call', fn, args, type, udf } : { k: 'call', fn, args, type };
}

/** Input column indexes an expression reads. */
export function columnsOf(e: BoundExpr, out = new Set<number>()): Set<number> {
  switch (e.k) {
    case 'col': out.add(e.index); break;
    case 'lit': break;
    case 'call': for (const a of e.args) columnsOf(a, out); break;
    case 'case':
      for (const [w, t] of e.whens) { columnsOf(w, out); columnsOf(t, out); }
      if (e.else) columnsOf(e.else, out);
      break;
  }
  return out;
}

/** Whether an expression gives the same value for the same input every time (no NOW(), UUID(), or user function declared otherwise). */
export function isDeterministic(e: BoundExpr): boolean {
  switch (e.k) {
    case 'col': case 'lit': return true;
    case 'call':
      if (e.udf ? !e.udf.deterministic : NONDETERMINISTIC_FUNCTIONS.has(e.fn) || (e.fn === 'UNIX_TIMESTAMP' && e.args.length === 0)) return false;
      return e.args.every(isDeterministic);
    case 'case': return e.whens.every(([w, t]) => isDeterministic(w) && isDeterministic(t)) && (e.else === null || isDeterministic(e.else));
  }
}

/** Rewrites column indexes, e.g. after projection pruning renumbers the scan's columns. */
export function remapColumns(e: BoundExpr, map: (i: number) => number): BoundExpr {
  switch (e.k) {
    case 'col': return { ...e, index: map(e.index) };
    case 'lit': return e;
    case 'call': return { ...e, args: e.args.map((a) => remapColumns(a, map)) };
    case 'case': return { ...e, whens: e.whens.map(([w, t]) => [remapColumns(w, map), remapColumns(t, map)] as const), else: e.else ? remapColumns(e.else, map) : null };
  }
}

/** Replaces each column reference by an expression, e.g. a computed column by its definition. */
export function replaceColumns(e: BoundExpr, by: (c: BoundExpr & { k: 'col' }) => BoundExpr): BoundExpr {
  switch (e.k) {
    case 'col': return by(e);
    case 'lit': return e;
    case 'call': return { ...e, args: e.args.map((a) => replaceColumns(a, by)) };
    case 'case': return { ...e, whens: e.whens.map(([w, t]) => [replaceColumns(w, by), replaceColumns(t, by)] as const), else: e.else ? replaceColumns(e.else, by) : null };
  }
}

export function exprToString(e: BoundExpr, names: readonly string[]): string {
  switch (e.k) {
    case 'col': return names[e.index] ?? `$${e.index}`;
    case 'lit': return typeof e.value === 'string' ? `'${e.value}'` : String(e.value);
    case 'call': {
      const args = e.args.map((a) => exprToString(a, names));
      if (/^[^A-Za-z_]/.test(e.fn) || e.fn === 'AND' || e.fn === 'OR') return args.length === 2 ? `(${args[0]} ${e.fn} ${args[1]})` : `${e.fn}${args[0]}`;
      return `${e.udf?.name ?? e.fn}(${args.join(', ')})`;
    }
    case 'case':
      return `CASE ${e.whens.map(([w, t]) => `WHEN ${exprToString(w, names)} THEN ${exprToString(t, names)}`).join(' ')}${e.else ? ` ELSE ${exprToString(e.else, names)}` : ''} END`;
  }
}
