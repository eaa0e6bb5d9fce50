/** The SQL AST: readonly discriminated unions tagged by `kind`, every node with a span. */
import type { Span } from './diagnostics.js';

export interface Ident {
  readonly kind: 'ident';
  readonly name: string;
  /** Quoted identifiers match case-sensitively; unquoted ones case-insensitively. */
  readonly quoted: boolean;
  readonly span: Span;
}

export type TimeUnit = 'MILLISECOND' | 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY' | 'WEEK' | 'MONTH' | 'YEAR';

export interface TypeName {
  readonly kind: 'type-name';
  /** Upper-cased base name: VARCHAR, BIGINT, TIMESTAMP, ROW, ... */
  readonly name: string;
  readonly params: readonly number[];
  /** A ROW's fields, in order (`ROW<id BIGINT, name VARCHAR>`). */
  readonly fields?: readonly RowFieldDef[];
  readonly span: Span;
}

export interface RowFieldDef {
  readonly name: Ident;
  readonly type: TypeName;
}

export interface ColumnDef {
  readonly kind: 'column-def';
  readonly name: Ident;
  readonly type: TypeName;
  readonly span: Span;
}

/** A computed column: `name AS expr`, evaluated from the other columns of each row. */
export interface ComputedColumn {
  readonly kind: 'computed-column';
  readonly name: Ident;
  readonly expr: Expr;
  readonly span: Span;
}

export interface WatermarkDef {
  readonly kind: 'watermark';
  readonly column: Ident;
  readonly expr: Expr;
  readonly span: Span;
}

export interface WithOption {
  readonly kind: 'option';
  readonly key: string;
  readonly value: string;
  readonly span: Span;
}

export interface CreateStream {
  readonly kind: 'create-stream';
  readonly name: Ident;
  readonly orReplace: boolean;
  /** `CREATE TABLE` (Flink) rather than `CREATE STREAM` (KDA); the same thing here. */
  readonly table: boolean;
  readonly columns: readonly ColumnDef[];
  /** Computed columns, each with the position it was declared at among all columns. */
  readonly computed: readonly (ComputedColumn & { readonly position: number })[];
  readonly watermark?: WatermarkDef;
  /** `PRIMARY KEY (a, b) NOT ENFORCED`: the key an updating result is upserted on. */
  readonly primaryKey?: readonly Ident[];
  readonly partitionedBy: readonly Ident[];
  readonly options: readonly WithOption[];
  readonly query?: Query;
  readonly span: Span;
}

export interface CreateView {
  readonly kind: 'create-view';
  readonly name: Ident;
  readonly orReplace: boolean;
  readonly columns: readonly Ident[];
  readonly query: Query;
  readonly span: Span;
}

/** `CREATE FUNCTION name AS 'module#export' [LANGUAGE JAVASCRIPT]`. */
export interface CreateFunction {
  readonly kind: 'create-function';
  readonly name: Ident;
  readonly target: string;
  /** Where the quoted target is written, for diagnostics about loading it. */
  readonly targetSpan: Span;
  readonly language: string;
  readonly span: Span;
}

/** `SET 'key' = 'value'`: a setting for the statements after it (e.g. table.exec.state.ttl). */
export interface SetOption {
  readonly kind: 'set';
  readonly key: string;
  readonly value: string;
  readonly span: Span;
}

export interface InsertInto {
  readonly kind: 'insert';
  readonly target: Ident;
  readonly columns: readonly Ident[];
  readonly query: Query;
  readonly span: Span;
}

export interface CreatePump {
  readonly kind: 'create-pump';
  readonly name: Ident;
  readonly orReplace: boolean;
  readonly insert: InsertInto;
  readonly span: Span;
}

export interface QueryStatement {
  readonly kind: 'query-statement';
  readonly query: Query;
  readonly span: Span;
}

export interface Explain {
  readonly kind: 'explain';
  readonly statement: CreateStream | InsertInto | CreatePump | QueryStatement | CreateView;
  readonly span: Span;
}

export type Statement = CreateStream | InsertInto | CreatePump | QueryStatement | Explain | CreateView | CreateFunction | SetOption;

export interface SelectItem {
  readonly kind: 'select-item';
  readonly expr: Expr;
  readonly alias?: Ident;
  readonly span: Span;
}

export interface StarItem {
  readonly kind: 'star';
  readonly qualifier?: Ident;
  readonly span: Span;
}

export type WindowFunction = 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';

export interface TableRef {
  readonly kind: 'table-ref';
  readonly name: Ident;
  readonly alias?: Ident;
  /** `FOR SYSTEM_TIME AS OF expr`: a temporal (versioned) lookup. */
  readonly systemTime?: Expr;
  /** KDA's window on a joined stream: `JOIN s OVER (RANGE INTERVAL '1' MINUTE PRECEDING)`. */
  readonly over?: WindowSpec;
  readonly span: Span;
}

export interface WindowTvf {
  readonly kind: 'window-tvf';
  readonly fn: WindowFunction;
  readonly table: Ident;
  readonly partitionBy: readonly Expr[];
  readonly timeColumn: Ident;
  /** Interval arguments after the descriptor: size; slide, size; step, max; gap. */
  readonly args: readonly Expr[];
  readonly alias?: Ident;
  readonly span: Span;
}

export interface SubqueryRef {
  readonly kind: 'subquery';
  readonly query: Query;
  readonly alias?: Ident;
  /** `(SELECT ...) AS t(a, b)`: names for the subquery's columns. */
  readonly columns?: readonly Ident[];
  readonly span: Span;
}

export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';

export interface JoinRef {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: FromItem;
  readonly right: FromItem;
  readonly on?: Expr;
  readonly span: Span;
}

export type FromItem = TableRef | WindowTvf | SubqueryRef | JoinRef;

export interface OrderItem {
  readonly expr: Expr;
  readonly desc: boolean;
  readonly span: Span;
}

export type FrameBoundKind = 'unbounded-preceding' | 'preceding' | 'current-row' | 'following' | 'unbounded-following';

export interface FrameBound {
  readonly kind: FrameBoundKind;
  /** The row count (ROWS) or interval (RANGE) of `n PRECEDING` / `n FOLLOWING`. */
  readonly offset?: Expr;
  readonly span: Span;
}

export interface WindowFrame {
  readonly unit: 'ROWS' | 'RANGE';
  readonly start: FrameBound;
  readonly end: FrameBound;
  readonly span: Span;
}

/** The inside of `OVER (...)` or of `WINDOW w AS (...)`; `ref` names a window it refines. */
export interface WindowSpec {
  readonly kind: 'window-spec';
  readonly ref?: Ident;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame?: WindowFrame;
  readonly span: Span;
}

export interface NamedWindow {
  readonly name: Ident;
  readonly spec: WindowSpec;
}

export interface Select {
  readonly kind: 'select';
  /** KDA's `SELECT STREAM`. */
  readonly stream: boolean;
  readonly distinct: boolean;
  readonly items: readonly (SelectItem | StarItem)[];
  readonly from: FromItem;
  readonly where?: Expr;
  readonly groupBy: readonly Expr[];
  readonly having?: Expr;
  /** `WINDOW w AS (...)`: windows that OVER clauses name. */
  readonly windows: readonly NamedWindow[];
  readonly emit?: 'changes' | 'final';
  readonly span: Span;
}

export interface SetOperation {
  readonly kind: 'set-op';
  readonly op: 'UNION';
  /** UNION ALL keeps duplicates; plain UNION removes them. */
  readonly all: boolean;
  readonly left: Query;
  readonly right: Query;
  readonly span: Span;
}

export interface CommonTable {
  readonly name: Ident;
  readonly columns: readonly Ident[];
  readonly query: Query;
  readonly span: Span;
}

/** `WITH a AS (...), b AS (...) <body>`, and a query's own ORDER BY / LIMIT. */
export interface WithQuery {
  readonly kind: 'with';
  readonly ctes: readonly CommonTable[];
  readonly body: Query;
  readonly span: Span;
}

export interface OrderedQuery {
  readonly kind: 'ordered';
  readonly body: Query;
  readonly orderBy: readonly OrderItem[];
  readonly limit?: number;
  readonly span: Span;
}

export type Query = Select | SetOperation | WithQuery | OrderedQuery;

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '||' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR';

export interface NumberLit { readonly kind: 'number'; readonly text: string; readonly value: number; readonly span: Span }
export interface StringLit { readonly kind: 'string'; readonly value: string; readonly span: Span }
export interface BoolLit { readonly kind: 'boolean'; readonly value: boolean; readonly span: Span }
export interface NullLit { readonly kind: 'null'; readonly span: Span }
export interface IntervalLit {
  readonly kind: 'interval';
  readonly text: string;
  readonly unit: TimeUnit;
  readonly toUnit?: TimeUnit;
  /** The interval's length in milliseconds (negative when the text is). */
  readonly millis: number;
  readonly span: Span;
}
export interface TypedLit { readonly kind: 'typed-literal'; readonly type: string; readonly value: string; readonly span: Span }
export interface ColumnRef { readonly kind: 'column'; readonly qualifier?: Ident; readonly name: Ident; readonly span: Span }
export interface Binary { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
export interface Unary { readonly kind: 'unary'; readonly op: '-' | '+' | 'NOT'; readonly operand: Expr; readonly span: Span }
export interface IsNull { readonly kind: 'is-null'; readonly operand: Expr; readonly negated: boolean; readonly span: Span }
export interface InList { readonly kind: 'in'; readonly operand: Expr; readonly list: readonly Expr[]; readonly negated: boolean; readonly span: Span }
export interface Between { readonly kind: 'between'; readonly operand: Expr; readonly low: Expr; readonly high: Expr; readonly negated: boolean; readonly span: Span }
/** LIKE, or `SIMILAR TO` (SQL regular expressions) when `similar` is set. */
export interface Like { readonly kind: 'like'; readonly operand: Expr; readonly pattern: Expr; readonly escape?: Expr; readonly negated: boolean; readonly similar?: boolean; readonly span: Span }
export interface CaseWhen { readonly when: Expr; readonly then: Expr }
export interface CaseExpr { readonly kind: 'case'; readonly operand?: Expr; readonly whens: readonly CaseWhen[]; readonly else?: Expr; readonly span: Span }
export interface Cast { readonly kind: 'cast'; readonly operand: Expr; readonly type: TypeName; readonly span: Span }
/**
 * A function call; `star` for COUNT(*); `filter` for an aggregate's FILTER (WHERE ...); `over` for
 * an OVER window. Special forms (FLOOR .. TO, STEP .. BY, TRIM, POSITION, SUBSTRING .. FROM) have their own nodes.
 */
export interface Call {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
  readonly filter?: Expr;
  readonly over?: WindowSpec;
  /** FIRST_VALUE(x) IGNORE NULLS; RESPECT NULLS (the default) leaves it unset. */
  readonly ignoreNulls?: boolean;
  readonly span: Span;
}
/** `operand.field` beyond a qualified column: a field of a ROW value (`t.bid.price`). */
export interface FieldAccess { readonly kind: 'field'; readonly operand: Expr; readonly field: Ident; readonly span: Span }
export interface FloorTo { readonly kind: 'floor-to'; readonly fn: 'FLOOR' | 'CEIL'; readonly operand: Expr; readonly unit: TimeUnit; readonly span: Span }
export interface Step { readonly kind: 'step'; readonly operand: Expr; readonly interval: Expr; readonly span: Span }
export interface Trim { readonly kind: 'trim'; readonly side: 'BOTH' | 'LEADING' | 'TRAILING'; readonly chars?: Expr; readonly operand: Expr; readonly span: Span }
export interface PositionExpr { readonly kind: 'position'; readonly needle: Expr; readonly haystack: Expr; readonly span: Span }
export interface Extract { readonly kind: 'extract'; readonly unit: TimeUnit; readonly operand: Expr; readonly span: Span }
/** `(a - b) MINUTE`, `(a - b) HOUR TO SECOND`: a difference of times as an interval of those fields. */
export interface IntervalQualify { readonly kind: 'interval-qualify'; readonly operand: Expr; readonly unit: TimeUnit; readonly toUnit?: TimeUnit; readonly span: Span }

export type Expr =
  | NumberLit | StringLit | BoolLit | NullLit | IntervalLit | TypedLit | ColumnRef | Binary | Unary
  | IsNull | InList | Between | Like | CaseExpr | Cast | Call | FloorTo | Step | Trim | PositionExpr | Extract | FieldAccess
  | IntervalQualify;

export function assertNever(x: never, what = 'node'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify((x as { kind?: string }).kind ?? x)}`);
}

export function identKey(id: Ident): string {
  return id.quoted ? id.name : id.name.toLowerCase();
}

/** Child expressions of an expression, for generic walks. */
export function childExprs(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case 'number': case 'string': case 'boolean': case 'null': case 'interval': case 'typed-literal': case 'column':
      return [];
    case 'binary': return [e.left, e.right];
    case 'unary': return [e.operand];
    case 'is-null': return [e.operand];
    case 'in': return [e.operand, ...e.list];
    case 'between': return [e.operand, e.low, e.high];
    case 'like': return e.escape ? [e.operand, e.pattern, e.escape] : [e.operand, e.pattern];
    case 'case': return [...(e.operand ? [e.operand] : []), ...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])];
    case 'cast': return [e.operand];
    case 'call': return [...e.args, ...(e.filter ? [e.filter] : [])];
    case 'field': return [e.operand];
    case 'floor-to': return [e.operand];
    case 'step': return [e.operand, e.interval];
    case 'trim': return e.chars ? [e.chars, e.operand] : [e.operand];
    case 'position': return [e.needle, e.haystack];
    case 'extract': return [e.operand];
    case 'interval-qualify': return [e.operand];
    default: return assertNever(e, 'expression');
  }
}
