import * as A from '../sql/ast.js';
import { sqlError, nearestName, type SqlError, type Span } from '../sql/diagnostics.js';
import { col, call, lit, type BoundExpr } from './bound-expr.js';
import { ExprBinder, show, unitMillis, type AggContext, type Scope } from './bind-expr.js';
import { nameKey, ROWTIME, type Catalog, type StreamDef } from './catalog.js';
import * as L from './logical/plan.js';
import { isNumeric, widen, type Field, type SqlType } from './types.js';
import { bindOverQuery, bindTopN, containsOver, topNShape, type BoundPost } from './bind-over.js';
import { AGGREGATE_FUNCTIONS, FUNCTION_ALIASES } from './functions.js';
import { intervalMonths, type BindOptions } from './kda-calls.js';
import { kdaName } from './kda-names.js';
import { bindOrder } from './bind-order.js';

export interface BoundQuery {
  readonly plan: L.LogicalPlan;
  readonly source: StreamDef;
  /** Output columns, as named in the SELECT list. */
  readonly fields: readonly Field[];
  /** OVER aggregates, a Top-N or a dedup: operators after the row stage (whose rows `plan` projects). */
  readonly post?: BoundPost;
}

/** A view, or a common table expression: its query is bound afresh wherever it is read. */
export interface ViewDef {
  readonly name: A.Ident;
  readonly columns: readonly A.Ident[];
  readonly query: A.Query;
}

/** What binding needs beyond the streams: views, and a way to run a query that cannot be read inline. */
export interface BindContext {
  readonly catalog: Catalog;
  /** The application's dialect (KDA: upper-cased output names, clocks read at start) and start time. */
  readonly options?: BindOptions;
  view(name: A.Ident): ViewDef | undefined;
  /**
   * Runs a bound query as its own continuous query writing into a new internal stream (or into
   * `into`, one such stream made before), and returns that stream; undefined once it has
   * reported why it cannot.
   */
  materialize(bound: BoundQuery, label: string, span: Span, diagnostics: SqlError[], into?: StreamDef): StreamDef | undefined;
}

/** Common table expressions in scope, innermost last; each binds in the scope it was defined in. */
type Ctes = ReadonlyMap<string, { readonly def: ViewDef; readonly outer: Ctes }>;

const WINDOW_COLUMNS = ['window_start', 'window_end', 'window_time'];

/**
 * Binds a query against the catalog and builds its logical plan: scan, filter, window, aggregate,
 * project. A subquery, view or common table read in FROM is inlined when it only filters and
 * projects (its expressions replace its columns, and the query scans its source); otherwise it
 * runs as its own query into an internal stream that this one reads. UNION ALL is such a stream,
 * fed by each branch.
 */
export function bindQuery(query: A.Query, ctx: BindContext, diagnostics: SqlError[], ctes: Ctes = new Map()): BoundQuery | undefined {
  switch (query.kind) {
    case 'with': {
      const scoped = new Map(ctes);
      for (const c of query.ctes) scoped.set(nameKey(c.name.name, c.name.quoted), { def: { name: c.name, columns: c.columns, query: c.query }, outer: scoped });
      return bindQuery(query.body, ctx, diagnostics, scoped);
    }
    case 'set-op': return bindUnion(query, ctx, diagnostics, ctes);
    case 'ordered': {
      const bound = bindQuery(query.body, ctx, diagnostics, ctes);
      return bound && bindOrder(query, bound, diagnostics);
    }
    case 'select': return bindSelect(query, ctx, diagnostics, ctes);
    default: return A.assertNever(query, 'query');
  }
}

/** The relation a SELECT reads: a stream, seen directly or through inlined filters and projections. */
interface Relation {
  readonly source: StreamDef;
  /** The columns the query sees, ROWTIME last. */
  readonly fields: readonly Field[];
  /** Per visible column, its expression over the source's columns (absent: the source's own columns). */
  readonly exprs?: readonly BoundExpr[];
  /** Rows of the source the relation keeps, over the source's columns. */
  readonly where?: BoundExpr;
  readonly name: A.Ident;
}

function streamRelation(def: StreamDef, name: A.Ident): Relation {
  return { source: def, fields: def.fields, name };
}

/** Resolves a FROM name: a common table, then a view, then a stream. */
function resolveName(name: A.Ident, ctx: BindContext, diagnostics: SqlError[], ctes: Ctes): Relation | undefined {
  const cte = ctes.get(nameKey(name.name, name.quoted)) ?? (name.quoted ? undefined : [...ctes].find(([k]) => k.toLowerCase() === name.name.toLowerCase())?.[1]);
  const view = cte?.def ?? ctx.view(name);
  if (view) return relationOf(view.query, view.columns, name, ctx, diagnostics, cte?.outer ?? new Map());
  const def = ctx.catalog.get(name.name, name.quoted);
  if (def) return streamRelation(def, name);
  const near = nearestName(name.name, [...ctx.catalog.names(), ...[...ctes.values()].map((c) => c.def.name.name)]);
  diagnostics.push(sqlError('SQL_UNKNOWN_STREAM', `unknown stream ${show(name)}`, name.span, near ? `did you mean ${near}?` : 'declare it with CREATE STREAM name (columns) first, or discover its columns from a file with sluice run/explain --input NAME=FILE'));
  return undefined;
}

/** A query read in FROM: inlined when it only filters and projects a stream, else materialized. */
function relationOf(q: A.Query, columns: readonly A.Ident[], name: A.Ident, ctx: BindContext, diagnostics: SqlError[], ctes: Ctes): Relation | undefined {
  const bound = bindQuery(q, ctx, diagnostics, ctes);
  if (!bound) return undefined;
  if (columns.length && columns.length !== bound.fields.length) {
    diagnostics.push(sqlError('SQL_COLUMN_COUNT', `${show(name)} names ${columns.length} columns but its query returns ${bound.fields.length}`, columns[0]!.span));
    return undefined;
  }
  const renamed = columns.length ? bound.fields.map((f, i) => ({ ...f, name: columns[i]!.name })) : bound.fields;
  const inline = bound.post ? undefined : inlineShape(bound.plan);
  if (inline) {
    return { source: bound.source, fields: [...renamed, { name: ROWTIME, type: 'TIMESTAMP' }], exprs: [...inline.exprs, inline.rowtime], ...(inline.where ? { where: inline.where } : {}), name };
  }
  const row = renamed.find((f) => f.type === 'ROW');
  if (row) {
    diagnostics.push(sqlError('SQL_ROW_VALUE', `${show(name)} returns the ROW value ${row.name}, and only a subquery that filters and projects can pass one on`, name.span,
      `read its fields where it is made: SELECT ${name.name}.${row.name}.COLUMN1 ... FROM (SELECT ... AS ${row.name} FROM ...) AS ${name.name}`));
    return undefined;
  }
  const def = ctx.materialize({ ...bound, fields: renamed }, name.name, name.span, diagnostics);
  return def ? streamRelation(def, name) : undefined;
}

/** A plan that is project(filter*(scan)) of a stream's whole row: what can be read inline. */
function inlineShape(plan: L.LogicalPlan): { exprs: readonly BoundExpr[]; rowtime: BoundExpr; where?: BoundExpr } | undefined {
  if (plan.kind !== 'project') return undefined;
  let where: BoundExpr | undefined;
  let p: L.LogicalPlan = plan.input;
  while (p.kind === 'filter') {
    where = where ? call('AND', [p.predicate, where], 'BOOLEAN') : p.predicate;
    p = p.input;
  }
  if (p.kind !== 'scan' || p.columns.some((c, i) => c !== i)) return undefined;
  return { exprs: plan.exprs, rowtime: plan.rowtime, ...(where ? { where } : {}) };
}

/** Replaces column references of an expression over a relation by the relation's expressions over its source. */
function substitute(e: BoundExpr, exprs: readonly BoundExpr[], width: number, sourceWidth: number): BoundExpr {
  switch (e.k) {
    // Columns past the relation's (window_start, ...) follow the source's instead.
    case 'col': return e.index < width ? exprs[e.index]! : { ...e, index: sourceWidth + (e.index - width) };
    case 'lit': return e;
    case 'call': return { ...e, args: e.args.map((a) => substitute(a, exprs, width, sourceWidth)) };
    case 'case': return { ...e, whens: e.whens.map(([w, t]) => [substitute(w, exprs, width, sourceWidth), substitute(t, exprs, width, sourceWidth)] as const), else: e.else ? substitute(e.else, exprs, width, sourceWidth) : null };
  }
}

/** UNION ALL: every branch writes into one internal stream, which the query reads. */
function bindUnion(q: A.SetOperation, ctx: BindContext, diagnostics: SqlError[], ctes: Ctes): BoundQuery | undefined {
  if (!q.all) {
    diagnostics.push(sqlError('SQL_UNSUPPORTED', 'UNION without ALL (which removes duplicates) is not supported yet', q.span, 'write UNION ALL, or SELECT DISTINCT over it'));
    return undefined;
  }
  const branches: A.Query[] = [];
  const flatten = (x: A.Query): void => {
    if (x.kind === 'set-op' && x.all) {
      flatten(x.left);
      flatten(x.right);
    } else branches.push(x);
  };
  flatten(q);
  const bound = branches.map((b) => bindQuery(b, ctx, diagnostics, ctes));
  if (bound.some((b) => !b)) return undefined;
  const first = bound[0]!;
  for (let i = 1; i < bound.length; i++) {
    const b = bound[i]!;
    if (b.fields.length !== first.fields.length) {
      diagnostics.push(sqlError('SQL_UNION_ARITY', `UNION ALL branches return ${first.fields.length} and ${b.fields.length} columns`, branches[i]!.span));
      return undefined;
    }
    b.fields.forEach((f, c) => {
      const t = first.fields[c]!.type;
      if (f.type !== t && !(isNumeric(f.type) && isNumeric(t)) && f.type !== 'NULL' && t !== 'NULL') {
        diagnostics.push(sqlError('SQL_TYPE', `UNION ALL column ${c + 1} is ${t} in the first branch and ${f.type} here`, branches[i]!.span));
      }
    });
  }
  if (diagnostics.length) return undefined;
  const fields = first.fields.map((f, c) => ({ name: f.name, type: bound.reduce<SqlType>((t, b) => (t === 'NULL' ? b!.fields[c]!.type : isNumeric(t) && isNumeric(b!.fields[c]!.type) ? widen(t, b!.fields[c]!.type) : t), 'NULL') }));
  let def: StreamDef | undefined;
  for (const b of bound) {
    def = ctx.materialize({ ...b!, fields }, 'union', q.span, diagnostics, def);
    if (!def) return undefined;
  }
  const exprs = fields.map((f, i) => col(i, f.type));
  return { plan: L.project(L.scan(def!.name, def!.fields.map((_, i) => i), def!.fields), exprs, fields.map((f) => f.name), col(fields.length, 'TIMESTAMP')), source: def!, fields };
}

/**
 * SELECT DISTINCT is a GROUP BY of every selected expression: a row is emitted the first time it is
 * seen, and never again (Flink's semantics; without a time window the result still never closes).
 */
function distinctAsGroupBy(q: A.Select, diagnostics: SqlError[]): A.Select | undefined {
  if (!q.distinct || q.groupBy.length || q.items.some((i) => i.kind === 'select-item' && containsAggregate(i.expr))) return q;
  const star = q.items.find((i) => i.kind === 'star');
  if (star) {
    diagnostics.push(sqlError('SQL_UNSUPPORTED', 'SELECT DISTINCT * is not supported', star.span, 'list the columns: SELECT DISTINCT a, b FROM ...'));
    return undefined;
  }
  return { ...q, distinct: false, groupBy: q.items.map((i) => (i as A.SelectItem).expr) };
}

function bindSelect(select: A.Select, ctx: BindContext, diagnostics: SqlError[], ctes: Ctes): BoundQuery | undefined {
  const q = distinctAsGroupBy(select, diagnostics);
  if (!q) return undefined;
  const eb = new ExprBinder(diagnostics, ctx.catalog.functions, ctx.options);
  const kda = ctx.options?.dialect === 'kda';
  const errorsBefore = diagnostics.length;
  const fail = (code: string, message: string, span: Span, hint?: string) => {
    diagnostics.push(sqlError(code, message, span, hint));
    return undefined;
  };
  const from = q.from;
  if (from.kind === 'join') return fail('SQL_UNSUPPORTED', `${from.joinType} JOIN is not supported yet`, from.span);
  if (from.kind === 'table-ref' && (from.systemTime || from.over)) return fail('SQL_UNSUPPORTED', from.over ? 'a window on a FROM stream (OVER) is not supported yet' : 'FOR SYSTEM_TIME AS OF is not supported yet', from.span);
  const subqueryName: A.Ident = { kind: 'ident', name: 'subquery', quoted: false, span: from.span };
  // Flink's Top-N: the subquery's rows without its rank column are the relation; Rank runs after.
  const topN = !select.groupBy.length ? topNShape(q) : undefined;
  const rel = from.kind === 'subquery'
    ? relationOf(topN ? topN.inner : from.query, topN ? [] : from.columns ?? [], from.alias ?? subqueryName, ctx, diagnostics, ctes)
    : resolveName(from.kind === 'table-ref' ? from.name : from.table, ctx, diagnostics, ctes);
  if (!rel) return undefined;
  if (rel.source.updating) {
    return fail('SQL_UPDATING_INPUT', `${show(rel.name)} is an updating result (a GROUP BY without a time window), and reading one is not supported yet`, rel.name.span,
      'aggregate over a time window (TUMBLE, HOP, SESSION) so the result appends, or read it through a sink or subscription');
  }
  const source = rel.source;
  const streamName = rel.name;
  const qualifiers = [streamName, ...(from.alias ? [from.alias] : [])];
  const baseFields = rel.fields;
  const tvf = from.kind === 'window-tvf' ? from : undefined;
  const fields: Field[] = [...baseFields];
  const windowFields = new Set<number>();
  if (tvf) for (const name of WINDOW_COLUMNS) { windowFields.add(fields.length); fields.push({ name, type: 'TIMESTAMP' }); }
  const scope: Scope = { fields, qualifiers, windowFields };
  const rowtimeIndex = baseFields.length - 1;

  // Expressions are bound over the relation's columns, then put over the source's (see `over`).
  const over = (e: BoundExpr) => (rel.exprs ? substitute(e, rel.exprs, baseFields.length, source.fields.length) : e);
  let plan: L.LogicalPlan = L.scan(source.name, source.fields.map((_, i) => i), source.fields);
  if (rel.where) plan = L.filter(plan, rel.where);
  if (topN) {
    const bound = bindTopN(topN, { q, scope, eb, source, over, plan, diagnostics, outputName: (item, i) => outputName(item, i, kda) });
    return bound ? { plan: bound.plan, source, fields: bound.fields, post: bound.post } : undefined;
  }
  if (q.where) {
    const pred = eb.bind(q.where, scope);
    eb.expectBool(pred, q.where.span);
    // One filter node: the physical plan's row stage takes a single WHERE (the relation's, then this one).
    plan = rel.where ? L.filter((plan as L.Filter).input, call('AND', [rel.where, over(pred)], 'BOOLEAN')) : L.filter(plan, over(pred));
  }

  const hasAgg = q.groupBy.length > 0 || q.items.some((i) => i.kind === 'select-item' && containsAggregate(i.expr)) || (q.having !== undefined);
  if (!hasAgg && !tvf && q.items.some((i) => i.kind === 'select-item' && containsOver(i.expr))) {
    const bound = bindOverQuery({ q, scope, eb, source, over, plan, diagnostics, outputName: (item, i) => outputName(item, i, kda) });
    return bound ? { plan: bound.plan, source, fields: bound.fields, post: bound.post } : undefined;
  }
  if (q.windows.length) return fail('SQL_UNSUPPORTED', 'a WINDOW clause names windows for OVER aggregates in the SELECT list of a query without GROUP BY', q.windows[0]!.name.span);
  let window: L.WindowSpec | undefined;
  if (tvf) window = windowOver(windowFromTvf(tvf, scope, eb, rel, diagnostics), rel, over, tvf.timeColumn.span, diagnostics);

  const names: string[] = [];
  const exprs: BoundExpr[] = [];
  let rowtime: BoundExpr;

  if (!hasAgg) {
    let inputScope: Scope = scope;
    if (window) {
      plan = L.windowAssign(plan, window);
      inputScope = { fields, qualifiers };
    }
    for (const item of q.items) {
      if (item.kind === 'star') {
        for (let i = 0; i < fields.length; i++) {
          if (i === rowtimeIndex || (!window && windowFields.has(i))) continue;
          names.push(fields[i]!.name);
          exprs.push(col(i, fields[i]!.type));
        }
        continue;
      }
      exprs.push(eb.bind(item.expr, inputScope));
      names.push(outputName(item, exprs.length - 1, kda));
    }
    rowtime = window?.onRowtime === false && window ? col(fields.length - 2, 'TIMESTAMP') : col(rowtimeIndex, 'TIMESTAMP');
    for (let i = 0; i < exprs.length; i++) exprs[i] = over(exprs[i]!);
    rowtime = over(rowtime);
    if (q.emit === 'changes') diagnostics.push(sqlError('SQL_EMIT', 'EMIT CHANGES applies to grouped queries only', q.span));
  } else {
    const groupKeys = new Map<string, BoundExpr>();
    const keyExprs: BoundExpr[] = [];
    const keyNames: string[] = [];
    const windowRefs = new Map<number, BoundExpr>();
    let bucket: A.Expr | undefined;
    let legacy: A.Call | undefined;
    let windowKeys: A.Expr[] = [];
    let groupWindow: AggContext['groupWindow'];
    if (tvf) {
      const wsIdx = fields.length - 3;
      const hasStart = q.groupBy.some((g) => isColumnNamed(g, 'window_start'));
      const hasEnd = q.groupBy.some((g) => isColumnNamed(g, 'window_end'));
      if (!hasStart || !hasEnd) {
        return fail('SQL_WINDOW_GROUP', 'a windowed aggregation must GROUP BY window_start, window_end', q.groupBy[0]?.span ?? q.span, `add window_start, window_end to GROUP BY`);
      }
      windowRefs.set(wsIdx, col(0, 'TIMESTAMP'));
      windowRefs.set(wsIdx + 1, col(1, 'TIMESTAMP'));
      windowRefs.set(wsIdx + 2, call('-', [col(1, 'TIMESTAMP'), lit(1, 'INTERVAL')], 'TIMESTAMP'));
    } else if ((legacy = q.groupBy.find(isGroupWindow))) {
      window = windowOver(windowFromGroupWindow(legacy, scope, eb, diagnostics), rel, over, legacy.span, diagnostics);
      groupWindow = { fn: legacy.name, argsKey: legacy.args.map((a) => eb.key(a, scope)).join(',') };
    } else {
      bucket = chooseBucket(q.groupBy, scope, rowtimeIndex, eb);
      const carried = bucket ? undefined : carriedWindow(q.groupBy, scope, eb);
      if (carried) {
        // GROUP BY window_start, window_end of a windowed result: the same windows, closed by the watermark.
        window = windowOver({ type: 'columns', timeColumn: carried.end, startColumn: carried.start, sizeMs: 0, slideMs: 0, gapMs: 0, offsetMs: 0, partitionBy: [], onRowtime: false }, rel, over, q.groupBy[0]!.span, diagnostics);
        windowKeys = carried.exprs;
        groupKeys.set(eb.key(carried.exprs[0]!, scope), col(0, 'TIMESTAMP'));
        groupKeys.set(eb.key(carried.exprs[1]!, scope), col(1, 'TIMESTAMP'));
      } else if (bucket) {
        window = windowOver(windowFromBucket(bucket, scope, eb, source, rowtimeIndex, diagnostics), rel, over, bucket.span, diagnostics);
        groupKeys.set(eb.key(bucket, scope), col(0, 'TIMESTAMP'));
      } else if (q.stream) {
        // KDA has no updating results: a SELECT STREAM aggregation needs a time bucket, as in KDA.
        for (const g of q.groupBy) eb.bind(g, scope);
        return fail('SQL_STREAM_GROUP_BY', 'a streaming GROUP BY needs a time bucket, or it would never emit a row', q.groupBy[0]?.span ?? q.span,
          `add STEP(${show(streamName)}.ROWTIME BY INTERVAL '10' SECOND) or FLOOR(ROWTIME TO MINUTE) to GROUP BY, or read FROM TABLE(TUMBLE(...))`);
      } else {
        // No time window: one window that never closes, whose groups are an updating result.
        if (q.emit === 'final') return fail('SQL_EMIT', 'EMIT FINAL needs a time window: a GROUP BY without one never closes', q.span, 'group by a window, or leave EMIT out for an updating result');
        window = { type: 'global', timeColumn: source.fields.length - 1, sizeMs: 0, slideMs: 0, gapMs: 0, offsetMs: 0, partitionBy: [], onRowtime: false };
      }
    }
    for (const g of q.groupBy) {
      if (g === bucket || g === legacy || windowKeys.includes(g) || (tvf && (isColumnNamed(g, 'window_start') || isColumnNamed(g, 'window_end')))) continue;
      const k = eb.bind(g, scope);
      groupKeys.set(eb.key(g, scope), col(2 + keyExprs.length, k.type));
      keyExprs.push(over(k));
      keyNames.push(g.kind === 'column' ? g.name.name : `key${keyExprs.length - 1}`);
    }
    // A legacy SESSION(...) group window is kept per group key, as Flink keeps it.
    if (window?.type === 'session' && legacy) window = { ...window, partitionBy: keyExprs };
    if (window?.type === 'session' && tvf) checkSessionKeys(window, keyExprs, tvf, diagnostics);
    // ROWTIME in the select list of an aggregation is its window's end, as in KDA.
    if (window && window.type !== 'global' && !windowRefs.has(rowtimeIndex)) windowRefs.set(rowtimeIndex, col(1, 'TIMESTAMP'));
    const aggs: L.AggCall[] = [];
    const agg: AggContext = { groupKeys, aggs, aggOffset: 2 + keyExprs.length, windowRefs, ...(groupWindow ? { groupWindow } : {}) };
    for (const item of q.items) {
      if (item.kind === 'star') return fail('SQL_STAR_GROUPED', 'SELECT * is not allowed in a grouped query', item.span, 'list the group keys and aggregates');
      exprs.push(eb.bind(item.expr, scope, agg));
      names.push(outputName(item, exprs.length - 1, kda));
    }
    let having: BoundExpr | undefined;
    if (q.having) {
      having = eb.bind(q.having, scope, agg);
      eb.expectBool(having, q.having.span);
    }
    if (!window || diagnostics.length > errorsBefore) return undefined;
    const overAggs = aggs.map((a) => ({ ...a, arg: a.arg ? over(a.arg) : null, ...(a.filter ? { filter: over(a.filter) } : {}) }));
    plan = L.aggregate(plan, window, keyExprs, keyNames, overAggs, q.emit === 'changes' || window.type === 'global' ? 'changes' : 'final');
    if (having) plan = L.filter(plan, having);
    rowtime = col(1, 'TIMESTAMP');
  }
  checkDuplicateNames(names, q, diagnostics);
  if (diagnostics.length > errorsBefore) return undefined;
  plan = L.project(plan, exprs, names, rowtime);
  return { plan, source, fields: plan.schema };
}

/** A select item's column name; a KDA application upper-cases unquoted names, as KDA does. */
function outputName(item: A.SelectItem, i: number, kda: boolean): string {
  if (item.alias) return kdaName(item.alias, kda);
  if (item.expr.kind === 'column') return kdaName(item.expr.name, kda);
  if (item.expr.kind === 'field') return kdaName(item.expr.field, kda);
  return `EXPR$${i}`;
}

function checkDuplicateNames(names: string[], q: A.Select, diagnostics: SqlError[]): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    const key = n.toLowerCase();
    if (seen.has(key)) {
      const item = q.items[i] ?? q.items[0]!;
      diagnostics.push(sqlError('SQL_DUPLICATE_COLUMN', `the query outputs column ${n} twice`, item.span, 'give one of them another name with AS'));
    }
    seen.add(key);
  });
}

function isColumnNamed(e: A.Expr, name: string): boolean {
  return e.kind === 'column' && e.name.name.toLowerCase() === name && !e.name.quoted;
}

export function containsAggregate(e: A.Expr): boolean {
  if (e.kind === 'call' && !e.over && AGGREGATE_FUNCTIONS.has(FUNCTION_ALIASES[e.name] ?? e.name)) return true;
  return A.childExprs(e).some(containsAggregate);
}

/** GROUP BY of both `window_start` and `window_end` TIMESTAMP columns (a windowed result read again). */
function carriedWindow(groupBy: readonly A.Expr[], scope: Scope, eb: ExprBinder): { start: number; end: number; exprs: A.Expr[] } | undefined {
  const find = (name: string) => groupBy.find((g) => isColumnNamed(g, name));
  const s = find('window_start');
  const e = find('window_end');
  if (!s || !e || s.kind !== 'column' || e.kind !== 'column') return undefined;
  const start = eb.resolveColumn(s, scope);
  const end = eb.resolveColumn(e, scope);
  if (start === undefined || end === undefined || scope.fields[start]!.type !== 'TIMESTAMP' || scope.fields[end]!.type !== 'TIMESTAMP') return undefined;
  return { start, end, exprs: [s, e] };
}

/** Flink's legacy group windows: GROUP BY TUMBLE(ts, size), HOP(ts, slide, size), SESSION(ts, gap). */
function isGroupWindow(e: A.Expr): e is A.Call {
  return e.kind === 'call' && (e.name === 'TUMBLE' || e.name === 'HOP' || e.name === 'SESSION');
}

function windowFromGroupWindow(c: A.Call, scope: Scope, eb: ExprBinder, diagnostics: SqlError[]): L.WindowSpec | undefined {
  const want = c.name === 'HOP' ? 3 : 2;
  const usage = c.name === 'HOP' ? 'HOP(time_column, slide, size)' : `${c.name}(time_column, ${c.name === 'SESSION' ? 'gap' : 'size'})`;
  const timeArg = c.args[0];
  if (c.args.length !== want || timeArg?.kind !== 'column') {
    diagnostics.push(sqlError('SQL_WINDOW_ARGS', `${c.name} takes a time column and ${want - 1} INTERVAL${want > 2 ? 's' : ''}`, c.span, `GROUP BY key, ${usage}`));
    return undefined;
  }
  const idx = eb.resolveColumn(timeArg, scope);
  if (idx === undefined) return undefined;
  if (scope.fields[idx]!.type !== 'TIMESTAMP') {
    diagnostics.push(sqlError('SQL_TYPE', `${c.name} needs a TIMESTAMP column, ${scope.fields[idx]!.name} is ${scope.fields[idx]!.type}`, timeArg.span));
    return undefined;
  }
  const base = { timeColumn: idx, gapMs: 0, offsetMs: 0, partitionBy: [] as BoundExpr[], onRowtime: idx === scope.fields.length - 1 };
  if (c.name === 'TUMBLE') {
    const size = intervalArg(c.args[1], 'TUMBLE size', c.span, diagnostics);
    return { ...base, type: 'tumble', sizeMs: size, slideMs: size };
  }
  if (c.name === 'HOP') {
    const slide = intervalArg(c.args[1], 'HOP slide', c.span, diagnostics);
    const size = intervalArg(c.args[2], 'HOP size', c.span, diagnostics);
    if (slide && size && size % slide !== 0) diagnostics.push(sqlError('SQL_WINDOW_ARGS', 'HOP size must be a whole multiple of its slide', c.args[2]!.span));
    return { ...base, type: 'hop', sizeMs: size, slideMs: slide };
  }
  return { ...base, type: 'session', sizeMs: 0, slideMs: 0, gapMs: intervalArg(c.args[1], 'SESSION gap', c.span, diagnostics) };
}

/** A time bucket: FLOOR(t TO unit) or STEP(t BY INTERVAL ...) (STEP over a number is an ordinary key). */
function isBucket(e: A.Expr): boolean {
  return (e.kind === 'step' && e.interval.kind === 'interval') || (e.kind === 'floor-to' && e.fn === 'FLOOR');
}

/** The GROUP BY time bucket that drives emission: one over ROWTIME if there is one, else the first. */
function chooseBucket(groupBy: readonly A.Expr[], scope: Scope, rowtimeIndex: number, eb: ExprBinder): A.Expr | undefined {
  const buckets = groupBy.filter(isBucket);
  const onRowtime = buckets.find((b) => {
    const operand = b.kind === 'step' || b.kind === 'floor-to' ? b.operand : undefined;
    return operand?.kind === 'column' && operand.name.name.toUpperCase() === ROWTIME && !operand.name.quoted;
  });
  return onRowtime ?? buckets[0];
}

function windowFromBucket(b: A.Expr, scope: Scope, eb: ExprBinder, source: StreamDef, rowtimeIndex: number, diagnostics: SqlError[]): L.WindowSpec | undefined {
  if (b.kind !== 'step' && b.kind !== 'floor-to') return undefined;
  if (b.operand.kind !== 'column') {
    diagnostics.push(sqlError('SQL_BUCKET', 'a time bucket must be over a column', b.operand.span, 'use ROWTIME or a TIMESTAMP column'));
    return undefined;
  }
  const idx = eb.resolveColumn(b.operand, scope);
  if (idx === undefined) return undefined;
  if (scope.fields[idx]!.type !== 'TIMESTAMP') {
    diagnostics.push(sqlError('SQL_TYPE', `a time bucket needs a TIMESTAMP column, ${scope.fields[idx]!.name} is ${scope.fields[idx]!.type}`, b.operand.span));
    return undefined;
  }
  let size: number;
  if (b.kind === 'floor-to') {
    if (b.unit === 'MONTH' || b.unit === 'YEAR') {
      diagnostics.push(sqlError('SQL_BUCKET', `FLOOR(... TO ${b.unit}) has no fixed length to window by`, b.span, 'use DAY or smaller'));
      return undefined;
    }
    size = unitMillis(b.unit);
  } else {
    if (b.interval.kind === 'interval' && intervalMonths(b.interval) !== undefined) {
      diagnostics.push(sqlError('SQL_BUCKET', `STEP(... BY INTERVAL '${b.interval.text}' ${b.interval.unit}) has no fixed length to window by`, b.span, 'use DAY or smaller in GROUP BY; STEP by months and years works in the select list'));
      return undefined;
    }
    size = b.interval.kind === 'interval' ? b.interval.millis : 0;
    if (size <= 0) {
      diagnostics.push(sqlError('SQL_BUCKET', 'STEP needs a positive INTERVAL', b.interval.span));
      return undefined;
    }
  }
  return { type: 'tumble', timeColumn: idx, sizeMs: size, slideMs: size, gapMs: 0, offsetMs: 0, partitionBy: [], onRowtime: idx === rowtimeIndex };
}

function intervalArg(e: A.Expr | undefined, what: string, span: Span, diagnostics: SqlError[]): number {
  if (!e || e.kind !== 'interval' || e.millis <= 0) {
    diagnostics.push(sqlError('SQL_WINDOW_ARGS', `${what} must be a positive INTERVAL literal`, e?.span ?? span, "for example INTERVAL '10' SECOND"));
    return 0;
  }
  return e.millis;
}

/**
 * A window bound over a relation's columns, put over its source's: the time column must then be a
 * column of the source (a computed time would need its own stream), and PARTITION BY is substituted.
 */
function windowOver(w: L.WindowSpec | undefined, rel: Relation, over: (e: BoundExpr) => BoundExpr, span: Span, diagnostics: SqlError[]): L.WindowSpec | undefined {
  if (!w || !rel.exprs) return w;
  const time = rel.exprs[w.timeColumn]!;
  if (time.k !== 'col') {
    diagnostics.push(sqlError('SQL_UNSUPPORTED', `the window's time column is computed by ${show(rel.name)}; a window needs a column of a stream`, span,
      `declare it as a stream: CREATE STREAM ${rel.name.name} AS SELECT ...`));
    return undefined;
  }
  let startColumn: number | undefined;
  if (w.startColumn !== undefined) {
    const start = rel.exprs[w.startColumn]!;
    if (start.k !== 'col') {
      diagnostics.push(sqlError('SQL_UNSUPPORTED', `the window's start is computed by ${show(rel.name)}; a window needs a column of a stream`, span));
      return undefined;
    }
    startColumn = start.index;
  }
  return { ...w, timeColumn: time.index, ...(startColumn !== undefined ? { startColumn } : {}), onRowtime: time.index === rel.source.fields.length - 1, partitionBy: w.partitionBy.map(over) };
}

function windowFromTvf(tvf: A.WindowTvf, scope: Scope, eb: ExprBinder, rel: Relation, diagnostics: SqlError[]): L.WindowSpec | undefined {
  const fields = rel.fields;
  const ref: A.ColumnRef = { kind: 'column', name: tvf.timeColumn, span: tvf.timeColumn.span };
  const idx = eb.resolveColumn(ref, { fields, qualifiers: [] });
  if (idx === undefined) return undefined;
  if (fields[idx]!.type !== 'TIMESTAMP') {
    diagnostics.push(sqlError('SQL_TYPE', `DESCRIPTOR(${tvf.timeColumn.name}) must name a TIMESTAMP column, it is ${fields[idx]!.type}`, tvf.timeColumn.span));
    return undefined;
  }
  const onRowtime = idx === fields.length - 1;
  const base = { timeColumn: idx, gapMs: 0, offsetMs: 0, partitionBy: [] as BoundExpr[], onRowtime };
  switch (tvf.fn) {
    case 'TUMBLE': {
      const size = intervalArg(tvf.args[0], 'TUMBLE size', tvf.span, diagnostics);
      const offset = tvf.args[1]?.kind === 'interval' ? tvf.args[1].millis : 0;
      return { ...base, type: 'tumble', sizeMs: size, slideMs: size, offsetMs: offset };
    }
    case 'HOP': {
      const slide = intervalArg(tvf.args[0], 'HOP slide', tvf.span, diagnostics);
      const size = intervalArg(tvf.args[1], 'HOP size', tvf.span, diagnostics);
      if (slide && size && size % slide !== 0) diagnostics.push(sqlError('SQL_WINDOW_ARGS', 'HOP size must be a whole multiple of its slide', tvf.args[1]!.span));
      return { ...base, type: 'hop', sizeMs: size, slideMs: slide };
    }
    case 'CUMULATE': {
      const step = intervalArg(tvf.args[0], 'CUMULATE step', tvf.span, diagnostics);
      const size = intervalArg(tvf.args[1], 'CUMULATE max size', tvf.span, diagnostics);
      if (step && size && size % step !== 0) diagnostics.push(sqlError('SQL_WINDOW_ARGS', 'CUMULATE max size must be a whole multiple of its step', tvf.args[1]!.span));
      return { ...base, type: 'cumulate', sizeMs: size, slideMs: step };
    }
    case 'SESSION': {
      const gap = intervalArg(tvf.args[0], 'SESSION gap', tvf.span, diagnostics);
      const partitionBy = tvf.partitionBy.map((p) => eb.bind(p, { fields, qualifiers: scope.qualifiers }));
      return { ...base, type: 'session', sizeMs: 0, slideMs: 0, gapMs: gap, partitionBy };
    }
  }
}

/** Sessions are tracked per group key, so PARTITION BY must name the same keys as GROUP BY. */
function checkSessionKeys(w: L.WindowSpec, keys: readonly BoundExpr[], tvf: A.WindowTvf, diagnostics: SqlError[]): void {
  const a = new Set(w.partitionBy.map((e) => JSON.stringify(e)));
  const b = new Set(keys.map((e) => JSON.stringify(e)));
  if (a.size !== b.size || [...a].some((x) => !b.has(x))) {
    diagnostics.push(sqlError('SQL_SESSION_KEYS', 'SESSION windows must be partitioned by the same keys the query groups by', tvf.span,
      'write SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), gap) ... GROUP BY window_start, window_end, k'));
  }
}
