import * as A from '../sql/ast.js';
import { sqlError, nearestName, type SqlError, type Span } from '../sql/diagnostics.js';
import { call, lit, col, type BoundExpr } from './bound-expr.js';
import { comparable, isNumeric, isIntegral, widen, columnTypeOf, type Field, type SqlType } from './types.js';
import { SCALAR_FUNCTIONS, FUNCTION_ALIASES, AGGREGATE_FUNCTIONS, UNIT_FUNCTIONS } from './functions.js';
import { bareFunction, literalProblem, unitArgument } from './bind-call.js';
import type { UserFunction } from './user-functions.js';
import { UNIT_MILLIS } from '../sql/cst-to-ast.js';
import { ROWTIME } from './catalog.js';
import { lookupPath, pathOf } from './resolve-path.js';
import type { AggCall } from './logical/plan.js';
import { parseTimestampLiteral } from '../operators/kernels/timestamps.js';
import { bindQualified, bindStep, castInterval, dialectCall, kdaLiteralProblem, similarProblem, type BindOptions } from './kda-calls.js';
import { bindLogParser, LOG_PARSER_USAGE } from './log-parse-calls.js';
import { LOG_PARSERS } from '../operators/kernels/log-parsers.js';

export { parseTimestampLiteral };

/** The names an expression can see: the input's fields and the qualifiers that name the input. */
export interface Scope {
  readonly fields: readonly Field[];
  readonly qualifiers: readonly A.Ident[];
  /** Fields that exist only after windowing (window_start...): usable in aggregate context only. */
  readonly windowFields?: ReadonlySet<number>;
  /** Where a query's OVER calls have been computed: the column of each (see bind-over.ts). */
  readonly overCall?: (call: A.Call) => BoundExpr | undefined;
}

/** When binding SELECT/HAVING of a grouped query: how group keys and aggregates map to columns. */
export interface AggContext {
  readonly groupKeys: Map<string, BoundExpr>;
  readonly aggs: AggCall[];
  readonly aggOffset: number;
  /** Maps a window field index of the scope to its output column. */
  readonly windowRefs: ReadonlyMap<number, BoundExpr>;
  /** A legacy group window (GROUP BY TUMBLE(ts, ...)): its function and arguments, for TUMBLE_START(ts, ...) and friends. */
  readonly groupWindow?: { readonly fn: string; readonly argsKey: string };
}

const BOOL_OPS = new Set(['AND', 'OR']);
const KDA_AGGREGATES = new Set(['VAR_POP', 'VAR_SAMP', 'STDDEV_POP', 'STDDEV_SAMP', 'EXP_AVG', 'FIRST_VALUE', 'LAST_VALUE']);

/** The scope's ROWTIME column (window columns, which follow it, aside), or -1. */
function rowtimeOf(scope: Scope): number {
  for (let i = scope.fields.length - 1; i >= 0; i--) if (scope.fields[i]!.name === ROWTIME && !scope.windowFields?.has(i)) return i;
  return -1;
}
const CMP_OPS = new Set(['=', '<>', '<', '<=', '>', '>=']);

export class ExprBinder {
  constructor(readonly diagnostics: SqlError[], readonly functions: ReadonlyMap<string, UserFunction> = new Map(), readonly options: BindOptions = {}) {}

  private fail(code: string, message: string, span: Span, hint?: string): BoundExpr {
    this.diagnostics.push(sqlError(code, message, span, hint));
    return lit(null, 'NULL');
  }

  resolveColumn(ref: A.ColumnRef, scope: Scope): number | undefined {
    return this.resolvePath(ref.qualifier ? [ref.qualifier, ref.name] : [ref.name], scope);
  }

  /** `a`, `t.a`, `row.leaf` or `t.row.leaf`: a column of the input or a leaf of a ROW column, or a diagnostic. */
  resolvePath(parts: readonly A.Ident[], scope: Scope): number | undefined {
    const found = lookupPath(parts, scope);
    if (typeof found === 'number') return found;
    this.fail(found.code, found.message, found.span, found.hint);
    return undefined;
  }

  /**
   * Structural identity of an expression as this scope reads it: column references by the column
   * they resolve to, so `t.a` and `a` are one group key while `bid.id` and `person.id` are two.
   */
  key(e: A.Expr, scope: Scope): string {
    return JSON.stringify(e, (k, v) => {
      if (v && typeof v === 'object' && (v.kind === 'column' || v.kind === 'field')) {
        const parts = pathOf(v as A.ColumnRef | A.FieldAccess);
        const found = parts ? lookupPath(parts, scope) : undefined;
        if (typeof found === 'number') return `#column ${found}`;
      }
      return normalizeKey(k, v);
    });
  }

  /** Binds an expression over input rows (no aggregates allowed), or over groups when `agg` is given. */
  bind(e: A.Expr, scope: Scope, agg?: AggContext): BoundExpr {
    if (agg) {
      const key = agg.groupKeys.get(this.key(e, scope));
      if (key) return key;
    }
    switch (e.kind) {
      case 'number': return lit(e.value, Number.isInteger(e.value) && !/[.eE]/.test(e.text) ? (Math.abs(e.value) > 2147483647 ? 'BIGINT' : 'INTEGER') : 'DOUBLE');
      case 'string': return lit(e.value, 'VARCHAR');
      case 'boolean': return lit(e.value, 'BOOLEAN');
      case 'null': return lit(null, 'NULL');
      case 'interval': return lit(e.millis, 'INTERVAL');
      case 'typed-literal': return this.typedLiteral(e);
      case 'column': {
        // `r.COLUMN1` where r is a ROW column, not a stream.
        const rowColumn = e.qualifier && !scope.qualifiers.some((q) => sameName(q, e.qualifier!)) ? scope.fields.findIndex((f) => f.type === 'ROW' && sameName({ ...e.qualifier!, name: f.name, quoted: true }, e.qualifier!)) : -1;
        if (rowColumn >= 0) return this.rowField(col(rowColumn, 'ROW'), e.name, scope);
        const bare = bareFunction(e, scope);
        if (bare) return bare.k === 'call' ? (dialectCall(bare.fn, [], this.options) ?? bare) : bare;
        return this.columnExpr(e, scope, agg);
      }
      // A field of a ROW value (a log parser's result), else a nested ROW column's leaf.
      case 'field': return e.operand.kind === 'call' || this.isRowValue(e.operand, scope) ? this.rowField(this.bind(e.operand, scope, agg), e.field, scope) : this.columnExpr(e, scope, agg);
      case 'binary': return this.binary(e, scope, agg);
      case 'unary': {
        const x = this.bind(e.operand, scope, agg);
        if (e.op === 'NOT') return this.expectBool(x, e.operand.span) ?? call('NOT', [x], 'BOOLEAN');
        if (!isNumeric(x.type) && x.type !== 'INTERVAL') return this.fail('SQL_TYPE', `cannot negate ${x.type}`, e.span);
        return e.op === '-' ? call('NEG', [x], x.type) : x;
      }
      case 'is-null': return call(e.negated ? 'IS_NOT_NULL' : 'IS_NULL', [this.bind(e.operand, scope, agg)], 'BOOLEAN');
      case 'in': {
        const x = this.bind(e.operand, scope, agg);
        const list = e.list.map((l) => this.coerceTo(this.bind(l, scope, agg), x.type, l.span));
        const r = call('IN', [x, ...list], 'BOOLEAN');
        return e.negated ? call('NOT', [r], 'BOOLEAN') : r;
      }
      case 'between': {
        const x = this.bind(e.operand, scope, agg);
        const lo = this.coerceTo(this.bind(e.low, scope, agg), x.type, e.low.span);
        const hi = this.coerceTo(this.bind(e.high, scope, agg), x.type, e.high.span);
        const r = call('AND', [call('>=', [x, lo], 'BOOLEAN'), call('<=', [x, hi], 'BOOLEAN')], 'BOOLEAN');
        return e.negated ? call('NOT', [r], 'BOOLEAN') : r;
      }
      case 'like': {
        const x = this.bind(e.operand, scope, agg);
        const p = this.bind(e.pattern, scope, agg);
        const op = e.similar ? 'SIMILAR TO' : 'LIKE';
        if (x.type !== 'VARCHAR' && x.type !== 'NULL') return this.fail('SQL_TYPE', `${op} needs a string, got ${x.type}`, e.operand.span);
        const esc = e.escape ? this.bind(e.escape, scope, agg) : undefined;
        const args = [x, p, ...(esc ? [esc] : [])];
        const bad = e.similar ? similarProblem(p, esc, false) : undefined;
        if (bad) return this.fail('SQL_BAD_CALL', bad, e.pattern.span, "SIMILAR TO patterns use % and _ like LIKE, and | * + ? {m,n} ( ) [...] like regular expressions");
        const r = call(e.similar ? 'SIMILAR' : 'LIKE', args, 'BOOLEAN');
        return e.negated ? call('NOT', [r], 'BOOLEAN') : r;
      }
      case 'case': return this.caseExpr(e, scope, agg);
      case 'cast': {
        const x = this.bind(e.operand, scope, agg);
        const t = columnTypeOf(e.type);
        if (!t) return this.fail('SQL_BAD_TYPE', `unknown type ${e.type.name}`, e.type.span);
        if (x.type === 'INTERVAL') {
          const r = castInterval(e.operand, x, t);
          if (r) return r;
        }
        return call('CAST', [x, lit(e.type.params[0] ?? null, 'INTEGER')], t);
      }
      case 'call': return this.callExpr(e, scope, agg);
      case 'floor-to': {
        const x = this.bind(e.operand, scope, agg);
        if (x.type !== 'TIMESTAMP') return this.fail('SQL_TYPE', `${e.fn}(... TO ${e.unit}) needs a TIMESTAMP, got ${x.type}`, e.operand.span);
        return call(e.fn === 'FLOOR' ? 'FLOOR_TIME' : 'CEIL_TIME', [x, lit(e.unit, 'VARCHAR')], 'TIMESTAMP');
      }
      case 'step': {
        const r = bindStep(e, this.bind(e.operand, scope, agg), this.bind(e.interval, scope, agg));
        return typeof r === 'string' ? this.fail('SQL_TYPE', r, e.interval.span, "STEP(ROWTIME BY INTERVAL '10' SECOND) or STEP(n BY 5)") : r;
      }
      case 'interval-qualify': {
        const r = bindQualified(e, this.bind(e.operand, scope, agg));
        return typeof r === 'string' ? this.fail('SQL_TYPE', r, e.span) : r;
      }
      case 'trim': {
        const x = this.bind(e.operand, scope, agg);
        const chars = e.chars ? this.bind(e.chars, scope, agg) : lit(' ', 'VARCHAR');
        return call('TRIM', [x, chars, lit(e.side, 'VARCHAR')], 'VARCHAR');
      }
      case 'position': return call('POSITION', [this.bind(e.needle, scope, agg), this.bind(e.haystack, scope, agg)], 'INTEGER');
      case 'extract': {
        const x = this.bind(e.operand, scope, agg);
        if (x.type !== 'TIMESTAMP') return this.fail('SQL_TYPE', `EXTRACT needs a TIMESTAMP, got ${x.type}`, e.operand.span);
        return call('EXTRACT', [lit(e.unit, 'VARCHAR'), x], 'BIGINT');
      }
      default: return A.assertNever(e, 'expression');
    }
  }

  private columnExpr(e: A.ColumnRef | A.FieldAccess, scope: Scope, agg?: AggContext): BoundExpr {
    const parts = pathOf(e);
    if (!parts) return this.fail('SQL_UNSUPPORTED', 'only ROW columns have fields here', e.span, 'name the field through its column: row_column.field');
    const i = this.resolvePath(parts, scope);
    if (i === undefined) return lit(null, 'NULL');
    if (agg) {
      const w = agg.windowRefs.get(i);
      if (w) return w;
      return this.fail('SQL_NOT_GROUPED', `column ${parts.map(show).join('.')} must appear in GROUP BY or be used in an aggregate function`, e.span);
    }
    if (scope.windowFields?.has(i)) return this.fail('SQL_WINDOW_COLUMN', `${scope.fields[i]!.name} is only known after grouping by window`, e.span, 'use it in the SELECT list of a query that groups by window_start, window_end');
    return col(i, scope.fields[i]!.type);
  }

  /** Flink's processing-time attribute: the row's arrival time, which is ROWTIME here. */
  private proctime(e: A.Call, scope: Scope, agg?: AggContext): BoundExpr {
    if (e.args.length || e.star || e.distinct) return this.fail('SQL_BAD_CALL', 'PROCTIME() takes no arguments', e.span);
    if (agg) return this.fail('SQL_AGG_CONTEXT', 'PROCTIME() is the arrival time of a row, not of a group', e.span, 'use window_end or window_time');
    let i = scope.fields.length - 1;
    while (i >= 0 && (scope.fields[i]!.name !== ROWTIME || scope.windowFields?.has(i))) i--;
    if (i < 0) return this.fail('SQL_BAD_CALL', 'PROCTIME() needs a stream with ROWTIME', e.span);
    return col(i, 'TIMESTAMP');
  }

  private typedLiteral(e: A.TypedLit): BoundExpr {
    if (e.type === 'TIMESTAMP' || e.type === 'DATE') {
      const ms = parseTimestampLiteral(e.value);
      if (ms === undefined) return this.fail('SQL_BAD_LITERAL', `cannot read ${e.type} '${e.value}'`, e.span, "write TIMESTAMP '2026-11-25 10:00:00'");
      return lit(ms, 'TIMESTAMP');
    }
    return this.fail('SQL_BAD_LITERAL', `unknown literal type ${e.type}`, e.span);
  }

  private binary(e: A.Binary, scope: Scope, agg?: AggContext): BoundExpr {
    let l = this.bind(e.left, scope, agg);
    let r = this.bind(e.right, scope, agg);
    if (BOOL_OPS.has(e.op)) {
      this.expectBool(l, e.left.span);
      this.expectBool(r, e.right.span);
      return call(e.op, [l, r], 'BOOLEAN');
    }
    if (CMP_OPS.has(e.op)) {
      if (l.type === 'TIMESTAMP') r = this.coerceTo(r, 'TIMESTAMP', e.right.span);
      if (r.type === 'TIMESTAMP') l = this.coerceTo(l, 'TIMESTAMP', e.left.span);
      if (!comparable(l.type, r.type)) return this.fail('SQL_TYPE', `cannot compare ${l.type} with ${r.type}`, e.span);
      return call(e.op, [l, r], 'BOOLEAN');
    }
    if (e.op === '||') return call('CONCAT', [l, r], 'VARCHAR');
    const t = arithmeticType(e.op, l.type, r.type);
    if (!t) return this.fail('SQL_TYPE', `cannot apply ${e.op} to ${l.type} and ${r.type}`, e.span);
    const fn = e.op === '/' && isIntegral(t) ? 'IDIV' : e.op;
    return call(fn, [l, r], t);
  }

  private caseExpr(e: A.CaseExpr, scope: Scope, agg?: AggContext): BoundExpr {
    const operand = e.operand ? this.bind(e.operand, scope, agg) : undefined;
    const whens = e.whens.map((w) => {
      const cond = operand ? call('=', [operand, this.bind(w.when, scope, agg)], 'BOOLEAN') : this.bind(w.when, scope, agg);
      return [cond, this.bind(w.then, scope, agg)] as const;
    });
    const els = e.else ? this.bind(e.else, scope, agg) : null;
    const types = [...whens.map(([, t]) => t.type), ...(els ? [els.type] : [])];
    let type: SqlType = types.find((t) => t !== 'NULL') ?? 'NULL';
    for (const t of types) {
      if (t === 'NULL' || t === type) continue;
      if (isNumeric(t) && isNumeric(type)) type = widen(t, type);
      else return this.fail('SQL_TYPE', `CASE branches have different types: ${type} and ${t}`, e.span);
    }
    return { k: 'case', whens, else: els, type };
  }

  private callExpr(e: A.Call, scope: Scope, agg?: AggContext): BoundExpr {
    const name = FUNCTION_ALIASES[e.name] ?? e.name;
    if (e.over) return scope.overCall?.(e) ?? this.fail('SQL_UNSUPPORTED', `${name}(...) OVER (...) is only supported in the SELECT list of a query without GROUP BY`, e.span);
    const property = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME)$/.exec(name);
    if (property) return this.windowProperty(e, property[1]!, property[2]!, scope, agg);
    if (e.filter && !AGGREGATE_FUNCTIONS.has(name)) return this.fail('SQL_BAD_CALL', `FILTER (WHERE ...) applies to aggregate functions, not ${name}`, e.filter.span);
    if (name === 'PROCTIME') return this.proctime(e, scope, agg);
    if (AGGREGATE_FUNCTIONS.has(name)) {
      if (!agg) return this.fail('SQL_AGG_CONTEXT', `aggregate ${name} is not allowed here`, e.span, 'aggregates belong in SELECT or HAVING of a grouped query');
      const noAgg: AggContext | undefined = undefined;
      let filter: BoundExpr | undefined;
      if (e.filter) {
        filter = this.bind(e.filter, scope, noAgg);
        this.expectBool(filter, e.filter.span);
      }
      const withFilter = (a: AggCall): AggCall => (filter ? { ...a, filter } : a);
      if (e.star) {
        if (name !== 'COUNT') return this.fail('SQL_BAD_CALL', `${name}(*) is not valid`, e.span);
        return this.addAgg(agg, withFilter({ fn: 'COUNT_STAR', arg: null, type: 'BIGINT' }));
      }
      if (KDA_AGGREGATES.has(name)) return this.kdaAggregate(e, name, scope, agg, withFilter);
      if (e.ignoreNulls) return this.fail('SQL_BAD_CALL', `${name} takes no IGNORE NULLS`, e.span, 'FIRST_VALUE and LAST_VALUE do');
      if (e.args.length !== 1) return this.fail('SQL_BAD_CALL', `${name} takes one argument`, e.span);
      const arg = this.bind(e.args[0]!, { ...scope, windowFields: scope.windowFields }, noAgg);
      if (name === 'COUNT') return this.addAgg(agg, withFilter({ fn: e.distinct ? 'COUNT_DISTINCT' : 'COUNT', arg, type: 'BIGINT' }));
      if (e.distinct) return this.fail('SQL_UNSUPPORTED', `${name}(DISTINCT ...) is not supported`, e.span, 'COUNT(DISTINCT x) is');
      if ((name === 'SUM' || name === 'AVG') && !isNumeric(arg.type)) return this.fail('SQL_TYPE', `${name} needs a number, got ${arg.type}`, e.args[0]!.span);
      const type: SqlType = name === 'AVG' ? 'DOUBLE' : name === 'SUM' ? (isIntegral(arg.type) ? 'BIGINT' : arg.type === 'NULL' ? 'BIGINT' : arg.type) : arg.type;
      return this.addAgg(agg, withFilter({ fn: name as 'SUM' | 'AVG' | 'MIN' | 'MAX', arg, type }));
    }
    if (name === 'SUBSTRING_SIMILAR') return this.substringSimilar(e, scope, agg);
    if (LOG_PARSERS.has(name)) {
      const r = bindLogParser(name, e.args.map((a) => this.bind(a, scope, agg)));
      return typeof r === 'string' ? this.fail('SQL_BAD_CALL', r, e.span, LOG_PARSER_USAGE[name]) : r;
    }
    const sig = SCALAR_FUNCTIONS[name];
    const user = this.functions.get(name);
    if (!sig && !user) {
      const near = nearestName(e.name, [...Object.keys(SCALAR_FUNCTIONS), ...AGGREGATE_FUNCTIONS, ...[...this.functions.values()].map((f) => f.name)]);
      return this.fail('SQL_UNKNOWN_FUNCTION', `unknown function ${e.name}`, e.span, near ? `did you mean ${near}?` : undefined);
    }
    if (e.star || e.distinct) return this.fail('SQL_BAD_CALL', `${name} takes no ${e.star ? '*' : 'DISTINCT'}`, e.span);
    if (e.ignoreNulls) return this.fail('SQL_BAD_CALL', `${name} takes no IGNORE NULLS`, e.span, 'FIRST_VALUE and LAST_VALUE do');
    const unit = UNIT_FUNCTIONS.has(name) ? unitArgument(e.args[0]) : undefined;
    if (typeof unit === 'string') return this.fail('SQL_BAD_UNIT', `${name} ${unit}`, e.args[0]?.span ?? e.span);
    const args = e.args.map((a, k) => (unit && k === 0 ? unit : this.bind(a, scope, agg)));
    if (user) return call(name, args, user.returns, { name: user.name, ref: user.ref, deterministic: user.deterministic });
    const t = sig!(args.map((a) => a.type));
    if (t.includes(' ')) return this.fail('SQL_BAD_CALL', `${name} ${t}`, e.span);
    const bad = literalProblem(name, args) ?? kdaLiteralProblem(name, args);
    if (bad) return this.fail('SQL_BAD_CALL', bad[1], e.args[bad[0]]!.span, bad[2]);
    return dialectCall(name, args, this.options) ?? call(name, args, t as SqlType);
  }

  /** A field of a ROW value (a log parser's result): `t.rec.COLUMN1`. */
  /** Whether an expression names a ROW-typed field (a log parser's result), not a nested column's path. */
  private isRowValue(e: A.Expr, scope: Scope): boolean {
    if (e.kind !== 'column') return false;
    return scope.fields.some((f) => f.type === 'ROW' && sameName({ ...e.name, name: f.name, quoted: true }, e.name));
  }

  private rowField(row: BoundExpr, field: A.Ident, scope: Scope): BoundExpr {
    const shape = row.k === 'call' ? row.row : row.k === 'col' ? scope.fields[row.index]?.row : undefined;
    if (row.type !== 'ROW' || !shape) return this.fail('SQL_TYPE', `${field.name} is read as a field, but what it is read from is ${row.type}, not a ROW`, field.span);
    const at = shape.findIndex((f) => sameName({ ...field, name: f.name, quoted: true }, field));
    if (at < 0) return this.fail('SQL_UNKNOWN_COLUMN', `the ROW has no field ${show(field)}`, field.span, `its fields are ${shape.map((f) => f.name).join(', ')}`);
    return call('ROW_FIELD', [row, lit(shape[at]!.name, 'VARCHAR'), lit(at, 'INTEGER')], shape[at]!.type);
  }

  /** SUBSTRING(s SIMILAR 'a#"b#"c' ESCAPE '#'): the part of s between the markers, when the whole pattern matches. */
  private substringSimilar(e: A.Call, scope: Scope, agg?: AggContext): BoundExpr {
    const args = e.args.map((a) => this.bind(a, scope, agg));
    if (args.length !== 3 || args.some((a) => a.type !== 'VARCHAR' && a.type !== 'NULL')) return this.fail('SQL_BAD_CALL', `SUBSTRING ... SIMILAR takes strings, got (${args.map((a) => a.type).join(', ')})`, e.span);
    const bad = similarProblem(args[1]!, args[2]!, true);
    if (bad) return this.fail('SQL_BAD_CALL', bad, e.args[1]!.span, `SUBSTRING(s SIMILAR '%#"[0-9]+#"%' ESCAPE '#')`);
    return call('SUBSTRING_SIMILAR', args, 'VARCHAR');
  }

  /**
   * KDA's aggregates: VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP over numbers; EXP_AVG(x, half-life),
   * FIRST_VALUE and LAST_VALUE, which read each row's value with its ROWTIME.
   */
  private kdaAggregate(e: A.Call, name: string, scope: Scope, agg: AggContext, withFilter: (a: AggCall) => AggCall): BoundExpr {
    const expAvg = name === 'EXP_AVG';
    const firstLast = name === 'FIRST_VALUE' || name === 'LAST_VALUE';
    const usage = expAvg ? "EXP_AVG(number, INTERVAL '10' SECOND)" : `${name}(${firstLast ? 'value' : 'number'})`;
    if (e.args.length !== (expAvg ? 2 : 1) || e.distinct) return this.fail('SQL_BAD_CALL', `${name} takes ${expAvg ? 'a number and a half-life INTERVAL' : 'one argument'}`, e.span, usage);
    if (e.ignoreNulls && !firstLast) return this.fail('SQL_BAD_CALL', `${name} takes no IGNORE NULLS`, e.span, 'FIRST_VALUE and LAST_VALUE do');
    const arg = this.bind(e.args[0]!, scope);
    if (!firstLast && !isNumeric(arg.type)) return this.fail('SQL_TYPE', `${name} needs a number, got ${arg.type}`, e.args[0]!.span);
    if (!expAvg && !firstLast) return this.addAgg(agg, withFilter({ fn: name as AggCall['fn'], arg, type: 'DOUBLE' }));
    const rowtime = rowtimeOf(scope);
    if (rowtime < 0) return this.fail('SQL_UNSUPPORTED', `${name} needs the rows' ROWTIME, and this query has none`, e.span);
    const timed = call('AGG_TIMED', [arg, col(rowtime, 'TIMESTAMP'), lit(firstLast && !e.ignoreNulls, 'BOOLEAN')], arg.type);
    if (!expAvg) return this.addAgg(agg, withFilter({ fn: name as AggCall['fn'], arg: timed, type: arg.type === 'NULL' ? 'VARCHAR' : arg.type }));
    const half = e.args[1]!;
    if (half.kind !== 'interval' || half.millis <= 0) return this.fail('SQL_BAD_CALL', "EXP_AVG's half-life must be a positive INTERVAL literal", half.span, usage);
    return this.addAgg(agg, withFilter({ fn: 'EXP_AVG', arg: timed, type: 'DOUBLE', halfLifeMs: half.millis }));
  }

  /** TUMBLE_START(ts, size) and friends: the start, end or last instant of the query's group window. */
  private windowProperty(e: A.Call, fn: string, part: string, scope: Scope, agg?: AggContext): BoundExpr {
    const gw = agg?.groupWindow;
    if (!gw) return this.fail('SQL_WINDOW_GROUP', `${e.name} needs GROUP BY ${fn}(...)`, e.span, `add ${fn}(${e.args.length ? '...' : 'ts, INTERVAL ...'}) to GROUP BY`);
    if (gw.fn !== fn || gw.argsKey !== e.args.map((a) => this.key(a, scope)).join(',')) {
      return this.fail('SQL_WINDOW_GROUP', `${e.name}(...) must name the GROUP BY window with the same arguments`, e.span, `the query groups by ${gw.fn}(...)`);
    }
    if (part === 'START') return col(0, 'TIMESTAMP');
    if (part === 'END') return col(1, 'TIMESTAMP');
    return call('-', [col(1, 'TIMESTAMP'), lit(1, 'INTERVAL')], 'TIMESTAMP');
  }

  private addAgg(agg: AggContext, a: AggCall): BoundExpr {
    const same = agg.aggs.findIndex((x) => JSON.stringify(x) === JSON.stringify(a));
    if (same >= 0) return col(agg.aggOffset + same, a.type);
    agg.aggs.push(a);
    return col(agg.aggOffset + agg.aggs.length - 1, a.type);
  }

  expectBool(x: BoundExpr, span: Span): BoundExpr | undefined {
    if (x.type !== 'BOOLEAN' && x.type !== 'NULL') return this.fail('SQL_TYPE', `expected a BOOLEAN condition, got ${x.type}`, span);
    return undefined;
  }

  /** Implicit casts the way SQL engines do them: a string literal compared with a timestamp becomes one. */
  coerceTo(x: BoundExpr, t: SqlType, span: Span): BoundExpr {
    if (x.type === t || x.type === 'NULL') return x;
    if (t === 'TIMESTAMP' && x.k === 'lit' && typeof x.value === 'string') {
      const ms = parseTimestampLiteral(x.value);
      if (ms === undefined) return this.fail('SQL_BAD_LITERAL', `cannot read '${x.value}' as a TIMESTAMP`, span);
      return lit(ms, 'TIMESTAMP');
    }
    if (isNumeric(t) && isNumeric(x.type)) return x;
    if (!comparable(x.type, t)) return this.fail('SQL_TYPE', `expected ${t}, got ${x.type}`, span);
    return x;
  }
}

function arithmeticType(op: string, l: SqlType, r: SqlType): SqlType | undefined {
  if (isNumeric(l) && isNumeric(r)) return widen(l, r);
  if (op === '+' && ((l === 'TIMESTAMP' && r === 'INTERVAL') || (l === 'INTERVAL' && r === 'TIMESTAMP'))) return 'TIMESTAMP';
  if (op === '-' && l === 'TIMESTAMP' && r === 'INTERVAL') return 'TIMESTAMP';
  if (op === '-' && l === 'TIMESTAMP' && r === 'TIMESTAMP') return 'INTERVAL';
  if ((op === '+' || op === '-') && l === 'INTERVAL' && r === 'INTERVAL') return 'INTERVAL';
  if ((op === '*' || op === '/') && l === 'INTERVAL' && isNumeric(r)) return 'INTERVAL';
  if (op === '*' && isNumeric(l) && r === 'INTERVAL') return 'INTERVAL';
  return undefined;
}

export function sameName(a: A.Ident, b: A.Ident): boolean {
  if (a.quoted && b.quoted) return a.name === b.name;
  return a.name.toLowerCase() === b.name.toLowerCase();
}

export function show(id: A.Ident): string {
  return id.quoted ? `"${id.name}"` : id.name;
}

/** Structural identity of an expression, ignoring spans and the case of unquoted names. */
export function exprKey(e: A.Expr): string {
  return JSON.stringify(e, normalizeKey);
}

function normalizeKey(k: string, v: unknown): unknown {
  if (k === 'span' || k === 'qualifier') return undefined;
  if (v && typeof v === 'object' && (v as A.Ident).kind === 'ident') return (v as A.Ident).quoted ? `"${(v as A.Ident).name}"` : String((v as A.Ident).name).toLowerCase();
  return v;
}

export function unitMillis(unit: A.TimeUnit): number {
  return UNIT_MILLIS[unit];
}
