import type { CstNode, IToken, CstElement } from 'chevrotain';
import { sqlParser } from './parser.js';
import type * as A from './ast.js';
import { sqlError, type SqlError, type Span } from './diagnostics.js';

type Ctx = Record<string, CstElement[] | undefined>;

const BaseVisitor = sqlParser.getBaseCstVisitorConstructor();

const TIME_UNITS: Record<string, A.TimeUnit> = {
  MILLISECOND: 'MILLISECOND', MILLISECONDS: 'MILLISECOND',
  SECOND: 'SECOND', SECONDS: 'SECOND', MINUTE: 'MINUTE', MINUTES: 'MINUTE', HOUR: 'HOUR', HOURS: 'HOUR',
  DAY: 'DAY', DAYS: 'DAY', WEEK: 'WEEK', WEEKS: 'WEEK', MONTH: 'MONTH', MONTHS: 'MONTH', YEAR: 'YEAR', YEARS: 'YEAR',
};
export const UNIT_MILLIS: Record<A.TimeUnit, number> = {
  MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000, WEEK: 604_800_000,
  MONTH: 30 * 86_400_000, YEAR: 365 * 86_400_000,
};

export function tokenSpan(t: IToken): Span {
  return {
    start: { line: t.startLine ?? 1, column: t.startColumn ?? 1, offset: t.startOffset },
    end: { line: t.endLine ?? t.startLine ?? 1, column: (t.endColumn ?? t.startColumn ?? 1) + 1, offset: (t.endOffset ?? t.startOffset) + 1 },
  };
}

function nodeSpan(n: CstNode): Span {
  const l = n.location!;
  return {
    start: { line: l.startLine ?? 1, column: l.startColumn ?? 1, offset: l.startOffset },
    end: { line: l.endLine ?? 1, column: (l.endColumn ?? 0) + 1, offset: (l.endOffset ?? l.startOffset) + 1 },
  };
}

function join(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}

const tok = (ctx: Ctx, key: string, i = 0): IToken | undefined => ctx[key]?.[i] as IToken | undefined;
const node = (ctx: Ctx, key: string, i = 0): CstNode | undefined => ctx[key]?.[i] as CstNode | undefined;
const nodes = (ctx: Ctx, key: string): CstNode[] => (ctx[key] ?? []) as CstNode[];
const toks = (ctx: Ctx, key: string): IToken[] => (ctx[key] ?? []) as IToken[];

function unquote(image: string): string {
  const q = image[0]!;
  return image.slice(1, -1).split(q + q).join(q);
}

/** Turns the CST into the AST, collecting diagnostics for shapes the grammar accepts but SQL does not. */
export class CstToAst extends BaseVisitor {
  readonly diagnostics: SqlError[] = [];

  constructor() {
    super();
    this.validateVisitor();
  }

  private fail(code: string, message: string, span: Span, hint?: string): void {
    this.diagnostics.push(sqlError(code, message, span, hint));
  }

  script(ctx: Ctx): A.Statement[] {
    return nodes(ctx, 'statement').map((s) => this.visit(s) as A.Statement);
  }

  statement(ctx: Ctx, self?: CstNode): A.Statement {
    if (ctx.setStatement) return this.visit(node(ctx, 'setStatement')!);
    let inner: A.CreateStream | A.InsertInto | A.CreatePump | A.QueryStatement | A.CreateView | A.CreateFunction;
    if (ctx.createStatement) inner = this.visit(node(ctx, 'createStatement')!);
    else if (ctx.insertStatement) inner = this.visit(node(ctx, 'insertStatement')!);
    else {
      const q = node(ctx, 'query')!;
      inner = { kind: 'query-statement', query: this.visit(q), span: nodeSpan(q) };
    }
    const explain = tok(ctx, 'Explain');
    if (!explain) return inner;
    if (inner.kind === 'create-function') {
      this.fail('SQL_EXPLAIN', 'EXPLAIN needs a query', inner.span);
      return inner;
    }
    return { kind: 'explain', statement: inner, span: join(tokenSpan(explain), inner.span) };
  }

  setStatement(ctx: Ctx): A.SetOption {
    const option = this.visit(node(ctx, 'withOption')!) as A.WithOption;
    return { kind: 'set', key: option.key, value: option.value, span: join(tokenSpan(tok(ctx, 'Set')!), option.span) };
  }

  createStatement(ctx: Ctx): A.CreateStream | A.CreatePump | A.CreateView | A.CreateFunction {
    const create = tok(ctx, 'Create')!;
    const orReplace = ctx.Replace !== undefined;
    if (ctx.Pump) {
      const insert = this.visit(node(ctx, 'insertStatement')!) as A.InsertInto;
      return { kind: 'create-pump', name: this.visit(node(ctx, 'pumpName')!), orReplace, insert, span: join(tokenSpan(create), insert.span) };
    }
    if (ctx.View) {
      const q = node(ctx, 'viewQuery')!;
      return {
        kind: 'create-view',
        name: this.visit(node(ctx, 'viewName')!),
        orReplace,
        columns: nodes(ctx, 'viewColumn').map((c) => this.visit(c) as A.Ident),
        query: this.visit(q),
        span: join(tokenSpan(create), nodeSpan(q)),
      };
    }
    if (ctx.Function) {
      const target = tok(ctx, 'functionTarget')!;
      const language = tok(ctx, 'language');
      return {
        kind: 'create-function',
        name: this.visit(node(ctx, 'functionName')!),
        target: unquote(target.image),
        targetSpan: tokenSpan(target),
        language: (language?.image ?? 'JAVASCRIPT').toUpperCase(),
        span: join(tokenSpan(create), tokenSpan(language ?? target)),
      };
    }
    const body = node(ctx, 'createStreamBody')!;
    const parts = this.visit(body) as Omit<A.CreateStream, 'kind' | 'orReplace' | 'span' | 'table'>;
    return { kind: 'create-stream', orReplace, table: ctx.Table !== undefined, ...parts, span: join(tokenSpan(create), nodeSpan(body)) };
  }

  ifNotExists(ctx: Ctx): boolean {
    return ctx.if !== undefined;
  }

  createStreamBody(ctx: Ctx) {
    const columns: A.ColumnDef[] = [];
    const computed: (A.ComputedColumn & { position: number })[] = [];
    let watermark: A.WatermarkDef | undefined;
    let primaryKey: A.Ident[] | undefined;
    for (const c of nodes(ctx, 'columnOrWatermark')) {
      const v = this.visit(c) as A.ColumnDef | A.WatermarkDef | A.ComputedColumn | { kind: 'primary-key'; columns: A.Ident[]; span: Span };
      if (v.kind === 'watermark') {
        if (watermark) this.fail('SQL_DUPLICATE_WATERMARK', 'a stream can declare only one WATERMARK', v.span);
        watermark = v;
      } else if (v.kind === 'primary-key') {
        if (primaryKey) this.fail('SQL_DUPLICATE_KEY', 'a stream can declare only one PRIMARY KEY', v.span);
        primaryKey = v.columns;
      } else if (v.kind === 'computed-column') computed.push({ ...v, position: columns.length + computed.length });
      else columns.push(v);
    }
    const options = nodes(ctx, 'withOption').map((o) => this.visit(o) as A.WithOption);
    const q = node(ctx, 'query');
    return {
      name: this.visit(node(ctx, 'name')!) as A.Ident,
      columns,
      computed,
      ...(watermark ? { watermark } : {}),
      ...(primaryKey ? { primaryKey } : {}),
      partitionedBy: nodes(ctx, 'partitionedBy').map((p) => this.visit(p) as A.Ident),
      options,
      ...(q ? { query: this.visit(q) as A.Query } : {}),
    };
  }

  columnOrWatermark(ctx: Ctx, self?: CstNode): A.ColumnDef | A.WatermarkDef | A.ComputedColumn | { kind: 'primary-key'; columns: A.Ident[]; span: Span } {
    if (ctx.Watermark) {
      const column = this.visit(node(ctx, 'wmColumn')!) as A.Ident;
      const expr = this.visit(node(ctx, 'wmExpr')!) as A.Expr;
      return { kind: 'watermark', column, expr, span: join(tokenSpan(tok(ctx, 'Watermark')!), expr.span) };
    }
    if (ctx.Primary) {
      const enforced = tok(ctx, 'enforced');
      if (!enforced || enforced.image.toUpperCase() !== 'ENFORCED') {
        this.fail('SQL_PRIMARY_KEY', 'a stream\'s PRIMARY KEY is not enforced: write PRIMARY KEY (...) NOT ENFORCED', tokenSpan(tok(ctx, 'Primary')!));
      }
      const end = enforced ?? tok(ctx, 'RParen')!;
      return { kind: 'primary-key', columns: nodes(ctx, 'keyColumn').map((k) => this.visit(k) as A.Ident), span: join(tokenSpan(tok(ctx, 'Primary')!), tokenSpan(end)) };
    }
    const name = this.visit(node(ctx, 'colName')!) as A.Ident;
    const computed = node(ctx, 'computed');
    if (computed) {
      const expr = this.visit(computed) as A.Expr;
      return { kind: 'computed-column', name, expr, span: join(name.span, expr.span) };
    }
    const type = this.visit(node(ctx, 'typeName')!) as A.TypeName;
    return { kind: 'column-def', name, type, span: join(name.span, type.span) };
  }

  typeName(ctx: Ctx): A.TypeName {
    const base = tok(ctx, 'base')!;
    const name = base.image.toUpperCase();
    const args = nodes(ctx, 'typeArg').map((a) => this.visit(a) as number | A.RowFieldDef | A.TypeName);
    const params = args.filter((a): a is number => typeof a === 'number');
    const fields = args.filter((a): a is A.RowFieldDef => typeof a === 'object' && !('kind' in a));
    const elements = args.filter((a): a is A.TypeName => typeof a === 'object' && 'kind' in a);
    const last = tok(ctx, 'Null') ?? tok(ctx, 'RParen') ?? tok(ctx, 'Greater') ?? base;
    const span = join(tokenSpan(base), tokenSpan(last));
    if (name === 'ROW' && (elements.length || params.length)) this.fail('SQL_BAD_TYPE', 'a ROW type lists its fields as name TYPE', span, 'ROW<id BIGINT, name VARCHAR>');
    if (name !== 'ROW' && fields.length) this.fail('SQL_BAD_TYPE', `${name} does not take named fields`, span);
    if (elements.length) this.fail('SQL_UNSUPPORTED', `${name}<...> types are not supported`, span, 'use ROW<name TYPE, ...> or a plain type');
    return { kind: 'type-name', name, params, ...(name === 'ROW' ? { fields } : {}), span };
  }

  typeArg(ctx: Ctx): number | A.RowFieldDef | A.TypeName {
    const p = tok(ctx, 'param');
    if (p) return Number(p.image);
    const fieldName = node(ctx, 'fieldName');
    if (fieldName) return { name: this.visit(fieldName) as A.Ident, type: this.visit(node(ctx, 'fieldType')!) as A.TypeName };
    return this.visit(node(ctx, 'elementType')!) as A.TypeName;
  }

  withOption(ctx: Ctx, self?: CstNode): A.WithOption {
    const keyString = tok(ctx, 'keyString');
    const keyTable = tok(ctx, 'keyTable');
    const parts = nodes(ctx, 'keyPart').map((p) => this.visit(p) as A.Ident);
    const key = keyString ? unquote(keyString.image) : [...(keyTable ? [keyTable.image] : []), ...parts.map((p) => p.name)].join('.');
    const v = tok(ctx, 'value')!;
    const value = v.image.startsWith("'") ? unquote(v.image) : v.image;
    const first = keyString ? tokenSpan(keyString) : keyTable ? tokenSpan(keyTable) : parts[0]!.span;
    return { kind: 'option', key: key.toLowerCase(), value, span: join(first, tokenSpan(v)) };
  }

  insertStatement(ctx: Ctx): A.InsertInto {
    const q = node(ctx, 'query')!;
    return {
      kind: 'insert',
      target: this.visit(node(ctx, 'target')!),
      columns: nodes(ctx, 'column').map((c) => this.visit(c) as A.Ident),
      query: this.visit(q),
      span: join(tokenSpan(tok(ctx, 'Insert')!), nodeSpan(q)),
    };
  }

  query(ctx: Ctx, self?: CstNode): A.Query {
    const terms = nodes(ctx, 'term');
    const unions = toks(ctx, 'Union');
    const alls = toks(ctx, 'unionAll');
    let body = this.visit(terms[0]!) as A.Query;
    for (let i = 1; i < terms.length; i++) {
      const right = this.visit(terms[i]!) as A.Query;
      // Each UNION's ALL is the one between its keyword and the next term.
      const at = unions[i - 1]!.startOffset;
      const all = alls.some((a) => a.startOffset > at && a.startOffset < terms[i]!.location!.startOffset);
      body = { kind: 'set-op', op: 'UNION', all, left: body, right, span: join(body.span, right.span) };
    }
    const order = nodes(ctx, 'orderItem');
    const limit = tok(ctx, 'limit');
    if (order.length || limit) {
      const orderBy = order.map((o) => this.visit(o) as A.OrderItem);
      const end = limit ? tokenSpan(limit) : orderBy[orderBy.length - 1]!.span;
      body = { kind: 'ordered', body, orderBy, ...(limit ? { limit: Number(limit.image) } : {}), span: join(body.span, end) };
    }
    const ctes = nodes(ctx, 'commonTable');
    if (ctes.length) {
      body = { kind: 'with', ctes: ctes.map((c) => this.visit(c) as A.CommonTable), body, span: join(tokenSpan(tok(ctx, 'With')!), body.span) };
    }
    return body;
  }

  commonTable(ctx: Ctx): A.CommonTable {
    const name = this.visit(node(ctx, 'name')!) as A.Ident;
    return {
      name,
      columns: nodes(ctx, 'column').map((c) => this.visit(c) as A.Ident),
      query: this.visit(node(ctx, 'query')!),
      span: join(name.span, tokenSpan(tok(ctx, 'RParen', ctx.column ? 1 : 0)!)),
    };
  }

  queryTerm(ctx: Ctx): A.Query {
    const select = node(ctx, 'select');
    if (select) return this.visit(select);
    const inner = this.visit(node(ctx, 'inner')!) as A.Query;
    return { ...inner, span: join(tokenSpan(tok(ctx, 'LParen')!), tokenSpan(tok(ctx, 'RParen')!)) };
  }

  namedWindow(ctx: Ctx): A.NamedWindow {
    return { name: this.visit(node(ctx, 'name')!) as A.Ident, spec: this.visit(node(ctx, 'windowSpec')!) as A.WindowSpec };
  }

  windowSpec(ctx: Ctx, self?: CstNode): A.WindowSpec {
    const ref = node(ctx, 'ref');
    const unit = tok(ctx, 'frameUnit');
    let frame: A.WindowFrame | undefined;
    if (unit) {
      const u = unit.image.toUpperCase() as 'ROWS' | 'RANGE';
      const start = this.visit(node(ctx, 'frameStart')!) as A.FrameBound;
      const endNode = node(ctx, 'frameEnd');
      // KDA's `RANGE INTERVAL '1' MINUTE PRECEDING` and Flink's one-bound form end at the current row.
      const end: A.FrameBound = endNode ? this.visit(endNode) : { kind: 'current-row', span: start.span };
      frame = { unit: u, start, end, span: join(tokenSpan(unit), end.span) };
    }
    return {
      kind: 'window-spec',
      ...(ref ? { ref: this.visit(ref) as A.Ident } : {}),
      partitionBy: nodes(ctx, 'partitionBy').map((p) => this.visit(p) as A.Expr),
      orderBy: nodes(ctx, 'orderItem').map((o) => this.visit(o) as A.OrderItem),
      ...(frame ? { frame } : {}),
      span: self ? nodeSpan(self) : frame?.span ?? { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
    };
  }

  frameBound(ctx: Ctx): A.FrameBound {
    const direction = tok(ctx, 'direction');
    const dir = direction?.image.toUpperCase();
    if (direction && dir !== 'PRECEDING' && dir !== 'FOLLOWING') {
      this.fail('SQL_PARSE', `expected PRECEDING or FOLLOWING but found '${direction.image}'`, tokenSpan(direction));
    }
    if (ctx.current) return { kind: 'current-row', span: join(tokenSpan(tok(ctx, 'current')!), tokenSpan(tok(ctx, 'row')!)) };
    if (ctx.unbounded) {
      return { kind: dir === 'FOLLOWING' ? 'unbounded-following' : 'unbounded-preceding', span: join(tokenSpan(tok(ctx, 'unbounded')!), tokenSpan(direction!)) };
    }
    const offset = this.visit(node(ctx, 'offset')!) as A.Expr;
    return { kind: dir === 'FOLLOWING' ? 'following' : 'preceding', offset, span: join(offset.span, tokenSpan(direction!)) };
  }

  orderItem(ctx: Ctx): A.OrderItem {
    const expr = this.visit(node(ctx, 'expr')!) as A.Expr;
    const direction = tok(ctx, 'direction');
    return { expr, desc: direction?.image.toUpperCase() === 'DESC', span: direction ? join(expr.span, tokenSpan(direction)) : expr.span };
  }

  select(ctx: Ctx, self?: CstNode): A.Select {
    const first = tok(ctx, 'Select')!;
    const where = node(ctx, 'where');
    const having = node(ctx, 'having');
    const emit = ctx.Emit ? (ctx.Changes ? 'changes' : 'final') : undefined;
    const fromNode = node(ctx, 'fromItem')!;
    const parts = [tokenSpan(first), nodeSpan(fromNode)];
    for (const k of ['where', 'groupBy', 'having', 'namedWindow']) for (const n of nodes(ctx, k)) parts.push(nodeSpan(n));
    for (const k of ['Changes', 'Final']) { const t = tok(ctx, k); if (t) parts.push(tokenSpan(t)); }
    const end = parts.reduce((a, b) => (b.end.offset > a.end.offset ? b : a));
    return {
      kind: 'select',
      stream: ctx.Stream !== undefined,
      distinct: ctx.Distinct !== undefined,
      items: nodes(ctx, 'selectItem').map((i) => this.visit(i)),
      from: this.visit(fromNode),
      ...(where ? { where: this.visit(where) as A.Expr } : {}),
      groupBy: nodes(ctx, 'groupBy').map((g) => this.visit(g) as A.Expr),
      ...(having ? { having: this.visit(having) as A.Expr } : {}),
      windows: nodes(ctx, 'namedWindow').map((w) => this.visit(w) as A.NamedWindow),
      ...(emit ? { emit } : {}),
      span: join(tokenSpan(first), end),
    } as A.Select;
  }

  selectItem(ctx: Ctx): A.SelectItem | A.StarItem {
    const star = tok(ctx, 'Star');
    if (star) {
      const q = node(ctx, 'qualifier');
      if (q) {
        const qualifier = this.visit(q) as A.Ident;
        return { kind: 'star', qualifier, span: join(qualifier.span, tokenSpan(star)) };
      }
      return { kind: 'star', span: tokenSpan(star) };
    }
    const expr = this.visit(node(ctx, 'expression')!) as A.Expr;
    const a = node(ctx, 'alias');
    if (!a) return { kind: 'select-item', expr, span: expr.span };
    const alias = this.visit(a) as A.Ident;
    return { kind: 'select-item', expr, alias, span: join(expr.span, alias.span) };
  }

  fromItem(ctx: Ctx): A.FromItem {
    let acc = this.visit(node(ctx, 'first')!) as A.FromItem;
    for (const j of nodes(ctx, 'joinClause')) {
      const { joinType, right, on } = this.visit(j) as { joinType: A.JoinType; right: A.FromItem; on?: A.Expr };
      acc = { kind: 'join', joinType, left: acc, right, ...(on ? { on } : {}), span: join(acc.span, on?.span ?? right.span) };
    }
    return acc;
  }

  joinClause(ctx: Ctx): { joinType: A.JoinType; right: A.FromItem; on?: A.Expr } {
    const right = this.visit(node(ctx, 'right')!) as A.FromItem;
    const onNode = node(ctx, 'on');
    const on = onNode ? (this.visit(onNode) as A.Expr) : undefined;
    const joinType = (ctx.comma ? 'CROSS' : (tok(ctx, 'joinType')?.image.toUpperCase() ?? 'INNER')) as A.JoinType;
    if (joinType === 'CROSS' && on) this.fail('SQL_JOIN', 'a CROSS JOIN takes no ON condition', on.span);
    if (joinType !== 'CROSS' && !on) this.fail('SQL_JOIN', `${joinType} JOIN needs an ON condition`, right.span, 'JOIN s ON a.key = s.key');
    return { joinType, right, ...(on ? { on } : {}) };
  }

  fromPrimary(ctx: Ctx, self?: CstNode): A.FromItem {
    const a = node(ctx, 'alias');
    const alias = a ? (this.visit(a) as A.Ident) : undefined;
    const withAlias = <T extends object>(x: T): T => (alias ? { ...x, alias } : x);
    const tvf = node(ctx, 'windowTvf');
    if (tvf) return withAlias(this.visit(tvf) as A.WindowTvf);
    const q = node(ctx, 'query');
    const columnsAlias = node(ctx, 'columnsAlias');
    if (q && columnsAlias) {
      const columns = nodes(ctx, 'aliasColumn').map((c) => this.visit(c) as A.Ident);
      return { kind: 'subquery', query: this.visit(q) as A.Query, alias: this.visit(columnsAlias) as A.Ident, columns, span: nodeSpan(q) };
    }
    if (q) return withAlias({ kind: 'subquery', query: this.visit(q) as A.Query, span: nodeSpan(q) } as A.SubqueryRef);
    const name = this.visit(node(ctx, 'table')!) as A.Ident;
    const asOf = node(ctx, 'asOf');
    const over = node(ctx, 'over');
    if (asOf && tok(ctx, 'of')!.image.toUpperCase() !== 'OF') this.fail('SQL_PARSE', `expected OF but found '${tok(ctx, 'of')!.image}'`, tokenSpan(tok(ctx, 'of')!));
    return withAlias({
      kind: 'table-ref',
      name,
      ...(asOf ? { systemTime: this.visit(asOf) as A.Expr } : {}),
      ...(over ? { over: this.visit(over) as A.WindowSpec } : {}),
      span: alias ? join(name.span, alias.span) : name.span,
    } as A.TableRef);
  }

  windowTvf(ctx: Ctx, self?: CstNode): A.WindowTvf {
    const fnTok = tok(ctx, 'fn')!;
    const span = join(tokenSpan(fnTok), tokenSpan(tok(ctx, 'RParen')!));
    const fnName = fnTok.image.toUpperCase();
    const fn = (['TUMBLE', 'HOP', 'CUMULATE', 'SESSION'] as const).find((f) => f === fnName);
    if (!fn) this.fail('SQL_UNKNOWN_WINDOW', `unknown window function ${fnTok.image}`, tokenSpan(fnTok), 'use TUMBLE, HOP, CUMULATE or SESSION');
    let table: A.Ident | undefined;
    let timeColumn: A.Ident | undefined;
    let partitionBy: A.Expr[] = [];
    const args: A.Expr[] = [];
    const named: Record<string, A.Expr> = {};
    for (const argNode of nodes(ctx, 'tvfArg')) {
      const arg = this.visit(argNode) as { name?: string; table?: A.Ident; partitionBy?: A.Expr[]; descriptor?: A.Ident; value?: A.Expr };
      if (arg.table) { table = arg.table; partitionBy = arg.partitionBy ?? []; }
      else if (arg.descriptor) timeColumn = arg.descriptor;
      else if (arg.value) { if (arg.name) named[arg.name] = arg.value; else args.push(arg.value); }
    }
    const order: Record<string, string[]> = { TUMBLE: ['SIZE', 'OFFSET'], HOP: ['SLIDE', 'SIZE', 'OFFSET'], CUMULATE: ['STEP', 'SIZE', 'OFFSET'], SESSION: ['GAP'] };
    for (const k of order[fn ?? 'TUMBLE']!) if (named[k]) args.push(named[k]!);
    if (!table) this.fail('SQL_WINDOW_ARGS', `${fnName} needs a TABLE argument`, span, `${fnName}(TABLE stream, DESCRIPTOR(time_column), INTERVAL ...)`);
    if (!timeColumn) this.fail('SQL_WINDOW_ARGS', `${fnName} needs DESCRIPTOR(time_column)`, span);
    const want = fn === 'HOP' || fn === 'CUMULATE' ? 2 : 1;
    if (fn && args.length < want) this.fail('SQL_WINDOW_ARGS', `${fnName} takes ${want} interval argument${want > 1 ? 's' : ''}, got ${args.length}`, span);
    if (fn && fn !== 'SESSION' && partitionBy.length) this.fail('SQL_WINDOW_ARGS', `only SESSION takes PARTITION BY`, span);
    const dummy: A.Ident = { kind: 'ident', name: '?', quoted: false, span };
    return { kind: 'window-tvf', fn: fn ?? 'TUMBLE', table: table ?? dummy, partitionBy, timeColumn: timeColumn ?? dummy, args, span };
  }

  tvfArg(ctx: Ctx) {
    const name = tok(ctx, 'argName')?.image.toUpperCase();
    if (ctx.Table) return { name, table: this.visit(node(ctx, 'table')!), partitionBy: nodes(ctx, 'partitionBy').map((p) => this.visit(p)) };
    if (ctx.Descriptor) return { name, descriptor: this.visit(node(ctx, 'descriptor')!) };
    return { name, value: this.visit(node(ctx, 'value')!) };
  }

  expression(ctx: Ctx): A.Expr {
    return this.foldSame(nodes(ctx, 'operand'), 'OR');
  }

  andExpr(ctx: Ctx): A.Expr {
    return this.foldSame(nodes(ctx, 'operand'), 'AND');
  }

  private foldSame(operands: CstNode[], op: A.BinaryOp): A.Expr {
    let acc = this.visit(operands[0]!) as A.Expr;
    for (let i = 1; i < operands.length; i++) {
      const right = this.visit(operands[i]!) as A.Expr;
      acc = { kind: 'binary', op, left: acc, right, span: join(acc.span, right.span) };
    }
    return acc;
  }

  notExpr(ctx: Ctx): A.Expr {
    const not = tok(ctx, 'Not');
    if (not) {
      const operand = this.visit(node(ctx, 'negated')!) as A.Expr;
      return { kind: 'unary', op: 'NOT', operand, span: join(tokenSpan(not), operand.span) };
    }
    return this.visit(node(ctx, 'predicate')!);
  }

  predicate(ctx: Ctx, self?: CstNode): A.Expr {
    const lhs = this.visit(node(ctx, 'lhs')!) as A.Expr;
    const cmp = tok(ctx, 'cmp');
    if (cmp) {
      const rhs = this.visit(node(ctx, 'rhs')!) as A.Expr;
      const op = (cmp.image === '!=' ? '<>' : cmp.image) as A.BinaryOp;
      return { kind: 'binary', op, left: lhs, right: rhs, span: join(lhs.span, rhs.span) };
    }
    if (ctx.Is) return { kind: 'is-null', operand: lhs, negated: ctx.isNot !== undefined, span: join(lhs.span, tokenSpan(tok(ctx, 'Null')!)) };
    const negated = ctx.not !== undefined;
    if (ctx.In) {
      return { kind: 'in', operand: lhs, list: nodes(ctx, 'inItem').map((n) => this.visit(n)), negated, span: join(lhs.span, tokenSpan(tok(ctx, 'RParen')!)) };
    }
    if (ctx.Between) {
      const low = this.visit(node(ctx, 'low')!) as A.Expr;
      const high = this.visit(node(ctx, 'high')!) as A.Expr;
      return { kind: 'between', operand: lhs, low, high, negated, span: join(lhs.span, high.span) };
    }
    if (ctx.Like || ctx.Similar) {
      const pattern = this.visit(node(ctx, 'pattern')!) as A.Expr;
      const esc = node(ctx, 'escape');
      const escape = esc ? (this.visit(esc) as A.Expr) : undefined;
      return { kind: 'like', operand: lhs, pattern, ...(escape ? { escape } : {}), negated, ...(ctx.Similar ? { similar: true } : {}), span: join(lhs.span, (escape ?? pattern).span) };
    }
    return lhs;
  }

  additive(ctx: Ctx): A.Expr {
    return this.foldOps(nodes(ctx, 'operand'), toks(ctx, 'op'));
  }

  multiplicative(ctx: Ctx): A.Expr {
    return this.foldOps(nodes(ctx, 'operand'), toks(ctx, 'op'));
  }

  private foldOps(operands: CstNode[], ops: IToken[]): A.Expr {
    let acc = this.visit(operands[0]!) as A.Expr;
    for (let i = 1; i < operands.length; i++) {
      const right = this.visit(operands[i]!) as A.Expr;
      acc = { kind: 'binary', op: ops[i - 1]!.image as A.BinaryOp, left: acc, right, span: join(acc.span, right.span) };
    }
    return acc;
  }

  unary(ctx: Ctx): A.Expr {
    const sign = tok(ctx, 'sign');
    if (!sign) return this.visit(node(ctx, 'primary')!);
    const operand = this.visit(node(ctx, 'operand')!) as A.Expr;
    if (operand.kind === 'number' && sign.image === '-') {
      return { kind: 'number', text: '-' + operand.text, value: -operand.value, span: join(tokenSpan(sign), operand.span) };
    }
    return { kind: 'unary', op: sign.image as '-' | '+', operand, span: join(tokenSpan(sign), operand.span) };
  }

  primary(ctx: Ctx): A.Expr {
    const t = tok(ctx, 'NumberLiteral');
    if (t) return { kind: 'number', text: t.image, value: Number(t.image), span: tokenSpan(t) };
    const s = tok(ctx, 'StringLiteral');
    if (s) return { kind: 'string', value: unquote(s.image), span: tokenSpan(s) };
    const tr = tok(ctx, 'True') ?? tok(ctx, 'False');
    if (tr) return { kind: 'boolean', value: tr.tokenType.name === 'True', span: tokenSpan(tr) };
    const n = tok(ctx, 'Null');
    if (n) return { kind: 'null', span: tokenSpan(n) };
    for (const k of ['intervalLiteral', 'caseExpr', 'positionCall', 'identifierExpr']) {
      const c = node(ctx, k);
      if (c) return this.visit(c);
    }
    const inner = this.visit(node(ctx, 'inner')!) as A.Expr;
    const span = join(tokenSpan(tok(ctx, 'LParen')!), tokenSpan(tok(ctx, 'RParen')!));
    const q = node(ctx, 'intervalQualifier');
    if (q) {
      const { unit, toUnit, end } = this.visit(q) as { unit: A.TimeUnit; toUnit?: A.TimeUnit; end: Span };
      return { kind: 'interval-qualify', operand: inner, unit, ...(toUnit ? { toUnit } : {}), span: join(span, end) };
    }
    return { ...inner, span };
  }

  intervalQualifier(ctx: Ctx): { unit: A.TimeUnit; toUnit?: A.TimeUnit; end: Span } {
    const unitTok = tok(ctx, 'unit')!;
    const toTok = tok(ctx, 'toUnit');
    const precision = nodes(ctx, 'fieldPrecision').at(-1);
    const end = precision ? nodeSpan(precision) : tokenSpan(toTok ?? unitTok);
    const unit = TIME_UNITS[unitTok.image.toUpperCase()] ?? 'SECOND';
    const toUnit = toTok ? TIME_UNITS[toTok.image.toUpperCase()] : undefined;
    if (toTok && !toUnit) this.fail('SQL_BAD_UNIT', `unknown interval unit ${toTok.image}`, tokenSpan(toTok), 'one of YEAR, MONTH, DAY, HOUR, MINUTE, SECOND');
    return { unit, ...(toUnit ? { toUnit } : {}), end };
  }

  fieldPrecision(): undefined {
    return undefined;
  }

  positionCall(ctx: Ctx): A.Expr {
    const span = join(tokenSpan(tok(ctx, 'Identifier')!), tokenSpan(tok(ctx, 'RParen')!));
    return { kind: 'position', needle: this.visit(node(ctx, 'needle')!), haystack: this.visit(node(ctx, 'haystack')!), span };
  }

  identifierExpr(ctx: Ctx): A.Expr {
    const head = this.visit(node(ctx, 'head')!) as A.Ident;
    const typed = tok(ctx, 'typedValue');
    if (typed) return { kind: 'typed-literal', type: head.name.toUpperCase(), value: unquote(typed.image), span: join(head.span, tokenSpan(typed)) };
    const members = nodes(ctx, 'member').map((m) => this.visit(m) as A.Ident);
    if (members.length) {
      // `a.b` is a qualified column (or a ROW column's field: the binder decides); deeper names are fields.
      let acc: A.Expr = { kind: 'column', qualifier: head, name: members[0]!, span: join(head.span, members[0]!.span) };
      for (const field of members.slice(1)) acc = { kind: 'field', operand: acc, field, span: join(head.span, field.span) };
      return acc;
    }
    const rparen = tok(ctx, 'RParen');
    if (!rparen) return { kind: 'column', name: head, span: head.span };
    const argsNode = node(ctx, 'callArgs');
    const a = argsNode ? (this.visit(argsNode) as { args: A.Expr[]; seps: string[]; distinct: boolean; star: boolean }) : { args: [], seps: [], distinct: false, star: false };
    const filterNode = node(ctx, 'filter');
    const overNode = node(ctx, 'over');
    const overName = node(ctx, 'overName');
    const endTok = tok(ctx, 'RParen', (filterNode ? 1 : 0) + (overNode ? 1 : 0)) ?? rparen;
    const end = overName ? (this.visit(overName) as A.Ident).span : tokenSpan(endTok);
    const span = join(head.span, end);
    const nulls = tok(ctx, 'nullTreatment');
    const base = this.specialForm(head, a.args, a.seps, a.distinct, a.star, join(head.span, tokenSpan(rparen)));
    const call = nulls && base.kind === 'call' ? { ...base, ...(nulls.image.toUpperCase() === 'IGNORE' ? { ignoreNulls: true } : {}), span: join(base.span, tokenSpan(tok(ctx, 'nulls')!)) } : base;
    if (nulls && base.kind !== 'call') this.fail('SQL_BAD_CALL', `${head.name} takes no ${nulls.image.toUpperCase()} NULLS`, tokenSpan(nulls));
    const callFields = nodes(ctx, 'callField').map((f) => this.visit(f) as A.Ident);
    if (callFields.length) return callFields.reduce<A.Expr>((operand, field) => ({ kind: 'field', operand, field, span: join(operand.span, field.span) }), call);
    if (!filterNode && !overNode && !overName) return call;
    if (call.kind !== 'call') {
      this.fail('SQL_BAD_CALL', `${head.name} is not an aggregate or window function`, span);
      return call;
    }
    const filter = filterNode ? (this.visit(filterNode) as A.Expr) : undefined;
    let over: A.WindowSpec | undefined;
    if (overNode) over = this.visit(overNode) as A.WindowSpec;
    else if (overName) {
      const ref = this.visit(overName) as A.Ident;
      over = { kind: 'window-spec', ref, partitionBy: [], orderBy: [], span: ref.span };
    }
    return { ...call, ...(filter ? { filter } : {}), ...(over ? { over } : {}), span };
  }

  callArgs(ctx: Ctx) {
    return {
      args: nodes(ctx, 'arg').map((a) => this.visit(a) as A.Expr),
      seps: toks(ctx, 'sep').map((s) => s.image.toUpperCase()),
      distinct: ctx.Distinct !== undefined,
      star: ctx.Star !== undefined,
    };
  }

  /** Calls whose arguments are separated by keywords: FLOOR(x TO unit), STEP(x BY i), CAST(x AS t), ... */
  private specialForm(head: A.Ident, args: A.Expr[], seps: string[], distinct: boolean, star: boolean, span: Span): A.Expr {
    const name = head.name.toUpperCase();
    const sepsAre = (...want: string[]) => seps.length === want.length && seps.every((s, i) => s === want[i]);
    const bad = (usage: string): A.Expr => {
      this.fail('SQL_BAD_CALL', `malformed ${name}(...)`, span, `write ${usage}`);
      return { kind: 'null', span };
    };
    if ((name === 'FLOOR' || name === 'CEIL' || name === 'CEILING') && seps.includes('TO')) {
      if (!sepsAre('TO')) return bad(`${name}(expr TO unit)`);
      const unit = this.timeUnitOf(args[1]!);
      return { kind: 'floor-to', fn: name === 'FLOOR' ? 'FLOOR' : 'CEIL', operand: args[0]!, unit: unit ?? 'SECOND', span };
    }
    if (name === 'STEP') {
      if (!sepsAre('BY')) return bad('STEP(ROWTIME BY INTERVAL \'10\' SECOND)');
      return { kind: 'step', operand: args[0]!, interval: args[1]!, span };
    }
    if (name === 'CAST' || name === 'TRY_CAST') {
      if (!sepsAre('AS')) return bad('CAST(expr AS type)');
      return { kind: 'cast', operand: args[0]!, type: this.typeOf(args[1]!), span };
    }
    if (name === 'EXTRACT') {
      if (!sepsAre('FROM')) return bad('EXTRACT(unit FROM expr)');
      return { kind: 'extract', unit: this.timeUnitOf(args[0]!) ?? 'SECOND', operand: args[1]!, span };
    }
    if (name === 'TRIM') return this.trimForm(args, seps, span, bad);
    if ((name === 'SUBSTRING' || name === 'SUBSTR') && seps.length > 0 && seps[0] !== ',') {
      if (sepsAre('SIMILAR', 'ESCAPE')) return { kind: 'call', name: 'SUBSTRING_SIMILAR', args, distinct: false, star: false, span };
      if (!(sepsAre('FROM') || sepsAre('FROM', 'FOR'))) return bad("SUBSTRING(s FROM start [FOR length]), SUBSTRING(s FROM 'regex') or SUBSTRING(s SIMILAR pattern ESCAPE 'c')");
      return { kind: 'call', name: 'SUBSTRING', args, distinct: false, star: false, span };
    }
    if (name === 'OVERLAY') {
      if (!(sepsAre('PLACING', 'FROM') || sepsAre('PLACING', 'FROM', 'FOR'))) return bad('OVERLAY(s PLACING replacement FROM start [FOR length])');
      return { kind: 'call', name, args, distinct: false, star: false, span };
    }
    if (seps.some((s) => s !== ',')) {
      this.fail('SQL_BAD_CALL', `unexpected ${seps.find((s) => s !== ',')} in ${head.name}(...)`, span);
    }
    return { kind: 'call', name, args, distinct, star, span };
  }

  private trimForm(args: A.Expr[], seps: string[], span: Span, bad: (u: string) => A.Expr): A.Expr {
    const usage = "TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)";
    if (seps.length === 0) return { kind: 'trim', side: 'BOTH', operand: args[0]!, span };
    if (seps.length !== 1 || seps[0] !== 'FROM') return bad(usage);
    const first = args[0]!;
    const sideOf = (n: string) => (['BOTH', 'LEADING', 'TRAILING'] as const).find((s) => s === n.toUpperCase());
    if (first.kind === 'typed-literal' && sideOf(first.type)) {
      return { kind: 'trim', side: sideOf(first.type)!, chars: { kind: 'string', value: first.value, span: first.span }, operand: args[1]!, span };
    }
    if (first.kind === 'column' && !first.qualifier && !first.name.quoted && sideOf(first.name.name)) {
      return { kind: 'trim', side: sideOf(first.name.name)!, operand: args[1]!, span };
    }
    return { kind: 'trim', side: 'BOTH', chars: first, operand: args[1]!, span };
  }

  private timeUnitOf(e: A.Expr): A.TimeUnit | undefined {
    const unit = e.kind === 'column' && !e.qualifier ? TIME_UNITS[e.name.name.toUpperCase()] : undefined;
    if (!unit) this.fail('SQL_BAD_UNIT', 'expected a time unit', e.span, 'one of MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, YEAR');
    return unit;
  }

  private typeOf(e: A.Expr): A.TypeName {
    if (e.kind === 'column' && !e.qualifier) return { kind: 'type-name', name: e.name.name.toUpperCase(), params: [], span: e.span };
    if (e.kind === 'call' && e.args.every((a) => a.kind === 'number')) {
      return { kind: 'type-name', name: e.name, params: e.args.map((a) => (a as A.NumberLit).value), span: e.span };
    }
    this.fail('SQL_BAD_TYPE', 'expected a type name', e.span);
    return { kind: 'type-name', name: 'VARCHAR', params: [], span: e.span };
  }

  intervalLiteral(ctx: Ctx): A.Expr {
    const v = tok(ctx, 'value')!;
    const unitTok = tok(ctx, 'unit')!;
    const toTok = tok(ctx, 'toUnit');
    const span = join(tokenSpan(tok(ctx, 'Interval')!), tokenSpan(toTok ?? tok(ctx, 'RParen') ?? unitTok));
    const unit = TIME_UNITS[unitTok.image.toUpperCase()];
    const toUnit = toTok ? TIME_UNITS[toTok.image.toUpperCase()] : undefined;
    if (!unit) this.fail('SQL_BAD_UNIT', `unknown interval unit ${unitTok.image}`, tokenSpan(unitTok), 'one of MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, YEAR');
    if (toTok && !toUnit) this.fail('SQL_BAD_UNIT', `unknown interval unit ${toTok.image}`, tokenSpan(toTok));
    const text = v.image.startsWith("'") ? unquote(v.image).trim() : v.image;
    const millis = intervalMillis(text, unit ?? 'SECOND', toUnit);
    if (millis === undefined) this.fail('SQL_BAD_INTERVAL', `cannot read interval '${text}'`, tokenSpan(v));
    const sign = ctx.sign ? -1 : 1;
    return { kind: 'interval', text, unit: unit ?? 'SECOND', ...(toUnit ? { toUnit } : {}), millis: sign * (millis ?? 0), span };
  }

  caseExpr(ctx: Ctx): A.Expr {
    const op = node(ctx, 'operand');
    const whens = nodes(ctx, 'when');
    const thens = nodes(ctx, 'then');
    const el = node(ctx, 'else');
    return {
      kind: 'case',
      ...(op ? { operand: this.visit(op) as A.Expr } : {}),
      whens: whens.map((w, i) => ({ when: this.visit(w) as A.Expr, then: this.visit(thens[i]!) as A.Expr })),
      ...(el ? { else: this.visit(el) as A.Expr } : {}),
      span: join(tokenSpan(tok(ctx, 'Case')!), tokenSpan(tok(ctx, 'End')!)),
    };
  }

  alias(ctx: Ctx): A.Ident {
    const n = node(ctx, 'name');
    if (n) return this.visit(n);
    return this.identifier({ id: ctx.bare });
  }

  identifier(ctx: Ctx): A.Ident {
    const t = tok(ctx, 'id')!;
    const quoted = t.image.startsWith('"') || t.image.startsWith('`');
    return { kind: 'ident', name: quoted ? unquote(t.image) : t.image, quoted, span: tokenSpan(t) };
  }
}

/** Interval text to milliseconds: '10' SECOND, '1.5' SECOND, '1:30' MINUTE TO SECOND, '2 03:00' DAY TO MINUTE. */
export function intervalMillis(text: string, unit: A.TimeUnit, toUnit?: A.TimeUnit): number | undefined {
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  if (!toUnit) {
    if (!/^\d+(\.\d+)?$/.test(body)) return undefined;
    return (neg ? -1 : 1) * Number(body) * UNIT_MILLIS[unit];
  }
  const ym = unit === 'YEAR' && toUnit === 'MONTH' ? /^(\d+)-(\d+)$/.exec(body) : null;
  if (ym) return (neg ? -1 : 1) * (Number(ym[1]) * 12 + Number(ym[2])) * UNIT_MILLIS.MONTH;
  const order: A.TimeUnit[] = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  const from = order.indexOf(unit);
  const to = order.indexOf(toUnit);
  if (from < 0 || to < from) return undefined;
  const parts = body.split(/[ :]/);
  if (parts.length !== to - from + 1 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return undefined;
  let ms = 0;
  parts.forEach((p, i) => (ms += Number(p) * UNIT_MILLIS[order[from + i]!]));
  return (neg ? -1 : 1) * ms;
}
