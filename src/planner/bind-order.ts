import * as A from '../sql/ast.js';
import { sqlError, type SqlError } from '../sql/diagnostics.js';
import { exprKey } from './bind-expr.js';
import { ROWTIME } from './catalog.js';
import type { BoundQuery } from './bind.js';
import type { OrderKey } from './logical/project.js';

/**
 * ORDER BY in a continuous query, as KDA accepts it: the first key must follow time (ROWTIME, or a
 * FLOOR or STEP of it, or the query's GROUP BY time bucket), ascending, because a stream can only
 * be ordered by what it is already ordered by. In an aggregation, the keys after it order the rows
 * each window emits (they all leave at once, at the window's end); they must be output columns.
 * LIMIT, or a first key that does not follow time, is refused with the way to a top N.
 */
export function bindOrder(q: A.OrderedQuery, bound: BoundQuery, diagnostics: SqlError[]): BoundQuery | undefined {
  const fail = (message: string, span: A.OrderedQuery['span'], hint?: string) => {
    diagnostics.push(sqlError('SQL_UNSUPPORTED', message, span, hint));
    return undefined;
  };
  const topN = 'for the top N rows per key use ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) in a subquery and WHERE rn <= N';
  if (q.limit !== undefined) return fail('a continuous query cannot LIMIT its whole result', q.span, topN);
  const select = q.body.kind === 'select' ? q.body : undefined;
  if (!select || bound.plan.kind !== 'project') return fail('ORDER BY applies to a SELECT here', q.span);
  // Items line up with output columns only without `*`; then a key can also name a column by its expression.
  const items = select.items.every((i) => i.kind === 'select-item') ? (select.items as readonly A.SelectItem[]) : [];
  const names = bound.fields.map((f) => f.name);
  const grouped = bound.plan.input.kind === 'aggregate' || (bound.plan.input.kind === 'filter' && bound.plan.input.input.kind === 'aggregate');
  const buckets = new Set(select.groupBy.filter(isTimeBucket).map(exprKey));
  const followsTime = (e: A.Expr): boolean => isRowtime(e) || (isTimeBucket(e) && isRowtime(bucketOperand(e)!)) || buckets.has(exprKey(e));
  const [first, ...rest] = q.orderBy;
  const firstItem = first ? outputColumn(first.expr, items, names) : -1;
  if (!first || first.desc || !(followsTime(first.expr) || (firstItem >= 0 && followsTime(items[firstItem]!.expr)))) {
    return fail('ORDER BY in a streaming query must start with ROWTIME, or a FLOOR or STEP of it, ascending', first?.span ?? q.span,
      `write ORDER BY FLOOR(s.ROWTIME TO MINUTE), ...; ${topN}`);
  }
  const keys: OrderKey[] = [];
  for (const item of rest) {
    if (followsTime(item.expr) && !item.desc) continue;
    const column = outputColumn(item.expr, items, names);
    if (column < 0) return fail('an ORDER BY key after the time must be one of the query\'s output columns', item.span, `select it, then ORDER BY its name: ${names.join(', ')}`);
    keys.push({ column, desc: item.desc });
  }
  if (keys.length && !grouped) {
    return fail('ordering the rows of a non-aggregating query within a time bucket is not supported yet', rest[0]!.span,
      'ORDER BY the time alone (rows already leave in ROWTIME order), or aggregate per window and order each window\'s rows');
  }
  if (!keys.length) return bound;
  return { ...bound, plan: { ...bound.plan, orderWithin: keys } };
}

function isRowtime(e: A.Expr): boolean {
  return e.kind === 'column' && (e.name.quoted ? e.name.name === ROWTIME : e.name.name.toUpperCase() === ROWTIME);
}

function isTimeBucket(e: A.Expr): boolean {
  return (e.kind === 'floor-to' && e.fn === 'FLOOR') || (e.kind === 'step' && e.interval.kind === 'interval');
}

function bucketOperand(e: A.Expr): A.Expr | undefined {
  return e.kind === 'floor-to' || e.kind === 'step' ? e.operand : undefined;
}

/** The output column an ORDER BY key names: by its name (alias), or as the same expression as a select item; or -1. */
function outputColumn(e: A.Expr, items: readonly A.SelectItem[], names: readonly string[]): number {
  if (e.kind === 'column' && !e.qualifier) {
    const byName = names.findIndex((n) => n === e.name.name || (!e.name.quoted && n.toLowerCase() === e.name.name.toLowerCase()));
    if (byName >= 0) return byName;
  }
  const key = exprKey(e);
  return items.findIndex((i) => exprKey(i.expr) === key);
}
