import { parseSql } from '../../src/sql/parse.js';
import { SqlDiagnosticsError, type SqlError } from '../../src/sql/diagnostics.js';
import { ExprBinder } from '../../src/planner/bind-expr.js';
import type { Field } from '../../src/planner/types.js';
import type { UserFunction } from '../../src/planner/user-functions.js';
import type { BindOptions } from '../../src/planner/kda-calls.js';
import { compileExpr } from '../../src/operators/kernels/compile-expr.js';
import { vectorFromValues, type Vector } from '../../src/operators/column-batch.js';

/** Columns every expression test can read: s VARCHAR, n BIGINT, d DOUBLE, ts TIMESTAMP, b BOOLEAN. */
export const FIELDS: readonly Field[] = [
  { name: 's', type: 'VARCHAR' }, { name: 'n', type: 'BIGINT' }, { name: 'd', type: 'DOUBLE' },
  { name: 'ts', type: 'TIMESTAMP' }, { name: 'b', type: 'BOOLEAN' },
];

export interface EvalOptions {
  /** VARCHAR columns as dictionary codes, as decoded records arrive (the per-code memo path). */
  readonly dict?: boolean;
  readonly functions?: ReadonlyMap<string, UserFunction>;
  /** Bind as a KDA application does (clocks read at start, INITCAP by spaces). */
  readonly bind?: BindOptions;
}

/** Binds `SELECT <expr>` against FIELDS, or throws SqlDiagnosticsError. */
export function bindExpr(expr: string, functions?: ReadonlyMap<string, UserFunction>, options?: BindOptions) {
  const sql = `SELECT ${expr} FROM t`;
  const parsed = parseSql(sql);
  if (parsed.diagnostics.length) throw new SqlDiagnosticsError(parsed.diagnostics, sql);
  const st = parsed.statements[0] as { query: { items: { expr: Parameters<ExprBinder['bind']>[0] }[] } };
  const diagnostics: SqlError[] = [];
  const bound = new ExprBinder(diagnostics, functions, options).bind(st.query.items[0]!.expr, { fields: FIELDS, qualifiers: [] });
  if (diagnostics.length) throw new SqlDiagnosticsError(diagnostics, sql);
  return bound;
}

/** Evaluates an expression over rows (missing columns are NULL); a row that fails gives `{ error }`. */
export function evalExpr(expr: string, rows: readonly Record<string, unknown>[] = [{}], opts: EvalOptions = {}): unknown[] {
  const bound = bindExpr(expr, opts.functions, opts.bind);
  const columns: Vector[] = FIELDS.map((f) => {
    const values = rows.map((r) => r[f.name] ?? null);
    if (f.type !== 'VARCHAR' || !opts.dict) return vectorFromValues(values, f.type);
    const dict: string[] = [];
    const codes = Int32Array.from(values, (v) => (v === null ? -1 : dict.includes(v as string) ? dict.indexOf(v as string) : dict.push(v as string) - 1));
    return { kind: 'dict', codes, dict };
  });
  const reader = compileExpr(bound, FIELDS.map((f) => f.type)).bind({ length: rows.length, columns });
  return rows.map((_, i) => {
    try {
      return reader(i);
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
}

/** One expression's value over one row. */
export function evalOne(expr: string, row: Record<string, unknown> = {}, opts: EvalOptions = {}): unknown {
  return evalExpr(expr, [row], opts)[0];
}
