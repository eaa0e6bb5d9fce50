import type { BoundExpr } from './bound-expr.js';
import type { QueryPlan } from './physical.js';
import { NO_SPAN } from '../sql/diagnostics.js';
import { columnTypeOf, type SqlType } from './types.js';

/**
 * A JavaScript user-defined function as the catalog knows it. `ref` is what a plan carries to find
 * it again in any thread: `<module URL>#<export>` for a function of a module (CREATE FUNCTION), which
 * every worker imports itself, or `local:<n>:<name>` for one handed to `Sluice.registerFunction`,
 * which exists only in the thread that registered it.
 */
export interface UserFunction {
  readonly name: string;
  readonly returns: SqlType;
  readonly ref: string;
  readonly deterministic: boolean;
}

/** Where a plan's call of a user function points, kept on the bound call (plain JSON). */
export interface UdfRef {
  /** The name the function was created or registered with, for messages. */
  readonly name: string;
  readonly ref: string;
  readonly deterministic: boolean;
}

export const LOCAL_PREFIX = 'local:';

export function isLocalRef(ref: string): boolean {
  return ref.startsWith(LOCAL_PREFIX);
}

/** The module URL of a module function's ref. */
export function moduleOfRef(ref: string): string {
  return ref.slice(0, ref.lastIndexOf('#'));
}

/** A declared return type ('BIGINT', 'STRING', ...), VARCHAR when none is declared, or an error message. */
export function declaredReturnType(declared: unknown): SqlType | { error: string } {
  if (declared === undefined || declared === null) return 'VARCHAR';
  const name = typeof declared === 'string' ? declared.trim().toUpperCase().replace(/\(.*\)$/, '') : '';
  const t = name ? columnTypeOf({ kind: 'type-name', name, params: [], span: NO_SPAN }) : undefined;
  return t ?? { error: `return type ${JSON.stringify(declared)} is not a SQL type (use 'BIGINT', 'DOUBLE', 'VARCHAR', 'BOOLEAN' or 'TIMESTAMP')` };
}

function refsIn(e: BoundExpr | null | undefined, out: Set<string>): void {
  if (!e) return;
  switch (e.k) {
    case 'col': case 'lit': return;
    case 'call':
      if (e.udf) out.add(e.udf.ref);
      for (const a of e.args) refsIn(a, out);
      return;
    case 'case':
      for (const [w, t] of e.whens) { refsIn(w, out); refsIn(t, out); }
      refsIn(e.else, out);
  }
}

/** Every user function a plan calls, in any of its stages. */
export function functionRefs(plan: QueryPlan): string[] {
  const out = new Set<string>();
  for (const e of [plan.where, plan.having, plan.rowtime, ...plan.keys, ...plan.outputs]) refsIn(e, out);
  for (const a of plan.aggs) {
    refsIn(a.arg, out);
    refsIn(a.filter, out);
  }
  return [...out];
}

/** The name of a function of this thread (Sluice.registerFunction) the plan calls, if any: such a plan runs here, not on workers. */
export function inProcessFunction(plan: QueryPlan): string | undefined {
  const ref = functionRefs(plan).find(isLocalRef);
  return ref?.slice(ref.indexOf(':', LOCAL_PREFIX.length) + 1);
}
