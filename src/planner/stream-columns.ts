import type * as A from '../sql/ast.js';
import { nearestName, sqlError, type SqlError } from '../sql/diagnostics.js';
import { ExprBinder } from './bind-expr.js';
import { replaceColumns } from './bound-expr.js';
import { ROWTIME } from './catalog.js';
import { columnTypeOf, KNOWN_TYPES, type Field } from './types.js';

/**
 * The fields of a declared stream in declared order, ROWTIME last. A ROW column becomes one field
 * per leaf (`bid.price`, path ['bid', 'price']), which is what queries read; a computed column is
 * bound over the stream's other columns, with computed columns declared before it replaced by
 * their definitions, so its expression reads only decoded columns and ROWTIME.
 */
export function declaredFields(s: A.CreateStream, format: string, diagnostics: SqlError[]): Field[] {
  const fields: Field[] = [];
  const seen = new Set<string>();
  const declare = (id: A.Ident) => {
    const key = id.name.toLowerCase();
    if (seen.has(key)) diagnostics.push(sqlError('SQL_DUPLICATE_COLUMN', `column ${id.name} is declared twice`, id.span));
    if (key === 'rowtime') diagnostics.push(sqlError('SQL_RESERVED_COLUMN', 'ROWTIME is implicit in every stream and cannot be declared', id.span));
    seen.add(key);
  };
  const computed: { at: number; def: A.ComputedColumn }[] = [];
  const byPosition = new Map(s.computed.map((c) => [c.position, c]));
  let physical = 0;
  for (let position = 0; position < s.columns.length + s.computed.length; position++) {
    const c = byPosition.get(position);
    if (c) {
      declare(c.name);
      computed.push({ at: fields.length, def: c });
      fields.push({ name: c.name.name, type: 'NULL' });
      continue;
    }
    const column = s.columns[physical++]!;
    declare(column.name);
    if (column.type.name === 'ROW' && format === 'csv') {
      diagnostics.push(sqlError('SQL_BAD_TYPE', `CSV records have no nested fields for ROW column ${column.name.name}`, column.type.span, 'declare each field as a column of its own, or read the stream WITH (format = \'json\')'));
      continue;
    }
    addLeaves(column.type, [column.name.name], fields, diagnostics);
  }
  fields.push({ name: ROWTIME, type: 'TIMESTAMP' });
  bindComputed(s.name, fields, computed, diagnostics);
  return fields;
}

function addLeaves(t: A.TypeName, path: string[], fields: Field[], diagnostics: SqlError[]): void {
  if (t.name === 'ROW') {
    if (!t.fields?.length) {
      diagnostics.push(sqlError('SQL_BAD_TYPE', 'a ROW needs at least one field', t.span, 'ROW<id BIGINT, name VARCHAR>'));
      return;
    }
    const seen = new Set<string>();
    for (const f of t.fields) {
      const key = f.name.name.toLowerCase();
      if (seen.has(key)) diagnostics.push(sqlError('SQL_DUPLICATE_COLUMN', `ROW field ${f.name.name} is declared twice`, f.name.span));
      seen.add(key);
      addLeaves(f.type, [...path, f.name.name], fields, diagnostics);
    }
    return;
  }
  const type = columnTypeOf(t);
  if (!type) {
    const near = nearestName(t.name, [...KNOWN_TYPES, 'ROW']);
    diagnostics.push(sqlError('SQL_BAD_TYPE', `unknown type ${t.name}`, t.span, near ? `did you mean ${near}?` : undefined));
    return;
  }
  fields.push(path.length === 1 ? { name: path[0]!, type } : { name: path.join('.'), type, path });
}

function bindComputed(stream: A.Ident, fields: Field[], computed: readonly { at: number; def: A.ComputedColumn }[], diagnostics: SqlError[]): void {
  const eb = new ExprBinder(diagnostics);
  const pending = new Set(computed.map((c) => c.at));
  for (const { at, def } of computed) {
    const before = diagnostics.length;
    const bound = eb.bind(def.expr, { fields, qualifiers: [stream] });
    if (diagnostics.length > before) continue;
    let later: string | undefined;
    const expr = replaceColumns(bound, (c) => {
      if (pending.has(c.index)) later ??= fields[c.index]!.name;
      return fields[c.index]!.computed ?? c;
    });
    if (later !== undefined) {
      const what = later === def.name.name ? 'itself' : `${later}, which is declared after it`;
      diagnostics.push(sqlError('SQL_COMPUTED_COLUMN', `computed column ${def.name.name} reads ${what}`, def.expr.span, 'a computed column reads the stream\'s columns and the computed columns declared before it'));
      continue;
    }
    fields[at] = { name: def.name.name, type: bound.type, computed: expr };
    pending.delete(at);
  }
}
