import { remapColumns, type BoundExpr } from './bound-expr.js';
import type { StreamDef } from './catalog.js';
import * as L from './logical/plan.js';
import { pruneProjection } from './rules/prune-projection.js';
import type { Field, SqlType } from './types.js';
import type { BoundPost } from './bind-over.js';
import type { PostStage } from '../runtime/post-stage.js';

/**
 * What runs: a serializable description of one continuous query, split into the row stage
 * (decode, filter, window assignment, partial aggregation: runs on the worker pool, chunk by chunk)
 * and the window stage (merge partials, watermark, emit: keyed state on the coordinating thread).
 */
export interface QueryPlan {
  readonly id: string;
  /** The pump or stream name, for error_stream's PUMP_NAME. */
  readonly name: string;
  readonly source: string;
  /**
   * Indexes of the decoded source fields (and ROWTIME) the query reads: the first columns of the
   * row stage's input, in order. Its computed columns follow them.
   */
  readonly sourceColumns: readonly number[];
  /** The row stage's input columns: `sourceColumns`, then `computed`. */
  readonly inputTypes: readonly SqlType[];
  readonly inputNames: readonly string[];
  /** Computed columns the query reads, evaluated over the row stage's input before anything else. */
  readonly computed: readonly BoundExpr[];
  readonly where: BoundExpr | null;
  readonly window: L.WindowSpec | null;
  readonly mode: 'project' | 'aggregate';
  readonly keys: readonly BoundExpr[];
  readonly aggs: readonly L.AggCall[];
  readonly emit: 'final' | 'changes';
  readonly having: BoundExpr | null;
  readonly outputs: readonly BoundExpr[];
  readonly outputFields: readonly Field[];
  readonly rowtime: BoundExpr;
  /** The input column the watermark follows, and its delay; ROWTIME's delay is zero. */
  readonly watermark: { readonly column: number; readonly delayMs: number } | null;
  readonly target: string;
  readonly logical: L.LogicalPlan;
  /** The result updates (+I, -U, +U, -D): a GROUP BY without a time window, a Top-N. */
  readonly updating: boolean;
  /** OVER aggregates, a Top-N or a dedup after the row stage, on the coordinating thread. */
  readonly post?: PostStage;
  /** `SET 'table.exec.state.ttl'`: unbounded state untouched this long (processing time) is forgotten. */
  readonly stateTtlMs?: number;
  /** Output columns that rows with the same ROWTIME leave sorted by (ORDER BY ROWTIME, ...). */
  readonly orderWithin?: readonly L.OrderKey[];
}

export function physicalPlan(id: string, name: string, logical: L.LogicalPlan, source: StreamDef, target: string, outputFields: readonly Field[], post?: BoundPost): QueryPlan {
  const agg = findNode(logical, 'aggregate');
  const wa = findNode(logical, 'window-assign');
  const window = agg?.window ?? wa?.window ?? null;
  // The row stage reads the column a watermark follows: a window's time, or a post stage's event time.
  const wmColumn = window ? window.timeColumn : post?.eventTime ?? null;
  const pruned = pruneProjection(logical, wmColumn !== null ? [wmColumn] : []);
  const scan = findNode(pruned, 'scan')!;
  const pAgg = findNode(pruned, 'aggregate');
  const pWa = findNode(pruned, 'window-assign');
  const pWindow = pAgg?.window ?? pWa?.window ?? null;
  const project = pruned.kind === 'project' ? pruned : findNode(pruned, 'project')!;
  const filters = collect(pruned, 'filter');
  const aggIndex = chainOf(pruned).findIndex((p) => p.kind === 'aggregate');
  const chain = chainOf(pruned);
  const where = filters.find((f) => aggIndex < 0 || chain.indexOf(f) > aggIndex)?.predicate ?? null;
  const having = aggIndex >= 0 ? filters.find((f) => chain.indexOf(f) < aggIndex)?.predicate ?? null : null;
  let watermark: QueryPlan['watermark'] = null;
  if (pWindow && pWindow.type !== 'global') {
    const srcCol = scan.columns[pWindow.timeColumn]!;
    const rowtimeCol = source.fields.length - 1;
    const delay = srcCol !== rowtimeCol && source.watermark?.column === srcCol ? source.watermark.delayMs : 0;
    // A columns window's time is its end: the watermark trails it by 1 ms, so the rows that end a
    // window together are all in it before it closes.
    watermark = { column: pWindow.timeColumn, delayMs: pWindow.type === 'columns' ? Math.max(delay, 1) : delay };
  } else if (post?.eventTime !== undefined) {
    const delay = source.watermark?.column === post.eventTime ? source.watermark.delayMs : 0;
    watermark = { column: findNode(pruned, 'scan')!.columns.indexOf(post.eventTime), delayMs: delay };
  }
  const decoded = scan.columns.filter((c) => !source.fields[c]!.computed);
  const position = (c: number) => scan.columns.indexOf(c);
  const computed = scan.columns.slice(decoded.length).map((c) => remapColumns(source.fields[c]!.computed!, position));
  return {
    id, name, source: source.name,
    sourceColumns: decoded,
    computed,
    inputTypes: scan.schema.map((f) => f.type),
    inputNames: scan.schema.map((f) => f.name),
    where,
    window: pWindow,
    mode: pAgg ? 'aggregate' : 'project',
    keys: pAgg?.keys ?? [],
    aggs: pAgg?.aggs ?? [],
    emit: pAgg?.emit ?? 'final',
    having,
    outputs: project.exprs,
    // With a post stage the row stage's rows are its input; the query's own rows come out of it.
    outputFields: post ? project.schema : outputFields,
    rowtime: project.rowtime,
    watermark,
    target,
    logical: pruned,
    updating: pWindow?.type === 'global' || (post?.updating ?? false),
    ...(post ? { post: { input: project.schema, operators: post.operators, calcInput: post.calcInput, where: post.where, outputs: post.outputs, updating: post.updating } } : {}),
    ...(project.orderWithin?.length ? { orderWithin: project.orderWithin } : {}),
  };
}

function chainOf(p: L.LogicalPlan): L.LogicalPlan[] {
  const out: L.LogicalPlan[] = [];
  for (let x: L.LogicalPlan | undefined = p; x; x = 'input' in x ? x.input : undefined) out.push(x);
  return out;
}

function findNode<K extends L.LogicalPlan['kind']>(p: L.LogicalPlan, kind: K): Extract<L.LogicalPlan, { kind: K }> | undefined {
  return chainOf(p).find((x) => x.kind === kind) as Extract<L.LogicalPlan, { kind: K }> | undefined;
}

function collect<K extends L.LogicalPlan['kind']>(p: L.LogicalPlan, kind: K): Extract<L.LogicalPlan, { kind: K }>[] {
  return chainOf(p).filter((x) => x.kind === kind) as Extract<L.LogicalPlan, { kind: K }>[];
}
