import type { SqlType } from '../../planner/types.js';
import { isLocalRef, LOCAL_PREFIX, moduleOfRef } from '../../planner/user-functions.js';
import type { Reader } from '../column-batch.js';
import { RowError } from './row-error.js';

/**
 * User-defined functions as this thread finds them: modules imported here (each worker imports a
 * plan's modules itself, before its first task with them) and functions registered in this thread.
 */

type Fn = (...args: unknown[]) => unknown;

const local = new Map<string, Fn>();
const modules = new Map<string, Record<string, unknown>>();
const loading = new Map<string, Promise<Record<string, unknown>>>();
let nextLocal = 0;

/** Keeps a function of this thread; its ref goes into plans, which then run on this thread only. */
export function registerLocalFunction(name: string, fn: Fn): string {
  const ref = `${LOCAL_PREFIX}${++nextLocal}:${name}`;
  local.set(ref, fn);
  return ref;
}

export function unregisterLocalFunction(ref: string): void {
  local.delete(ref);
}

/** Imports a module once per thread (a failed import is tried again next time). */
export function loadFunctionModule(url: string): Promise<Record<string, unknown>> {
  let p = loading.get(url);
  if (!p) {
    p = import(url).then((ns: Record<string, unknown>) => {
      modules.set(url, ns);
      return ns;
    });
    loading.set(url, p);
    p.catch(() => loading.delete(url));
  }
  return p;
}

/** Resolves once the modules of `refs` are loaded here; null when they already are (no await on the hot path). */
export function ensureFunctionModules(refs: readonly string[]): Promise<unknown> | null {
  const missing = refs.filter((r) => !isLocalRef(r) && !modules.has(moduleOfRef(r)));
  return missing.length ? Promise.all(missing.map((r) => loadFunctionModule(moduleOfRef(r)))) : null;
}

function resolve(ref: string, name: string): Fn {
  const fn = isLocalRef(ref) ? local.get(ref) : modules.get(moduleOfRef(ref))?.[ref.slice(ref.lastIndexOf('#') + 1)];
  if (typeof fn === 'function') return fn as Fn;
  throw new Error(isLocalRef(ref) ? `function ${name} was registered in another thread` : `function ${name}: module ${moduleOfRef(ref)} is not loaded in this thread`);
}

function describe(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : typeof v === 'object' ? Object.prototype.toString.call(v) : String(v);
}

/** A function's result as a SQL value of its declared type; a result of another type fails the row. */
export function toSqlValue(v: unknown, type: SqlType, name: string): unknown {
  if (v === null || v === undefined) return null;
  const wrong = () => new RowError(`${name} returned ${describe(v)} (${typeof v}), not a ${type}`);
  switch (type) {
    case 'VARCHAR':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
      throw wrong();
    case 'INTEGER': case 'BIGINT':
      if (typeof v === 'bigint' && Number.isSafeInteger(Number(v))) return Number(v);
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      throw wrong();
    case 'DOUBLE': case 'DECIMAL':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      throw wrong();
    case 'BOOLEAN':
      if (typeof v === 'boolean') return v;
      throw wrong();
    case 'TIMESTAMP':
      if (v instanceof Date && !Number.isNaN(v.getTime())) return v.getTime();
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      throw wrong();
    default:
      return v;
  }
}

/**
 * A call of a user function: arguments as plain JS values (TIMESTAMP as epoch milliseconds, NULL
 * as null), and a thrown error or a result of the wrong type becomes the row's error.
 */
export function buildUdfCall(name: string, ref: string, args: readonly Reader[], type: SqlType): Reader {
  const fn = resolve(ref, name);
  const values = new Array<unknown>(args.length);
  return (i) => {
    for (let k = 0; k < args.length; k++) values[k] = args[k]!(i);
    let out: unknown;
    try {
      out = fn(...values);
    } catch (e) {
      throw new RowError(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (out !== null && typeof out === 'object' && typeof (out as { then?: unknown }).then === 'function') {
      throw new RowError(`${name} returned a Promise: user-defined functions must return their value`);
    }
    return toSqlValue(out, type, name);
  };
}
