import type * as A from '../sql/ast.js';
import { nearestName, type Span } from '../sql/diagnostics.js';
import type { Scope } from './bind-expr.js';
import type { Field } from './types.js';

/** Why a name did not resolve: the caller reports it, or only compares when it is computing a key. */
export interface Miss {
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
}

/** The names of a column reference (`t.bid.price` is t, bid, price), or undefined for a field of a non-column. */
export function pathOf(e: A.ColumnRef | A.FieldAccess): A.Ident[] | undefined {
  if (e.kind === 'column') return e.qualifier ? [e.qualifier, e.name] : [e.name];
  if (e.operand.kind !== 'column' && e.operand.kind !== 'field') return undefined;
  const base = pathOf(e.operand);
  return base ? [...base, e.field] : undefined;
}

/**
 * Resolves `a`, `t.a`, `row.leaf` and `t.row.leaf` to a field index. A first name that is a
 * qualifier of the input (its stream or alias) is one; otherwise it is a ROW column. A computed
 * column that only copies another column (`p AS PROCTIME()`) resolves to that column, so a
 * window over it is a window over ROWTIME.
 */
export function lookupPath(parts: readonly A.Ident[], scope: Scope): number | Miss {
  const qualified = parts.length > 1 && scope.qualifiers.some((q) => sameIdent(q, parts[0]!));
  if (!qualified) return lookupName(parts, scope);
  const rest = lookupName(parts.slice(1), scope);
  if (typeof rest === 'number') return rest;
  // The stream may be named like one of its ROW columns (FROM datagen AS bid ... bid.price).
  const whole = lookupName(parts, scope);
  return typeof whole === 'number' ? whole : rest;
}

function lookupName(parts: readonly A.Ident[], scope: Scope): number | Miss {
  const i = parts.length === 1 ? findColumn(parts[0]!, scope) : findLeafOrDotted(parts, scope.fields);
  if (i < 0) return miss(parts, scope);
  const c = scope.fields[i]!.computed;
  return c?.k === 'col' ? c.index : i;
}

function findColumn(id: A.Ident, scope: Scope): number {
  const fields = scope.fields;
  for (const i of scope.windowFields ?? []) if (matches(fields[i]!.name, id)) return i;
  const exact = fields.findIndex((f) => f.name === id.name);
  if (exact >= 0 || id.quoted) return exact;
  const lower = id.name.toLowerCase();
  return fields.findIndex((f) => f.name.toLowerCase() === lower);
}

/** The ROW leaf whose path the names spell; a spelling with the declared case wins over another. */
function findLeaf(parts: readonly A.Ident[], fields: readonly Field[]): number {
  let found = -1;
  for (let i = 0; i < fields.length; i++) {
    const path = fields[i]!.path;
    if (!path || path.length !== parts.length || !parts.every((p, k) => matches(path[k]!, p))) continue;
    if (parts.every((p, k) => p.name === path[k])) return i;
    if (found < 0) found = i;
  }
  return found;
}

/**
 * A ROW leaf, or else a column named like one (`SELECT *` over a stream with ROW columns outputs
 * `bid.price`), so a query over such an output reads it the way it read the source.
 */
function findLeafOrDotted(parts: readonly A.Ident[], fields: readonly Field[]): number {
  const leaf = findLeaf(parts, fields);
  if (leaf >= 0) return leaf;
  const dotted = parts.map((p) => p.name).join('.');
  const exact = fields.findIndex((f) => !f.path && f.name === dotted);
  if (exact >= 0 || parts.some((p) => p.quoted)) return exact;
  return fields.findIndex((f) => !f.path && f.name.toLowerCase() === dotted.toLowerCase());
}

function matches(name: string, id: A.Ident): boolean {
  return id.quoted ? name === id.name : name.toLowerCase() === id.name.toLowerCase();
}

function sameIdent(a: A.Ident, b: A.Ident): boolean {
  if (a.quoted && b.quoted) return a.name === b.name;
  return a.name.toLowerCase() === b.name.toLowerCase();
}

function show(id: A.Ident): string {
  return id.quoted ? `"${id.name}"` : id.name;
}

function spanOf(parts: readonly A.Ident[]): Span {
  return { start: parts[0]!.span.start, end: parts[parts.length - 1]!.span.end };
}

/** The diagnostic for names that resolve to nothing, saying what they come closest to. */
function miss(parts: readonly A.Ident[], scope: Scope): Miss {
  const fields = scope.fields;
  const shown = parts.map(show).join('.');
  const under = (prefix: readonly A.Ident[]) => fields.filter((f) => f.path && f.path.length > prefix.length && prefix.every((p, k) => matches(f.path![k]!, p)));
  const inside = under(parts);
  if (inside.length) {
    const examples = inside.slice(0, 3).map((f) => f.name).join(', ');
    return { code: 'SQL_ROW_COLUMN', message: `${shown} is a ROW column: a query reads its fields, not the whole row`, span: spanOf(parts), hint: `name the fields you need, e.g. ${examples}` };
  }
  if (parts.length === 1) {
    const id = parts[0]!;
    const names = fields.map((f) => f.name);
    const near = nearestName(id.name, names);
    const insensitive = id.quoted ? fields.find((f) => f.name.toLowerCase() === id.name.toLowerCase()) : undefined;
    const hint = insensitive ? `quoted names match exactly: did you mean "${insensitive.name}"?` : near ? `did you mean ${near}?` : `columns are ${names.join(', ')}`;
    return { code: 'SQL_UNKNOWN_COLUMN', message: `unknown column ${show(id)}`, span: id.span, hint };
  }
  for (let n = parts.length - 1; n >= 1; n--) {
    const leaves = under(parts.slice(0, n));
    if (!leaves.length) continue;
    const row = parts.slice(0, n).map(show).join('.');
    const near = nearestName(parts.slice(n).map((p) => p.name).join('.'), leaves.map((f) => f.path!.slice(n).join('.')));
    return { code: 'SQL_UNKNOWN_COLUMN', message: `ROW column ${row} has no field ${parts.slice(n).map(show).join('.')}`, span: spanOf(parts.slice(n)), hint: near ? `did you mean ${row}.${near}?` : `its fields are ${leaves.map((f) => f.name).join(', ')}` };
  }
  const plain = findColumn(parts[0]!, { fields, qualifiers: [] });
  if (plain >= 0) return { code: 'SQL_TYPE', message: `${show(parts[0]!)} is ${fields[plain]!.type}, not a ROW: it has no fields`, span: spanOf(parts) };
  const hint = scope.qualifiers.length ? `the query reads ${scope.qualifiers.map(show).join(', ')}` : undefined;
  return { code: 'SQL_UNKNOWN_STREAM', message: `unknown stream or alias ${show(parts[0]!)}`, span: parts[0]!.span, ...(hint ? { hint } : {}) };
}
