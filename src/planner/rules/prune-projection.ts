import { columnsOf, remapColumns, type BoundExpr } from '../bound-expr.js';
import type { LogicalPlan, WindowSpec } from '../logical/plan.js';
import * as L from '../logical/plan.js';

/**
 * Pushes the projection into the scan: the scan keeps only the source columns some expression
 * reads (plus `keep`, e.g. the watermark column), and expressions over source rows are renumbered.
 * A kept computed column keeps the columns it reads; computed columns come after the others, so
 * the decoded columns are a prefix of the row stage's input. Nodes above an aggregate read the
 * aggregate's output, so they stay as they are.
 */
export function pruneProjection(plan: LogicalPlan, keep: readonly number[] = []): LogicalPlan {
  const chain: LogicalPlan[] = [];
  for (let p: LogicalPlan = plan; ; p = (p as { input: LogicalPlan }).input) {
    chain.push(p);
    if (p.kind === 'scan') break;
  }
  const scanNode = chain[chain.length - 1] as L.Scan;
  const aggAt = chain.findIndex((p) => p.kind === 'aggregate');
  const readsSource = (i: number) => aggAt < 0 || i >= aggAt;
  const used = new Set<number>(keep);
  const use = (e: BoundExpr) => columnsOf(e, used);
  const useWindow = (w: WindowSpec) => { used.add(w.timeColumn); if (w.startColumn !== undefined) used.add(w.startColumn); w.partitionBy.forEach(use); };
  chain.forEach((p, i) => {
    if (!readsSource(i)) return;
    if (p.kind === 'filter') use(p.predicate);
    else if (p.kind === 'window-assign') useWindow(p.window);
    else if (p.kind === 'project') { p.exprs.forEach(use); use(p.rowtime); }
    else if (p.kind === 'aggregate') { useWindow(p.window); p.keys.forEach(use); p.aggs.forEach((a) => { if (a.arg) use(a.arg); if (a.filter) use(a.filter); }); }
  });
  const width = scanNode.schema.length;
  const computed = (i: number) => scanNode.schema[i]!.computed;
  for (const i of [...used]) {
    const c = i < width ? computed(i) : undefined;
    if (c) for (const source of columnsOf(c)) used.add(scanNode.columns.indexOf(source));
  }
  const kept = [...used].filter((i) => i < width).sort((a, b) => (computed(a) ? 1 : 0) - (computed(b) ? 1 : 0) || a - b);
  const map = (i: number) => (i < width ? kept.indexOf(i) : kept.length + (i - width));
  const re = (e: BoundExpr) => remapColumns(e, map);
  const reWindow = (w: WindowSpec): WindowSpec => ({ ...w, timeColumn: map(w.timeColumn), ...(w.startColumn !== undefined ? { startColumn: map(w.startColumn) } : {}), partitionBy: w.partitionBy.map(re) });

  let out: LogicalPlan = L.scan(scanNode.stream, kept.map((i) => scanNode.columns[i]!), kept.map((i) => scanNode.schema[i]!));
  for (let i = chain.length - 2; i >= 0; i--) {
    const p = chain[i]!;
    const remap = readsSource(i);
    switch (p.kind) {
      case 'filter': out = L.filter(out, remap ? re(p.predicate) : p.predicate); break;
      case 'window-assign': out = L.windowAssign(out, reWindow(p.window)); break;
      case 'aggregate': out = { ...p, input: out, window: reWindow(p.window), keys: p.keys.map(re), aggs: p.aggs.map((a) => ({ ...a, arg: a.arg ? re(a.arg) : null, ...(a.filter ? { filter: re(a.filter) } : {}) })) }; break;
      case 'project': out = { ...p, input: out, exprs: remap ? p.exprs.map(re) : p.exprs, rowtime: remap ? re(p.rowtime) : p.rowtime }; break;
      case 'sink': out = { ...p, input: out }; break;
      case 'scan': break;
    }
  }
  return out;
}
