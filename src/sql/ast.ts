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
  /** Upper-cased base name: VARCHAR, BIGINT, TIMESTAMP, ... */
  readonly name: string;
  readonly params: readonly number[];
  readonly span: Span;
}

export interface ColumnDef {
  readonly kind: 'column-def';
  readonly name: Ident;
  readonly type: TypeName;
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
  readonly columns: readonly ColumnDef[];
  readonly watermark?: WatermarkDef;
  readonly options: readonly WithOption[];
  readonly query?: Query;
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
  readonly statement: CreateStream | InsertInto | CreatePump | QueryStatement;
  readonly span: Span;
}

export type Statement = CreateStream | InsertInto | CreatePump | QueryStatement | Explain;

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
  readonly span: Span;
}

export type FromItem = TableRef | WindowTvf | SubqueryRef;

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
  readonly emit?: 'changes' | 'final';
  readonly span: Span;
}

export type Query = Select;

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
export interface Like { readonly kind: 'like'; readonly operand: Expr; readonly pattern: Expr; readonly escape?: Expr; readonly negated: boolean; readonly span: Span }
export interface CaseWhen { readonly when: Expr; readonly then: Expr }
export interface CaseExpr { readonly kind: 'case'; readonly operand?: Expr; readonly whens: readonly CaseWhen[]; readonly else?: Expr; readonly span: Span }
export interface Cast { readonly kind: 'cast'; readonly operand: Expr; readonly type: TypeName; readonly span: Span }
/** A function call; `star` for COUNT(*). Special forms (FLOOR .. TO, STEP .. BY, TRIM, POSITION, SUBSTRING .. FROM) have their own nodes. */
export interface Call { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly distinct: boolean; readonly star: boolean; readonly span: Span }
export interface FloorTo { readonly kind: 'floor-to'; readonly fn: 'FLOOR' | 'CEIL'; readonly operand: Expr; readonly unit: TimeUnit; readonly span: Span }
export interface Step { readonly kind: 'step'; readonly operand: Expr; readonly interval: Expr; readonly span: Span }
export interface Trim { readonly kind: 'trim'; readonly side: 'BOTH' | 'LEADING' | 'TRAILING'; readonly chars?: Expr; readonly operand: Expr; readonly span: Span }
export interface PositionExpr { readonly kind: 'position'; readonly needle: Expr; readonly haystack: Expr; readonly span: Span }
export interface Extract { readonly kind: 'extract'; readonly unit: TimeUnit; readonly operand: Expr; readonly span: Span }

export type Expr =
  | NumberLit | StringLit | BoolLit | NullLit | IntervalLit | TypedLit | ColumnRef | Binary | Unary
  | IsNull | InList | Between | Like | CaseExpr | Cast | Call | FloorTo | Step | Trim | PositionExpr | Extract;

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
    case 'call': return e.args;
    case 'floor-to': return [e.operand];
    case 'step': return [e.operand, e.interval];
    case 'trim': return e.chars ? [e.chars, e.operand] : [e.operand];
    case 'position': return [e.needle, e.haystack];
    case 'extract': return [e.operand];
    default: return assertNever(e, 'expression');
  }
}
