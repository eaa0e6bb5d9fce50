import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });

/** Any token that can name a column or stream: identifiers, quoted identifiers and soft keywords. */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_$]*/, label: 'identifier', categories: [Name] });
export const QuotedIdentifier = createToken({ name: 'QuotedIdentifier', pattern: /"(?:[^"]|"")*"/, label: 'quoted identifier', categories: [Name] });
export const BacktickIdentifier = createToken({ name: 'BacktickIdentifier', pattern: /`(?:[^`]|``)*`/, label: 'quoted identifier', categories: [Name] });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^']|'')*'/, label: 'string' });
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  label: 'number',
});

function keyword(word: string, soft = false): TokenType {
  return createToken({ name: word[0] + word.slice(1).toLowerCase(), pattern: new RegExp(word, 'i'), longer_alt: Identifier, label: word, ...(soft ? { categories: [Name] } : {}) });
}

export const Select = keyword('SELECT');
export const Stream = keyword('STREAM', true);
export const From = keyword('FROM');
export const Where = keyword('WHERE');
export const Group = keyword('GROUP');
export const By = keyword('BY');
export const Having = keyword('HAVING');
export const As = keyword('AS');
export const And = keyword('AND');
export const Or = keyword('OR');
export const Not = keyword('NOT');
export const Null = keyword('NULL');
export const True = keyword('TRUE');
export const False = keyword('FALSE');
export const Is = keyword('IS');
export const In = keyword('IN');
export const Between = keyword('BETWEEN');
export const Like = keyword('LIKE');
export const Escape = keyword('ESCAPE');
export const Case = keyword('CASE');
export const When = keyword('WHEN');
export const Then = keyword('THEN');
export const Else = keyword('ELSE');
export const End = keyword('END');
export const Interval = keyword('INTERVAL');
export const Create = keyword('CREATE');
export const Replace = keyword('REPLACE', true);
export const Table = keyword('TABLE');
export const Pump = keyword('PUMP', true);
export const Insert = keyword('INSERT');
export const Into = keyword('INTO');
export const With = keyword('WITH');
export const Watermark = keyword('WATERMARK', true);
export const For = keyword('FOR');
export const To = keyword('TO');
export const Distinct = keyword('DISTINCT');
export const All = keyword('ALL');
export const Explain = keyword('EXPLAIN');
export const Emit = keyword('EMIT', true);
export const Changes = keyword('CHANGES', true);
export const Final = keyword('FINAL', true);
export const Descriptor = keyword('DESCRIPTOR');
export const Partition = keyword('PARTITION', true);
export const Description = keyword('DESCRIPTION', true);
export const View = keyword('VIEW', true);
export const FunctionKw = keyword('FUNCTION', true);
export const Language = keyword('LANGUAGE', true);
export const SetKw = keyword('SET', true);
export const Union = keyword('UNION', true);
export const Over = keyword('OVER', true);
export const Filter = keyword('FILTER', true);
export const Window = keyword('WINDOW', true);
export const Order = keyword('ORDER', true);
export const Limit = keyword('LIMIT', true);
export const Join = keyword('JOIN', true);
export const Inner = keyword('INNER', true);
export const Left = keyword('LEFT', true);
export const Right = keyword('RIGHT', true);
export const Full = keyword('FULL', true);
export const Outer = keyword('OUTER', true);
export const Cross = keyword('CROSS', true);
export const On = keyword('ON', true);
export const Partitioned = keyword('PARTITIONED', true);
export const Primary = keyword('PRIMARY', true);
export const Similar = keyword('SIMILAR', true);
export const Placing = keyword('PLACING', true);

export const NotEquals = createToken({ name: 'NotEquals', pattern: /<>|!=/, label: "'<>'" });
export const LessEquals = createToken({ name: 'LessEquals', pattern: /<=/, label: "'<='" });
export const GreaterEquals = createToken({ name: 'GreaterEquals', pattern: />=/, label: "'>='" });
export const Arrow = createToken({ name: 'Arrow', pattern: /=>/, label: "'=>'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const Less = createToken({ name: 'Less', pattern: /</, label: "'<'" });
export const Greater = createToken({ name: 'Greater', pattern: />/, label: "'>'" });
export const Concat = createToken({ name: 'Concat', pattern: /\|\|/, label: "'||'" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'" });
export const Percent = createToken({ name: 'Percent', pattern: /%/, label: "'%'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });

const keywords = [
  Select, Stream, From, Where, Group, By, Having, As, And, Or, Not, Null, True, False, Is, In,
  Between, Like, Escape, Case, When, Then, Else, End, Interval, Create, Replace, Table, Pump, Insert,
  Into, With, Watermark, For, To, Distinct, All, Explain, Emit, Changes, Final, Descriptor, Partition,
  Description, View, FunctionKw, Language, SetKw, Union, Over, Filter, Window, Order, Limit, Join, Inner,
  Left, Right, Full, Outer, Cross, On, Partitioned, Primary, Similar, Placing,
];

/** Keywords that may still name a column or stream where an identifier is expected. */
export const softKeywords: readonly TokenType[] = [
  Stream, Replace, Pump, Watermark, Emit, Changes, Final, Partition, Description, View, FunctionKw, Language, SetKw,
  Union, Over, Filter, Window, Order, Limit, Join, Inner, Left, Right, Full, Outer, Cross, On, Partitioned, Primary,
  Similar, Placing,
];

export const allTokens: TokenType[] = [
  WhiteSpace, LineComment, BlockComment,
  NotEquals, LessEquals, GreaterEquals, Arrow, Equals, Less, Greater, Concat, Plus, Minus, Star,
  Slash, Percent, LParen, RParen, Comma, Semicolon, Dot,
  ...[...keywords].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  QuotedIdentifier, BacktickIdentifier, StringLiteral, NumberLiteral, Identifier, Name,
];

/** The lexer; `validate` checks the token definitions themselves (the test suite does, see parse.test.ts). */
export function createSqlLexer(validate = false): InstanceType<typeof Lexer> {
  return new Lexer(allTokens, { ensureOptimizations: false, positionTracking: 'full', skipValidations: !validate });
}

export const sqlLexer = createSqlLexer();
