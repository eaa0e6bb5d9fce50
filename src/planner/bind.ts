import * as A from '../sql/ast.js';
import { sqlError, nearestName, type SqlError, type Span } from '../sql/diagnostics.js';
import { col, call, lit, type BoundExpr } from './bound-expr.js';
import { ExprBinder, exprKey, show, unitMillis, type AggContext, type Scope } from './bind-expr.js';
import { ROWTIME, type Catalog, type StreamDef } from './catalog.js';
import * as L from './logical/plan.js';
import type { Field } from './types.js';

export interface BoundQuery {
  readonly plan: L.LogicalPlan;
  readonly source: StreamDef;
  /** Output columns, as named in the SELECT list. */
  readonly fields: readonly Field[];
}

const WINDOW_COLUMNS = ['window_start', 'window_end', 'window_time'];

/** Binds a SELECT against the catalog and builds its logical plan: scan, filter, window, aggregate, project. */
export function bindQuery(q: A.Select, catalog: Catalog, diagnostics: SqlError[]): BoundQuery | undefined {
  const eb = new ExprBinder(diagnostics);
  const errorsBefore = diagnostics.length;
  const fail = (code: string, message: string, span: Span, hint?: string) => {
    diagnostics.push(sqlError(code, message, span, hint));
    return undefined;
  };
  const from = q.from;
  if (from.kind === 'subquery') return fail('SQL_UNSUPPORTED', 'subqueries in FROM are not supported yet', from.span, 'create an intermediate stream with CREATE STREAM ... AS SELECT');
  const streamName = from.kind === 'table-ref' ? from.name : from.table;
  const source = catalog.get(streamName.name, streamName.quoted);
  if (!source) {
    const near = nearestName(streamName.name, catalog.names());
    return fail('SQL_UNKNOWN_STREAM', `unknown stream ${show(streamName)}`, streamName.span, near ? `did you mean ${near}?` : 'declare it with CREATE STREAM name (columns) first, or discover its columns from a file with sluice run/explain --input NAME=FILE');
  }
  const qualifiers = [streamName, ...(from.alias ? [from.alias] : [])];
  const baseFields = source.fields;
  const tvf = from.kind === 'window-tvf' ? from : undefined;
  const fields: Field[] = [...baseFields];
  const windowFields = new Set<number>();
  if (tvf) for (const name of WINDOW_COLUMNS) { windowFields.add(fields.length); fields.push({ name, type: 'TIMESTAMP' }); }
  const scope: Scope = { fields, qualifiers, windowFields };
  const rowtimeIndex = baseFields.length - 1;

  let plan: L.LogicalPlan = L.scan(source.name, baseFields.map((_, i) => i), baseFields);
  if (q.where) {
    const pred = eb.bind(q.where, scope);
    eb.expectBool(pred, q.where.span);
    plan = L.filter(plan, pred);
  }

  const hasAgg = q.groupBy.length > 0 || q.items.some((i) => i.kind === 'select-item' && containsAggregate(i.expr)) || (q.having !== undefined);
  let window: L.WindowSpec | undefined;
  if (tvf) window = windowFromTvf(tvf, scope, eb, source, diagnostics);

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
      names.push(outputName(item, exprs.length - 1));
    }
    rowtime = window?.onRowtime === false && window ? col(fields.length - 2, 'TIMESTAMP') : col(rowtimeIndex, 'TIMESTAMP');
    if (q.emit === 'changes') diagnostics.push(sqlError('SQL_EMIT', 'EMIT CHANGES applies to grouped queries only', q.span));
  } else {
    const groupKeys = new Map<string, BoundExpr>();
    const keyExprs: BoundExpr[] = [];
    const keyNames: string[] = [];
    const windowRefs = new Map<number, BoundExpr>();
    let bucket: A.Expr | undefined;
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
    } else {
      bucket = chooseBucket(q.groupBy, scope, rowtimeIndex, eb);
      if (!bucket) {
        for (const g of q.groupBy) eb.bind(g, scope);
        return fail('SQL_STREAM_GROUP_BY', 'a streaming GROUP BY needs a time bucket, or it would never emit a row', q.groupBy[0]?.span ?? q.span,
          `add STEP(${show(streamName)}.ROWTIME BY INTERVAL '10' SECOND) or FLOOR(ROWTIME TO MINUTE) to GROUP BY, or read FROM TABLE(TUMBLE(...))`);
      }
      window = windowFromBucket(bucket, scope, eb, source, rowtimeIndex, diagnostics);
      groupKeys.set(exprKey(bucket), col(0, 'TIMESTAMP'));
    }
    for (const g of q.groupBy) {
      if (g === bucket || (tvf && (isColumnNamed(g, 'window_start') || isColumnNamed(g, 'window_end')))) continue;
      const k = eb.bind(g, scope);
      groupKeys.set(exprKey(g), col(2 + keyExprs.length, k.type));
      keyExprs.push(k);
      keyNames.push(g.kind === 'column' ? g.name.name : `key${keyExprs.length - 1}`);
    }
    if (window?.type === 'session') checkSessionKeys(window, keyExprs, tvf!, diagnostics);
    const aggs: L.AggCall[] = [];
    const agg: AggContext = { groupKeys, aggs, aggOffset: 2 + keyExprs.length, windowRefs };
    for (const item of q.items) {
      if (item.kind === 'star') return fail('SQL_STAR_GROUPED', 'SELECT * is not allowed in a grouped query', item.span, 'list the group keys and aggregates');
      exprs.push(eb.bind(item.expr, scope, agg));
      names.push(outputName(item, exprs.length - 1));
    }
    let having: BoundExpr | undefined;
    if (q.having) {
      having = eb.bind(q.having, scope, agg);
      eb.expectBool(having, q.having.span);
    }
    if (!window || diagnostics.length > errorsBefore) return undefined;
    plan = L.aggregate(plan, window, keyExprs, keyNames, aggs, q.emit === 'changes' ? 'changes' : 'final');
    if (having) plan = L.filter(plan, having);
    rowtime = col(1, 'TIMESTAMP');
  }
  checkDuplicateNames(names, q, diagnostics);
  if (diagnostics.length > errorsBefore) return undefined;
  plan = L.project(plan, exprs, names, rowtime);
  return { plan, source, fields: plan.schema };
}

function outputName(item: A.SelectItem, i: number): string {
  if (item.alias) return item.alias.name;
  if (item.expr.kind === 'column') return item.expr.name.name;
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
  if (e.kind === 'call' && ['COUNT', 'SUM', 'AVG', 'MIN', 'MAX'].includes(e.name)) return true;
  return A.childExprs(e).some(containsAggregate);
}

function isBucket(e: A.Expr): boolean {
  return e.kind === 'step' || (e.kind === 'floor-to' && e.fn === 'FLOOR');
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

function windowFromTvf(tvf: A.WindowTvf, scope: Scope, eb: ExprBinder, source: StreamDef, diagnostics: SqlError[]): L.WindowSpec | undefined {
  const ref: A.ColumnRef = { kind: 'column', name: tvf.timeColumn, span: tvf.timeColumn.span };
  const idx = eb.resolveColumn(ref, { fields: source.fields, qualifiers: [] });
  if (idx === undefined) return undefined;
  if (source.fields[idx]!.type !== 'TIMESTAMP') {
    diagnostics.push(sqlError('SQL_TYPE', `DESCRIPTOR(${tvf.timeColumn.name}) must name a TIMESTAMP column, it is ${source.fields[idx]!.type}`, tvf.timeColumn.span));
    return undefined;
  }
  const onRowtime = idx === source.fields.length - 1;
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
      const partitionBy = tvf.partitionBy.map((p) => eb.bind(p, { fields: source.fields, qualifiers: scope.qualifiers }));
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
