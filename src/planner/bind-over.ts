import * as A from '../sql/ast.js';
import { sqlError, type SqlError, type Span } from '../sql/diagnostics.js';
import { col, type BoundExpr } from './bound-expr.js';
import type { ExprBinder, Scope } from './bind-expr.js';
import type { StreamDef } from './catalog.js';
import * as L from './logical/plan.js';
import { isIntegral, type Field, type SqlType } from './types.js';
import type { PostOperatorSpec } from '../runtime/post-stage.js';
import type { OverCallSpec, OverFrame, OverFunction } from '../operators/over-aggregate.js';
import type { SortKeySpec } from '../operators/rank.js';

/** What a query runs after its row stage (see src/runtime/post-stage.ts), before casts to its target. */
export interface BoundPost {
  readonly operators: readonly PostOperatorSpec[];
  readonly calcInput: readonly SqlType[];
  readonly where: BoundExpr | null;
  readonly outputs: readonly BoundExpr[];
  readonly updating: boolean;
  /** The source column whose watermark event-time operators follow, if any. */
  readonly eventTime?: number;
}

/** The parts of a SELECT's binding the OVER and Top-N forms share. */
export interface PostContext {
  readonly q: A.Select;
  readonly scope: Scope;
  readonly eb: ExprBinder;
  readonly source: StreamDef;
  /** A bound expression over the relation's columns, put over the source's. */
  readonly over: (e: BoundExpr) => BoundExpr;
  /** The scan with the query's (and its relation's) filters: the row stage's input. */
  readonly plan: L.LogicalPlan;
  readonly diagnostics: SqlError[];
  readonly outputName: (item: A.SelectItem, i: number) => string;
}

const RANK_FUNCTIONS = new Set(['ROW_NUMBER', 'RANK', 'DENSE_RANK']);
const OVER_FUNCTIONS: Record<string, OverFunction> = {
  COUNT: 'COUNT', SUM: 'SUM', AVG: 'AVG', MIN: 'MIN', MAX: 'MAX', FIRST_VALUE: 'FIRST_VALUE', LAST_VALUE: 'LAST_VALUE',
  LAG: 'LAG', LEAD: 'LEAD', ROW_NUMBER: 'ROW_NUMBER', RANK: 'RANK', DENSE_RANK: 'DENSE_RANK',
};

export function containsOver(e: A.Expr): boolean {
  if (e.kind === 'call' && e.over) return true;
  return A.childExprs(e).some(containsOver);
}

/**
 * The row stage's columns for a post stage: every column of the relation (ROWTIME last), then the
 * expressions operators need that are not plain columns. `index` finds or adds one.
 */
class PreColumns {
  readonly exprs: BoundExpr[];
  readonly fields: Field[];
  constructor(private readonly ctx: PostContext) {
    this.fields = ctx.scope.fields.filter((_, i) => !ctx.scope.windowFields?.has(i)).map((f) => ({ ...f }));
    this.exprs = this.fields.map((f, i) => ctx.over(col(i, f.type)));
  }
  get width(): number {
    return this.exprs.length;
  }
  index(e: BoundExpr): number {
    if (e.k === 'col' && e.index < this.fields.length) return e.index;
    const key = JSON.stringify(e);
    const at = this.exprs.findIndex((x, i) => i >= this.fields.length && JSON.stringify(x) === key);
    if (at >= 0) return at;
    this.exprs.push(this.ctx.over(e));
    return this.exprs.length - 1;
  }
  typeAt(i: number): SqlType {
    return i < this.fields.length ? this.fields[i]!.type : this.exprs[i]!.type;
  }
}

/** The window an OVER call names, with a named window's parts under its own (KDA's `OVER W1`). */
function windowOf(call: A.Call, q: A.Select, diagnostics: SqlError[]): A.WindowSpec | undefined {
  let spec = call.over!;
  if (spec.ref) {
    const named = q.windows.find((w) => w.name.name.toLowerCase() === spec.ref!.name.toLowerCase());
    if (!named) {
      diagnostics.push(sqlError('SQL_UNKNOWN_WINDOW', `unknown window ${spec.ref.name}`, spec.ref.span, q.windows.length ? `the query names ${q.windows.map((w) => w.name.name).join(', ')}` : 'define it with WINDOW name AS (...) after the FROM clause'));
      return undefined;
    }
    const base = named.spec;
    spec = { ...base, partitionBy: spec.partitionBy.length ? spec.partitionBy : base.partitionBy, orderBy: spec.orderBy.length ? spec.orderBy : base.orderBy, ...(spec.frame ?? base.frame ? { frame: spec.frame ?? base.frame } : {}) };
  }
  return spec;
}

/** The ORDER BY time of an OVER window: ROWTIME by default (KDA), event time when it is a column with a watermark. */
function orderOf(spec: A.WindowSpec, ctx: PostContext, pre: PreColumns, span: Span): { orderBy: number | 'rowtime'; time: 'event' | 'arrival'; eventTime?: number } | undefined {
  const rowtime = ctx.scope.fields.length - 1 - (ctx.scope.windowFields?.size ?? 0);
  if (spec.orderBy.length === 0) return { orderBy: 'rowtime', time: 'arrival' };
  if (spec.orderBy.length > 1 || spec.orderBy[0]!.desc) {
    ctx.diagnostics.push(sqlError('SQL_UNSUPPORTED', 'an OVER window is ordered by one time column, ascending', spec.orderBy[0]!.span, 'ORDER BY ts'));
    return undefined;
  }
  const e = ctx.eb.bind(spec.orderBy[0]!.expr, ctx.scope);
  if (e.type !== 'TIMESTAMP') {
    ctx.diagnostics.push(sqlError('SQL_TYPE', `an OVER window is ordered by a TIMESTAMP, not ${e.type}`, spec.orderBy[0]!.span));
    return undefined;
  }
  if (e.k === 'col' && e.index === rowtime) return { orderBy: 'rowtime', time: 'arrival' };
  const src = ctx.over(e);
  if (src.k !== 'col') {
    ctx.diagnostics.push(sqlError('SQL_UNSUPPORTED', 'an OVER window is ordered by a time column of a stream', span));
    return undefined;
  }
  void pre;
  return { orderBy: pre.index(e), time: 'event', eventTime: src.index };
}

function frameOf(spec: A.WindowSpec, ctx: PostContext): OverFrame | undefined {
  const f = spec.frame;
  // Flink's default frame: RANGE UNBOUNDED PRECEDING to the current row.
  if (!f) return { kind: 'range', precedingMs: null };
  if (f.end.kind !== 'current-row') {
    ctx.diagnostics.push(sqlError('SQL_UNSUPPORTED', 'an OVER frame ends at CURRENT ROW', f.end.span));
    return undefined;
  }
  if (f.start.kind === 'unbounded-preceding') return f.unit === 'ROWS' ? { kind: 'rows', preceding: null } : { kind: 'range', precedingMs: null };
  if (f.start.kind !== 'preceding' || !f.start.offset) {
    ctx.diagnostics.push(sqlError('SQL_UNSUPPORTED', 'an OVER frame starts at n PRECEDING or UNBOUNDED PRECEDING', f.start.span));
    return undefined;
  }
  const o = f.start.offset;
  if (f.unit === 'ROWS') {
    if (o.kind !== 'number' || !Number.isInteger(o.value) || o.value < 0) {
      ctx.diagnostics.push(sqlError('SQL_BAD_CALL', 'ROWS n PRECEDING takes a whole number', o.span));
      return undefined;
    }
    return { kind: 'rows', preceding: o.value };
  }
  if (o.kind !== 'interval' || o.millis < 0) {
    ctx.diagnostics.push(sqlError('SQL_BAD_CALL', "RANGE ... PRECEDING takes an INTERVAL: RANGE INTERVAL '1' MINUTE PRECEDING", o.span));
    return undefined;
  }
  return { kind: 'range', precedingMs: o.millis };
}

/**
 * A SELECT with OVER aggregates (Flink's `OVER (PARTITION BY k ORDER BY ts RANGE ...)`, KDA's
 * sliding windows `OVER W1`): the row stage projects the relation's columns, OverAggregate adds a
 * column per call (one operator per distinct window), and the SELECT list is evaluated over that.
 */
export function bindOverQuery(ctx: PostContext): { plan: L.LogicalPlan; post: BoundPost; fields: Field[] } | undefined {
  const { q, diagnostics, eb, scope } = ctx;
  const before = diagnostics.length;
  const pre = new PreColumns(ctx);
  const calls: A.Call[] = [];
  const walk = (e: A.Expr): void => {
    if (e.kind === 'call' && e.over) calls.push(e);
    else A.childExprs(e).forEach(walk);
  };
  for (const item of q.items) if (item.kind === 'select-item') walk(item.expr);
  const groups = new Map<string, { spec: A.WindowSpec; calls: { call: A.Call; spec: OverCallSpec; type: SqlType }[]; frame: OverFrame; partitionBy: number[]; order: NonNullable<ReturnType<typeof orderOf>> }>();
  let eventTime: number | undefined;
  for (const call of calls) {
    const spec = windowOf(call, q, diagnostics);
    const fn = OVER_FUNCTIONS[call.name];
    if (!spec) continue;
    if (!fn) {
      diagnostics.push(sqlError('SQL_UNSUPPORTED', `${call.name}(...) OVER is not supported`, call.span, `OVER takes ${Object.keys(OVER_FUNCTIONS).join(', ')}`));
      continue;
    }
    const frame = frameOf(spec, ctx);
    const order = orderOf(spec, ctx, pre, call.span);
    if (!frame || !order) continue;
    if (order.eventTime !== undefined) eventTime = order.eventTime;
    const partitionBy = spec.partitionBy.map((p) => pre.index(eb.bind(p, scope)));
    const args = call.args.map((a) => eb.bind(a, scope));
    const arg = args[0] && !call.star ? pre.index(args[0]) : null;
    const argType = args[0]?.type ?? 'NULL';
    const over: OverFunction = call.name === 'COUNT' ? (call.star ? 'COUNT_STAR' : call.distinct ? 'COUNT_DISTINCT' : 'COUNT') : fn;
    const callSpec: OverCallSpec = {
      fn: over,
      arg: RANK_FUNCTIONS.has(call.name) || over === 'COUNT_STAR' ? null : arg,
      ...((call.name === 'LAG' || call.name === 'LEAD') && args[1]?.k === 'lit' ? { offset: Number(args[1].value) } : {}),
      ...((call.name === 'LAG' || call.name === 'LEAD') && args[2]?.k === 'lit' ? { default: args[2].value } : {}),
    };
    const type: SqlType = over === 'COUNT_STAR' || over === 'COUNT' || over === 'COUNT_DISTINCT' || RANK_FUNCTIONS.has(call.name) ? 'BIGINT'
      : over === 'AVG' ? 'DOUBLE' : over === 'SUM' ? (isIntegral(argType) ? 'BIGINT' : 'DOUBLE') : argType;
    const key = JSON.stringify([partitionBy, order, frame]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { spec, calls: [], frame, partitionBy, order }));
    group.calls.push({ call, spec: callSpec, type });
  }
  if (diagnostics.length > before) return undefined;
  // Each group's operator appends its calls' columns after everything before it.
  const operators: PostOperatorSpec[] = [];
  const placeholder = new Map<A.Call, number>();
  const calcTypes: SqlType[] = pre.exprs.map((_, i) => pre.typeAt(i));
  for (const g of groups.values()) {
    operators.push({ kind: 'over', spec: { inputWidth: calcTypes.length, partitionBy: g.partitionBy, orderBy: g.order.orderBy, time: g.order.time, frame: g.frame, calls: g.calls.map((c) => c.spec) } });
    for (const c of g.calls) {
      placeholder.set(c.call, calcTypes.length);
      calcTypes.push(c.type);
    }
  }
  // The SELECT list over the operators' output: the relation's columns are where they were, each call its column.
  const calcScope: Scope = {
    ...scope,
    windowFields: new Set(),
    overCall: (call) => {
      const at = placeholder.get(call);
      return at === undefined ? undefined : col(at, calcTypes[at]!);
    },
  };
  const outputs: BoundExpr[] = [];
  const fields: Field[] = [];
  q.items.forEach((item, i) => {
    if (item.kind === 'star') {
      starColumns(pre, outputs, fields);
      return;
    }
    const e = eb.bind(item.expr, calcScope);
    outputs.push(e);
    fields.push({ name: ctx.outputName(item, i), type: e.type });
  });
  if (diagnostics.length > before) return undefined;
  const rowtimeAt = pre.fields.length - 1;
  const plan = L.project(ctx.plan, pre.exprs, pre.exprs.map((_, i) => `$${i}`), pre.exprs[rowtimeAt]!);
  return { plan, post: { operators, calcInput: calcTypes, where: null, outputs, updating: false, ...(eventTime !== undefined ? { eventTime } : {}) }, fields };
}

/** `rn <= N`, `rn < N`, `rn = 1` (either side) on the rank column: the N of a Top-N, else undefined. */
function limitOf(e: A.Expr, rank: string): number | undefined {
  if (e.kind !== 'binary') return undefined;
  const isRank = (x: A.Expr) => x.kind === 'column' && !x.qualifier && x.name.name.toLowerCase() === rank;
  const num = (x: A.Expr) => (x.kind === 'number' && Number.isInteger(x.value) ? x.value : undefined);
  const [colSide, numSide, flipped] = isRank(e.left) ? [e.left, e.right, false] : isRank(e.right) ? [e.right, e.left, true] : [undefined, undefined, false];
  if (!colSide || !numSide) return undefined;
  const n = num(numSide);
  if (n === undefined) return undefined;
  const op = flipped ? ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[e.op] ?? e.op : e.op;
  if (op === '<=') return n;
  if (op === '<') return n - 1;
  if (op === '=' && n === 1) return 1;
  return undefined;
}

function conjuncts(e: A.Expr | undefined): A.Expr[] {
  if (!e) return [];
  if (e.kind === 'binary' && e.op === 'AND') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

/** The shape of Flink's Top-N: a subquery with `ROW_NUMBER() OVER (...) AS rn`, read WHERE rn <= N. */
export interface TopNShape {
  readonly inner: A.Select;
  readonly rankItem: A.SelectItem;
  readonly rankName: string;
  readonly limit: number;
  /** The outer WHERE without the rank condition. */
  readonly rest: A.Expr | undefined;
}

export function topNShape(q: A.Select): TopNShape | undefined {
  if (q.from.kind !== 'subquery' || q.from.query.kind !== 'select') return undefined;
  const inner = q.from.query;
  const ranks = inner.items.filter((i): i is A.SelectItem => i.kind === 'select-item' && i.expr.kind === 'call' && !!i.expr.over && RANK_FUNCTIONS.has(i.expr.name));
  if (ranks.length !== 1 || !ranks[0]!.alias) return undefined;
  const rankItem = ranks[0]!;
  const rankName = rankItem.alias!.name.toLowerCase();
  const parts = conjuncts(q.where);
  const at = parts.findIndex((p) => limitOf(p, rankName) !== undefined);
  if (at < 0) return undefined;
  const rest = parts.filter((_, i) => i !== at).reduce<A.Expr | undefined>((acc, p) => (acc ? { kind: 'binary', op: 'AND', left: acc, right: p, span: p.span } : p), undefined);
  return { inner: { ...inner, items: inner.items.filter((i) => i !== rankItem) }, rankItem, rankName, limit: limitOf(parts[at]!, rankName)!, rest };
}

/**
 * Flink's Top-N and dedup over the inner query's rows (already bound as the relation of `ctx`):
 * Rank, or Deduplicate when it is ROW_NUMBER = 1 ordered by a time attribute, then the outer
 * SELECT list and the rest of its WHERE over that.
 */
export function bindTopN(shape: TopNShape, ctx: PostContext): { plan: L.LogicalPlan; post: BoundPost; fields: Field[] } | undefined {
  const { q, diagnostics, eb, scope } = ctx;
  const before = diagnostics.length;
  const pre = new PreColumns(ctx);
  const call = shape.rankItem.expr as A.Call;
  const spec = call.over!;
  if (spec.ref || spec.frame) {
    diagnostics.push(sqlError('SQL_UNSUPPORTED', 'a Top-N ranks over (PARTITION BY ... ORDER BY ...) without a frame or a named window', spec.span));
    return undefined;
  }
  if (!spec.orderBy.length) {
    diagnostics.push(sqlError('SQL_BAD_CALL', `${call.name}() OVER needs ORDER BY`, spec.span, 'ORDER BY price DESC'));
    return undefined;
  }
  const windowed = spec.partitionBy.some((p) => p.kind === 'column' && ['window_start', 'window_end'].includes(p.name.name.toLowerCase()));
  if (windowed) {
    diagnostics.push(sqlError('SQL_UNSUPPORTED', 'window Top-N (PARTITION BY window_start, window_end) is not supported yet', spec.span));
    return undefined;
  }
  const partitionBy = spec.partitionBy.map((p) => pre.index(eb.bind(p, scope)));
  const order: SortKeySpec[] = spec.orderBy.map((o) => ({ column: pre.index(eb.bind(o.expr, scope)), descending: o.desc }));
  if (diagnostics.length > before) return undefined;
  const rowtime = pre.fields.length - 1;
  const calcTypes: SqlType[] = pre.exprs.map((_, i) => pre.typeAt(i));
  const timeOrdered = spec.orderBy.length === 1 && order[0]!.column < pre.fields.length && pre.fields[order[0]!.column]!.type === 'TIMESTAMP';
  const orderSrc = ctx.over(col(order[0]!.column, 'TIMESTAMP'));
  const isTimeAttribute = timeOrdered && (order[0]!.column === rowtime || (orderSrc.k === 'col' && ctx.source.watermark?.column === orderSrc.index));
  const referencesRank = q.items.some((i) => i.kind === 'star' || mentions(i.expr, shape.rankName)) || (shape.rest !== undefined && mentions(shape.rest, shape.rankName));
  let operator: PostOperatorSpec;
  let updating: boolean;
  let eventTime: number | undefined;
  if (call.name === 'ROW_NUMBER' && shape.limit === 1 && isTimeAttribute) {
    const keep = order[0]!.descending ? 'last' : 'first';
    const byRowtime = order[0]!.column === rowtime;
    operator = { kind: 'dedup', spec: { inputWidth: pre.width, keys: partitionBy, keep, order: byRowtime ? 'arrival' : { time: order[0]!.column } } };
    updating = keep === 'last';
    if (!byRowtime && keep === 'first' && orderSrc.k === 'col') eventTime = orderSrc.index;
  } else {
    operator = { kind: 'rank', spec: { inputWidth: pre.width, partitionBy, orderBy: order, fn: call.name as 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK', limit: shape.limit, outputRank: referencesRank, inputRetracts: false } };
    updating = true;
    if (referencesRank) calcTypes.push('BIGINT');
  }
  const rankAt = pre.width;
  const rankName = shape.rankItem.alias!;
  const dedupRank = operator.kind === 'dedup';
  // The calc reads the pre columns in order, then the rank column by its alias; a dedup's rank is 1.
  const calcScope: Scope = { ...scope, windowFields: new Set(), fields: calcLayout(pre, rankName.name) };
  const bindOuter = (e: A.Expr) => eb.bind(dedupRank ? rankIsOne(e, shape.rankName) : e, calcScope);
  const outputs: BoundExpr[] = [];
  const fields: Field[] = [];
  q.items.forEach((item, i) => {
    if (item.kind === 'star') {
      starColumns(pre, outputs, fields);
      if (referencesRank) {
        outputs.push(dedupRank ? { k: 'lit', value: 1, type: 'BIGINT' } : col(rankAt, 'BIGINT'));
        fields.push({ name: rankName.name, type: 'BIGINT' });
      }
      return;
    }
    const e = bindOuter(item.expr);
    outputs.push(e);
    fields.push({ name: ctx.outputName(item, i), type: e.type });
  });
  const where = shape.rest ? bindOuter(shape.rest) : null;
  if (where) eb.expectBool(where, shape.rest!.span);
  if (diagnostics.length > before) return undefined;
  const plan = L.project(ctx.plan, pre.exprs, pre.exprs.map((_, i) => `$${i}`), pre.exprs[rowtime]!);
  return { plan, post: { operators: [operator], calcInput: dedupRank ? calcTypes.slice(0, pre.width) : calcTypes, where, outputs, updating, ...(eventTime !== undefined ? { eventTime } : {}) }, fields };
}

/** `*` in the SELECT list of a post stage's calc: the relation's columns, without ROWTIME. */
function starColumns(pre: PreColumns, outputs: BoundExpr[], fields: Field[]): void {
  pre.fields.slice(0, -1).forEach((f, c) => {
    outputs.push(col(c, f.type));
    fields.push({ name: f.name, type: f.type });
  });
}

/** The calc input as a scope: the pre columns in order (relation columns, ROWTIME, extras), then the rank. */
function calcLayout(pre: PreColumns, rankName: string): Field[] {
  return [...pre.fields, ...pre.exprs.slice(pre.fields.length).map((e, i) => ({ name: `$pre${i}`, type: e.type })), { name: rankName, type: 'BIGINT' }];
}

/** A dedup has no rank column: where the outer query reads it, it is 1. */
function rankIsOne(e: A.Expr, name: string): A.Expr {
  return JSON.parse(JSON.stringify(e), (_k, v: unknown) => {
    const x = v as A.Expr | null;
    if (x && typeof x === 'object' && x.kind === 'column' && !x.qualifier && x.name.name.toLowerCase() === name) return { kind: 'number', text: '1', value: 1, span: x.span };
    return v;
  }) as A.Expr;
}

function mentions(e: A.Expr, name: string): boolean {
  if (e.kind === 'column' && !e.qualifier && e.name.name.toLowerCase() === name) return true;
  return A.childExprs(e).some((c) => mentions(c, name));
}
