import { exprToString } from './bound-expr.js';
import * as L from './logical/plan.js';
import type { QueryPlan } from './physical.js';
import { describePostOperator } from '../runtime/post-stage.js';

/** EXPLAIN output: the logical plan as an indented tree, then where each stage runs. */
export function explainPlan(plan: QueryPlan, workers: number): string {
  const lines: string[] = [];
  const walk = (p: L.LogicalPlan, depth: number): void => {
    const pad = '  '.repeat(depth);
    const inputNames = 'input' in p ? p.input.schema.map((f) => f.name) : [];
    switch (p.kind) {
      case 'sink': lines.push(`${pad}Sink: ${p.stream} (${p.schema.map((f) => `${f.name} ${f.type}`).join(', ')})`); break;
      case 'project': lines.push(`${pad}Project: ${p.exprs.map((e, i) => `${exprToString(e, inputNames)} AS ${p.schema[i]!.name}`).join(', ')}`); break;
      case 'filter': lines.push(`${pad}Filter: ${exprToString(p.predicate, inputNames)}`); break;
      case 'window-assign': lines.push(`${pad}WindowAssign: ${L.describeWindow(p.window, inputNames)}`); break;
      case 'aggregate': {
        const aggs = p.aggs.map((a) => `${a.fn === 'COUNT_STAR' ? 'COUNT(*)' : a.fn === 'COUNT_DISTINCT' ? `COUNT(DISTINCT ${exprToString(a.arg!, inputNames)})` : `${a.fn}(${exprToString(a.arg!, inputNames)})`}${a.filter ? ` FILTER (WHERE ${exprToString(a.filter, inputNames)})` : ''}`);
        lines.push(`${pad}WindowAggregate: ${L.describeWindow(p.window, inputNames)} keys=[${p.keys.map((k) => exprToString(k, inputNames)).join(', ')}] aggs=[${aggs.join(', ')}] emit=${p.emit}`);
        break;
      }
      case 'scan': lines.push(`${pad}Scan: ${p.stream} columns=[${p.schema.map((f) => f.name).join(', ')}]`); break;
    }
    if ('input' in p) walk(p.input, depth + 1);
  };
  walk(plan.logical, 0);
  lines.push('Physical:');
  const pool = workers > 0 ? `worker pool (${workers} threads), chunk-parallel` : 'coordinator thread';
  const decoded = plan.sourceColumns.length;
  const computed = plan.computed.length ? ` -> compute [${plan.inputNames.slice(decoded).join(', ')}]` : '';
  lines.push(`  RowStage on ${pool}: decode [${plan.inputNames.slice(0, decoded).join(', ')}]${computed}${plan.where ? ' -> filter' : ''}${plan.window ? ' -> assign windows' : ''}${plan.mode === 'aggregate' ? ' -> partial aggregate per (window, key)' : ' -> project'}`);
  if (plan.mode === 'aggregate') {
    const keys = plan.keys.length ? `hash(${plan.keys.map((k) => exprToString(k, plan.inputNames)).join(', ')})` : 'a single partition (no keys)';
    if (workers > 0) lines.push(`  Exchange: partials split by ${keys} into ${workers} partitions, sent as Arrow IPC`);
    const where = workers > 0 ? `${workers} partitions, partition p on worker p` : 'coordinator thread';
    lines.push(`  WindowStage on ${where}: merge partials, watermark ${plan.watermark ? `= max(${plan.inputNames[plan.watermark.column]}) - ${plan.watermark.delayMs}ms` : 'none'}, emit ${plan.emit === 'changes' ? 'changes' : 'when watermark passes window end'}`);
  }
  if (plan.post) {
    lines.push('  PostStage on coordinator thread:');
    for (const op of plan.post.operators) lines.push(`    ${describePostOperator(op)}`);
    lines.push(`    Calc: ${plan.post.where ? 'filter -> ' : ''}project ${plan.post.outputs.length} column(s)${plan.post.updating ? ', an updating result (+I, -U, +U, -D)' : ''}`);
  }
  if (plan.stateTtlMs !== undefined) lines.push(`  State TTL: ${plan.stateTtlMs} ms (processing time)`);
  return lines.join('\n');
}
