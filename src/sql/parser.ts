import type { ILookaheadStrategy, IToken } from 'chevrotain';
import { CstParser, LLkLookaheadStrategy } from './chevrotain.js';
import * as T from './tokens.js';

/**
 * Chevrotain's LL(k) lookahead, each decision's function built the first time the parser reaches
 * it rather than all of them at start-up: an application's SQL reaches a fraction of the grammar,
 * and building every one was most of the parser's start-up. The functions are the same ones.
 */
class LazyLookahead extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: Parameters<ILookaheadStrategy['buildLookaheadForAlternation']>[0]): ReturnType<ILookaheadStrategy['buildLookaheadForAlternation']> {
    return onFirstCall(() => super.buildLookaheadForAlternation(options));
  }

  override buildLookaheadForOptional(options: Parameters<ILookaheadStrategy['buildLookaheadForOptional']>[0]): ReturnType<ILookaheadStrategy['buildLookaheadForOptional']> {
    return onFirstCall(() => super.buildLookaheadForOptional(options));
  }
}

/** A function that builds `build()` on its first call and from then on is it (same `this`, same arguments). */
function onFirstCall<A extends unknown[], R>(build: () => (this: unknown, ...args: A) => R): (this: unknown, ...args: A) => R {
  let f: ((this: unknown, ...args: A) => R) | null = null;
  return function (this: unknown, ...args: A): R {
    f ??= build();
    return f.apply(this, args);
  };
}

export class SqlParser extends CstParser {
  /**
   * `validate`: check the grammar itself (ambiguities, left recursion) while analysing it. The
   * test suite does; the shared instance skips it, which saves ~20 ms at every start.
   */
  constructor(validate = false) {
    super(T.allTokens, { nodeLocationTracking: 'full', maxLookahead: 3, recoveryEnabled: false, skipValidations: !validate, lookaheadStrategy: new LazyLookahead({ maxLookahead: 3 }) });
    this.performSelfAnalysis();
  }

  script = this.RULE('script', () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Semicolon) }, { ALT: () => this.SUBRULE(this.statement) }]);
    });
  });

  statement = this.RULE('statement', () => {
    this.OPTION(() => this.CONSUME(T.Explain));
    this.OR([
      { ALT: () => this.SUBRULE(this.createStatement) },
      { ALT: () => this.SUBRULE(this.insertStatement) },
      { ALT: () => this.SUBRULE(this.query) },
      { ALT: () => this.SUBRULE(this.setStatement) },
    ]);
  });

  setStatement = this.RULE('setStatement', () => {
    this.CONSUME(T.SetKw);
    this.SUBRULE(this.withOption);
  });

  createStatement = this.RULE('createStatement', () => {
    this.CONSUME(T.Create);
    this.OPTION(() => {
      this.CONSUME(T.Or);
      this.CONSUME(T.Replace);
    });
    this.OPTION2({ GATE: () => isWord(this.LA(1), 'TEMPORARY'), DEF: () => this.CONSUME(T.Identifier, { LABEL: 'temporary' }) });
    this.OR([
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.Stream) }, { ALT: () => this.CONSUME(T.Table) }]);
          this.SUBRULE(this.ifNotExists);
          this.SUBRULE(this.createStreamBody);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Pump);
          this.SUBRULE(this.identifier, { LABEL: 'pumpName' });
          this.CONSUME(T.As);
          this.SUBRULE(this.insertStatement);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.View);
          this.SUBRULE2(this.ifNotExists);
          this.SUBRULE2(this.identifier, { LABEL: 'viewName' });
          this.OPTION3(() => {
            this.CONSUME(T.LParen);
            this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE3(this.identifier, { LABEL: 'viewColumn' }) });
            this.CONSUME(T.RParen);
          });
          this.CONSUME2(T.As);
          this.SUBRULE(this.query, { LABEL: 'viewQuery' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.FunctionKw);
          this.SUBRULE3(this.ifNotExists);
          this.SUBRULE4(this.identifier, { LABEL: 'functionName' });
          this.CONSUME3(T.As);
          this.CONSUME(T.StringLiteral, { LABEL: 'functionTarget' });
          this.OPTION4(() => {
            this.CONSUME(T.Language);
            this.CONSUME2(T.Identifier, { LABEL: 'language' });
          });
        },
      },
    ]);
  });

  /** `IF NOT EXISTS` (IF is not a keyword: it is also a function name). */
  ifNotExists = this.RULE('ifNotExists', () => {
    this.OPTION({
      GATE: () => isWord(this.LA(1), 'IF') && this.LA(2).tokenType === T.Not,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'if' });
        this.CONSUME(T.Not);
        this.CONSUME2(T.Identifier, { LABEL: 'exists' });
      },
    });
  });

  createStreamBody = this.RULE('createStreamBody', () => {
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.columnOrWatermark) });
      this.CONSUME(T.RParen);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Description);
      this.CONSUME(T.StringLiteral);
    });
    this.OPTION5(() => {
      this.CONSUME(T.Partitioned);
      this.CONSUME(T.By);
      this.CONSUME3(T.LParen);
      this.AT_LEAST_ONE_SEP2({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.identifier, { LABEL: 'partitionedBy' }) });
      this.CONSUME3(T.RParen);
    });
    this.OPTION3(() => {
      this.CONSUME(T.With);
      this.CONSUME2(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.withOption) });
      this.CONSUME2(T.RParen);
    });
    this.OPTION4(() => {
      this.CONSUME(T.As);
      this.SUBRULE(this.query);
    });
  });

  columnOrWatermark = this.RULE('columnOrWatermark', () => {
    this.OR([
      {
        GATE: () => this.LA(1).tokenType === T.Watermark && this.LA(2).tokenType === T.For,
        ALT: () => {
          this.CONSUME(T.Watermark);
          this.CONSUME(T.For);
          this.SUBRULE(this.identifier, { LABEL: 'wmColumn' });
          this.CONSUME(T.As);
          this.SUBRULE(this.expression, { LABEL: 'wmExpr' });
        },
      },
      {
        GATE: () => this.LA(1).tokenType === T.Primary && isWord(this.LA(2), 'KEY'),
        ALT: () => {
          this.CONSUME(T.Primary);
          this.CONSUME(T.Identifier, { LABEL: 'keyWord' });
          this.CONSUME(T.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE3(this.identifier, { LABEL: 'keyColumn' }) });
          this.CONSUME(T.RParen);
          this.OPTION(() => {
            this.CONSUME(T.Not);
            this.CONSUME2(T.Identifier, { LABEL: 'enforced' });
          });
        },
      },
      {
        ALT: () => {
          this.SUBRULE2(this.identifier, { LABEL: 'colName' });
          this.OR2([
            { ALT: () => this.SUBRULE(this.typeName) },
            {
              ALT: () => {
                this.CONSUME2(T.As);
                this.SUBRULE2(this.expression, { LABEL: 'computed' });
              },
            },
          ]);
        },
      },
    ]);
  });

  typeName = this.RULE('typeName', () => {
    this.CONSUME(T.Identifier, { LABEL: 'base' });
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.typeArg) });
            this.CONSUME(T.RParen);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Less);
            this.AT_LEAST_ONE_SEP2({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.typeArg) });
            this.CONSUME(T.Greater);
          },
        },
      ]);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Not);
      this.CONSUME(T.Null);
    });
  });

  /** A type's argument: a length or precision, a ROW field (`name TYPE`), or an element type. */
  typeArg = this.RULE('typeArg', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: 'param' }) },
      {
        GATE: () => this.LA(2).tokenType === T.Identifier,
        ALT: () => {
          this.SUBRULE(this.identifier, { LABEL: 'fieldName' });
          this.SUBRULE(this.typeName, { LABEL: 'fieldType' });
        },
      },
      { ALT: () => this.SUBRULE2(this.typeName, { LABEL: 'elementType' }) },
    ]);
  });

  withOption = this.RULE('withOption', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'keyString' }) },
      {
        ALT: () => {
          // `table = '...'` names a DuckDB sink's table, and `table.exec...` is a Flink setting; TABLE is otherwise a keyword.
          this.OR3([{ ALT: () => this.CONSUME(T.Table, { LABEL: 'keyTable' }) }, { ALT: () => this.SUBRULE(this.identifier, { LABEL: 'keyPart' }) }]);
          this.MANY(() => {
            this.CONSUME(T.Dot);
            this.SUBRULE2(this.identifier, { LABEL: 'keyPart' });
          });
        },
      },
    ]);
    this.CONSUME(T.Equals);
    this.OR2([
      { ALT: () => this.CONSUME2(T.StringLiteral, { LABEL: 'value' }) },
      { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: 'value' }) },
      { ALT: () => this.CONSUME(T.True, { LABEL: 'value' }) },
      { ALT: () => this.CONSUME(T.False, { LABEL: 'value' }) },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'value' }) },
    ]);
  });

  insertStatement = this.RULE('insertStatement', () => {
    this.CONSUME(T.Insert);
    this.CONSUME(T.Into);
    this.SUBRULE(this.identifier, { LABEL: 'target' });
    this.OPTION({
      GATE: () => this.LA(2).tokenType !== T.Select && this.LA(2).tokenType !== T.With,
      DEF: () => {
        this.CONSUME(T.LParen);
        this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.identifier, { LABEL: 'column' }) });
        this.CONSUME(T.RParen);
      },
    });
    this.SUBRULE(this.query);
  });

  /** `[WITH ctes] select [UNION [ALL] select ...] [ORDER BY ...] [LIMIT n]`. */
  query = this.RULE('query', () => {
    this.OPTION(() => {
      this.CONSUME(T.With);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.commonTable) });
    });
    this.SUBRULE(this.queryTerm, { LABEL: 'term' });
    this.MANY(() => {
      this.CONSUME(T.Union);
      this.OPTION2(() => this.OR([{ ALT: () => this.CONSUME(T.All, { LABEL: 'unionAll' }) }, { ALT: () => this.CONSUME(T.Distinct, { LABEL: 'unionDistinct' }) }]));
      this.SUBRULE2(this.queryTerm, { LABEL: 'term' });
    });
    this.OPTION3(() => {
      this.CONSUME(T.Order);
      this.CONSUME(T.By);
      this.AT_LEAST_ONE_SEP2({ SEP: T.Comma, DEF: () => this.SUBRULE(this.orderItem) });
    });
    this.OPTION4(() => {
      this.CONSUME(T.Limit);
      this.CONSUME(T.NumberLiteral, { LABEL: 'limit' });
    });
  });

  commonTable = this.RULE('commonTable', () => {
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.identifier, { LABEL: 'column' }) });
      this.CONSUME(T.RParen);
    });
    this.CONSUME(T.As);
    this.CONSUME2(T.LParen);
    this.SUBRULE(this.query);
    this.CONSUME2(T.RParen);
  });

  queryTerm = this.RULE('queryTerm', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.select) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.query, { LABEL: 'inner' });
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  select = this.RULE('select', () => {
    this.CONSUME(T.Select);
    this.OPTION(() => this.CONSUME(T.Stream));
    this.OPTION2(() => this.OR([{ ALT: () => this.CONSUME(T.Distinct) }, { ALT: () => this.CONSUME(T.All) }]));
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.selectItem) });
    this.CONSUME(T.From);
    this.SUBRULE(this.fromItem);
    this.OPTION3(() => {
      this.CONSUME(T.Where);
      this.SUBRULE(this.expression, { LABEL: 'where' });
    });
    this.OPTION4(() => {
      this.CONSUME(T.Group);
      this.CONSUME(T.By);
      this.AT_LEAST_ONE_SEP2({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.expression, { LABEL: 'groupBy' }) });
    });
    this.OPTION5(() => {
      this.CONSUME(T.Having);
      this.SUBRULE3(this.expression, { LABEL: 'having' });
    });
    this.OPTION7(() => {
      this.CONSUME(T.Window);
      this.AT_LEAST_ONE_SEP3({ SEP: T.Comma, DEF: () => this.SUBRULE(this.namedWindow) });
    });
    this.OPTION6(() => {
      this.CONSUME(T.Emit);
      this.OR2([{ ALT: () => this.CONSUME(T.Changes) }, { ALT: () => this.CONSUME(T.Final) }]);
    });
  });

  namedWindow = this.RULE('namedWindow', () => {
    this.SUBRULE(this.identifier, { LABEL: 'name' });
    this.CONSUME(T.As);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.windowSpec);
    this.CONSUME(T.RParen);
  });

  /** The inside of OVER (...): `[w] [PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE frame]`. */
  windowSpec = this.RULE('windowSpec', () => {
    this.OPTION({
      GATE: () => isPlainName(this.LA(1)) && !isWord(this.LA(1), 'ROWS') && !isWord(this.LA(1), 'RANGE'),
      DEF: () => this.SUBRULE(this.identifier, { LABEL: 'ref' }),
    });
    this.OPTION2(() => {
      this.CONSUME(T.Partition);
      this.CONSUME(T.By);
      this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'partitionBy' }) });
    });
    this.OPTION3(() => {
      this.CONSUME(T.Order);
      this.CONSUME2(T.By);
      this.AT_LEAST_ONE_SEP2({ SEP: T.Comma, DEF: () => this.SUBRULE(this.orderItem) });
    });
    this.OPTION4({
      GATE: () => isWord(this.LA(1), 'ROWS') || isWord(this.LA(1), 'RANGE'),
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'frameUnit' });
        this.OR([
          {
            ALT: () => {
              this.CONSUME(T.Between);
              this.SUBRULE(this.frameBound, { LABEL: 'frameStart' });
              this.CONSUME(T.And);
              this.SUBRULE2(this.frameBound, { LABEL: 'frameEnd' });
            },
          },
          { ALT: () => this.SUBRULE3(this.frameBound, { LABEL: 'frameStart' }) },
        ]);
      },
    });
  });

  frameBound = this.RULE('frameBound', () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => isWord(this.LA(1), 'UNBOUNDED'),
          ALT: () => {
            this.CONSUME(T.Identifier, { LABEL: 'unbounded' });
            this.CONSUME2(T.Identifier, { LABEL: 'direction' });
          },
        },
        {
          GATE: () => isWord(this.LA(1), 'CURRENT') && isWord(this.LA(2), 'ROW'),
          ALT: () => {
            this.CONSUME3(T.Identifier, { LABEL: 'current' });
            this.CONSUME4(T.Identifier, { LABEL: 'row' });
          },
        },
        {
          ALT: () => {
            this.SUBRULE(this.additive, { LABEL: 'offset' });
            this.CONSUME5(T.Identifier, { LABEL: 'direction' });
          },
        },
      ],
    });
  });

  orderItem = this.RULE('orderItem', () => {
    this.SUBRULE(this.expression, { LABEL: 'expr' });
    this.OPTION({
      GATE: () => isWord(this.LA(1), 'ASC') || isWord(this.LA(1), 'DESC'),
      DEF: () => this.CONSUME(T.Identifier, { LABEL: 'direction' }),
    });
  });

  selectItem = this.RULE('selectItem', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Star) },
      {
        GATE: () => this.LA(2).tokenType === T.Dot && this.LA(3).tokenType === T.Star,
        ALT: () => {
          this.SUBRULE(this.identifier, { LABEL: 'qualifier' });
          this.CONSUME(T.Dot);
          this.CONSUME2(T.Star);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.expression);
          this.OPTION(() => this.SUBRULE(this.alias));
        },
      },
    ]);
  });

  fromItem = this.RULE('fromItem', () => {
    this.SUBRULE(this.fromPrimary, { LABEL: 'first' });
    this.MANY(() => this.SUBRULE(this.joinClause));
  });

  /** `[INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER] | CROSS] JOIN item [ON cond]`, or `, item`. */
  joinClause = this.RULE('joinClause', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Comma, { LABEL: 'comma' }) },
      {
        ALT: () => {
          this.OPTION(() => {
            this.OR2([
              { ALT: () => this.CONSUME(T.Inner, { LABEL: 'joinType' }) },
              { ALT: () => this.CONSUME(T.Left, { LABEL: 'joinType' }) },
              { ALT: () => this.CONSUME(T.Right, { LABEL: 'joinType' }) },
              { ALT: () => this.CONSUME(T.Full, { LABEL: 'joinType' }) },
              { ALT: () => this.CONSUME(T.Cross, { LABEL: 'joinType' }) },
            ]);
            this.OPTION2(() => this.CONSUME(T.Outer));
          });
          this.CONSUME(T.Join);
        },
      },
    ]);
    this.SUBRULE(this.fromPrimary, { LABEL: 'right' });
    this.OPTION3(() => {
      this.CONSUME(T.On);
      this.SUBRULE(this.expression, { LABEL: 'on' });
    });
  });

  fromPrimary = this.RULE('fromPrimary', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Table);
          this.CONSUME(T.LParen);
          this.SUBRULE(this.windowTvf);
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.LParen);
          this.SUBRULE(this.query);
          this.CONSUME2(T.RParen);
          // `(SELECT ...) AS t(a, b)`: the subquery's columns renamed.
          this.OPTION4({
            GATE: () => (this.LA(1).tokenType === T.As ? this.LA(3).tokenType === T.LParen : isPlainName(this.LA(1)) && this.LA(2).tokenType === T.LParen),
            DEF: () => {
              this.SUBRULE2(this.alias, { LABEL: 'columnsAlias' });
              this.CONSUME4(T.LParen);
              this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.identifier, { LABEL: 'aliasColumn' }) });
              this.CONSUME4(T.RParen);
            },
          });
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.identifier, { LABEL: 'table' });
          this.OPTION2({
            GATE: () => this.LA(1).tokenType === T.For && isWord(this.LA(2), 'SYSTEM_TIME'),
            DEF: () => {
              this.CONSUME(T.For);
              this.CONSUME(T.Identifier, { LABEL: 'systemTime' });
              this.CONSUME(T.As);
              this.CONSUME2(T.Identifier, { LABEL: 'of' });
              this.SUBRULE(this.additive, { LABEL: 'asOf' });
            },
          });
          this.OPTION3(() => {
            this.CONSUME(T.Over);
            this.CONSUME3(T.LParen);
            this.SUBRULE(this.windowSpec, { LABEL: 'over' });
            this.CONSUME3(T.RParen);
          });
        },
      },
    ]);
    this.OPTION(() => this.SUBRULE(this.alias));
  });

  /** `AS name`, or a bare name that is not a keyword (so `FROM t EMIT CHANGES` stays unambiguous). */
  alias = this.RULE('alias', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.As);
          this.SUBRULE(this.identifier, { LABEL: 'name' });
        },
      },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'bare' }) },
      { ALT: () => this.CONSUME(T.QuotedIdentifier, { LABEL: 'bare' }) },
    ]);
  });

  windowTvf = this.RULE('windowTvf', () => {
    this.CONSUME(T.Identifier, { LABEL: 'fn' });
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.tvfArg) });
    this.CONSUME(T.RParen);
  });

  tvfArg = this.RULE('tvfArg', () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier, { LABEL: 'argName' });
      this.CONSUME(T.Arrow);
    });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Table);
          this.SUBRULE(this.identifier, { LABEL: 'table' });
          this.OPTION2(() => {
            this.CONSUME(T.Partition);
            this.CONSUME(T.By);
            this.OR2({
              IGNORE_AMBIGUITIES: true,
              DEF: [
                {
                  GATE: () => this.LA(1).tokenType === T.LParen,
                  ALT: () => {
                    this.CONSUME2(T.LParen);
                    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'partitionBy' }) });
                    this.CONSUME2(T.RParen);
                  },
                },
                { ALT: () => this.SUBRULE3(this.expression, { LABEL: 'partitionBy' }) },
              ],
            });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Descriptor);
          this.CONSUME(T.LParen);
          this.SUBRULE2(this.identifier, { LABEL: 'descriptor' });
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE2(this.expression, { LABEL: 'value' }) },
    ]);
  });

  expression = this.RULE('expression', () => {
    this.SUBRULE(this.andExpr, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.andExpr, { LABEL: 'operand' });
    });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.notExpr, { LABEL: 'operand' });
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.notExpr, { LABEL: 'operand' });
    });
  });

  notExpr = this.RULE('notExpr', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.notExpr, { LABEL: 'negated' });
        },
      },
      { ALT: () => this.SUBRULE(this.predicate) },
    ]);
  });

  predicate = this.RULE('predicate', () => {
    this.SUBRULE(this.additive, { LABEL: 'lhs' });
    // SIMILAR without TO separates SUBSTRING(s SIMILAR pattern ESCAPE c)'s arguments.
    this.OPTION({ GATE: () => this.LA(1).tokenType !== T.Similar || this.LA(2).tokenType === T.To, DEF: () => {
      this.OR([
        {
          ALT: () => {
            this.OR2([
              { ALT: () => this.CONSUME(T.Equals, { LABEL: 'cmp' }) },
              { ALT: () => this.CONSUME(T.NotEquals, { LABEL: 'cmp' }) },
              { ALT: () => this.CONSUME(T.Less, { LABEL: 'cmp' }) },
              { ALT: () => this.CONSUME(T.LessEquals, { LABEL: 'cmp' }) },
              { ALT: () => this.CONSUME(T.Greater, { LABEL: 'cmp' }) },
              { ALT: () => this.CONSUME(T.GreaterEquals, { LABEL: 'cmp' }) },
            ]);
            this.SUBRULE2(this.additive, { LABEL: 'rhs' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Is);
            this.OPTION2(() => this.CONSUME(T.Not, { LABEL: 'isNot' }));
            this.CONSUME(T.Null);
          },
        },
        {
          ALT: () => {
            this.OPTION3(() => this.CONSUME2(T.Not, { LABEL: 'not' }));
            this.OR3([
              {
                ALT: () => {
                  this.CONSUME(T.In);
                  this.CONSUME(T.LParen);
                  this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'inItem' }) });
                  this.CONSUME(T.RParen);
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.Between);
                  this.SUBRULE3(this.additive, { LABEL: 'low' });
                  this.CONSUME(T.And);
                  this.SUBRULE4(this.additive, { LABEL: 'high' });
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.Like);
                  this.SUBRULE5(this.additive, { LABEL: 'pattern' });
                  this.OPTION4(() => {
                    this.CONSUME(T.Escape);
                    this.SUBRULE6(this.additive, { LABEL: 'escape' });
                  });
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.Similar);
                  this.CONSUME(T.To);
                  this.SUBRULE7(this.additive, { LABEL: 'pattern' });
                  this.OPTION5(() => {
                    this.CONSUME2(T.Escape);
                    this.SUBRULE8(this.additive, { LABEL: 'escape' });
                  });
                },
              },
            ]);
          },
        },
      ]);
    } });
  });

  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(T.Concat, { LABEL: 'op' }) },
      ]);
      this.SUBRULE2(this.multiplicative, { LABEL: 'operand' });
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: 'op' }) },
      ]);
      this.SUBRULE2(this.unary, { LABEL: 'operand' });
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.Minus, { LABEL: 'sign' }) },
            { ALT: () => this.CONSUME(T.Plus, { LABEL: 'sign' }) },
          ]);
          this.SUBRULE(this.unary, { LABEL: 'operand' });
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Null) },
      { ALT: () => this.SUBRULE(this.intervalLiteral) },
      { ALT: () => this.SUBRULE(this.caseExpr) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression, { LABEL: 'inner' });
          this.CONSUME(T.RParen);
          this.OPTION({ GATE: () => isIntervalField(this.LA(1)), DEF: () => this.SUBRULE(this.intervalQualifier) });
        },
      },
      {
        GATE: () => isWord(this.LA(1), 'POSITION') && this.LA(2).tokenType === T.LParen,
        ALT: () => this.SUBRULE(this.positionCall),
      },
      { ALT: () => this.SUBRULE(this.identifierExpr) },
    ]);
  });

  /** `SECOND`, `MINUTE TO SECOND`, `SECOND(10, 3)`: what `(a - b)` is an interval of. */
  intervalQualifier = this.RULE('intervalQualifier', () => {
    this.CONSUME(T.Identifier, { LABEL: 'unit' });
    this.OPTION(() => this.SUBRULE(this.fieldPrecision));
    this.OPTION2(() => {
      this.CONSUME(T.To);
      this.CONSUME2(T.Identifier, { LABEL: 'toUnit' });
      this.OPTION3(() => this.SUBRULE2(this.fieldPrecision));
    });
  });

  fieldPrecision = this.RULE('fieldPrecision', () => {
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.NumberLiteral) });
    this.CONSUME(T.RParen);
  });

  positionCall = this.RULE('positionCall', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.additive, { LABEL: 'needle' });
    this.CONSUME(T.In);
    this.SUBRULE2(this.additive, { LABEL: 'haystack' });
    this.CONSUME(T.RParen);
  });

  identifierExpr = this.RULE('identifierExpr', () => {
    this.SUBRULE(this.identifier, { LABEL: 'head' });
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'typedValue' }) },
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.OPTION2(() => this.SUBRULE(this.callArgs));
            this.CONSUME(T.RParen);
            this.OPTION5({
              GATE: () => (isWord(this.LA(1), 'IGNORE') || isWord(this.LA(1), 'RESPECT')) && isWord(this.LA(2), 'NULLS'),
              DEF: () => {
                this.CONSUME2(T.Identifier, { LABEL: 'nullTreatment' });
                this.CONSUME3(T.Identifier, { LABEL: 'nulls' });
              },
            });
            this.OPTION3(() => {
              this.CONSUME(T.Filter);
              this.CONSUME2(T.LParen);
              this.CONSUME(T.Where);
              this.SUBRULE(this.expression, { LABEL: 'filter' });
              this.CONSUME2(T.RParen);
            });
            this.OPTION4(() => {
              this.CONSUME(T.Over);
              this.OR2([
                {
                  ALT: () => {
                    this.CONSUME3(T.LParen);
                    this.SUBRULE(this.windowSpec, { LABEL: 'over' });
                    this.CONSUME3(T.RParen);
                  },
                },
                { ALT: () => this.SUBRULE3(this.identifier, { LABEL: 'overName' }) },
              ]);
            });
            // A field of the call's ROW value: REGEX_LOG_PARSE(line, '...').COLUMN1.
            this.MANY(() => {
              this.CONSUME2(T.Dot);
              this.SUBRULE4(this.identifier, { LABEL: 'callField' });
            });
          },
        },
        {
          ALT: () => {
            this.AT_LEAST_ONE(() => {
              this.CONSUME(T.Dot);
              this.SUBRULE2(this.identifier, { LABEL: 'member' });
            });
          },
        },
      ]);
    });
  });

  callArgs = this.RULE('callArgs', () => {
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Distinct) }, { ALT: () => this.CONSUME(T.All) }]));
    this.OR2([
      { ALT: () => this.CONSUME(T.Star) },
      {
        ALT: () => {
          this.SUBRULE(this.expression, { LABEL: 'arg' });
          this.MANY(() => {
            this.OR3([
              { ALT: () => this.CONSUME(T.Comma, { LABEL: 'sep' }) },
              { ALT: () => this.CONSUME(T.To, { LABEL: 'sep' }) },
              { ALT: () => this.CONSUME(T.By, { LABEL: 'sep' }) },
              { ALT: () => this.CONSUME(T.From, { LABEL: 'sep' }) },
              { ALT: () => this.CONSUME(T.For, { LABEL: 'sep' }) },
              { ALT: () => this.CONSUME(T.As, { LABEL: 'sep' }) },
              { ALT: () => this.CONSUME(T.Placing, { LABEL: 'sep' }) },
              { ALT: () => this.CONSUME(T.Similar, { LABEL: 'sep' }) },
              { ALT: () => this.CONSUME(T.Escape, { LABEL: 'sep' }) },
            ]);
            this.SUBRULE2(this.expression, { LABEL: 'arg' });
          });
        },
      },
    ]);
  });

  intervalLiteral = this.RULE('intervalLiteral', () => {
    this.CONSUME(T.Interval);
    this.OPTION(() => this.CONSUME(T.Minus, { LABEL: 'sign' }));
    this.OR([
      { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'value' }) },
      { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: 'value' }) },
    ]);
    this.CONSUME(T.Identifier, { LABEL: 'unit' });
    this.OPTION2(() => {
      this.CONSUME(T.LParen);
      this.CONSUME2(T.NumberLiteral, { LABEL: 'precision' });
      this.CONSUME(T.RParen);
    });
    this.OPTION3(() => {
      this.CONSUME(T.To);
      this.CONSUME2(T.Identifier, { LABEL: 'toUnit' });
    });
  });

  caseExpr = this.RULE('caseExpr', () => {
    this.CONSUME(T.Case);
    this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'operand' }));
    this.AT_LEAST_ONE(() => {
      this.CONSUME(T.When);
      this.SUBRULE2(this.expression, { LABEL: 'when' });
      this.CONSUME(T.Then);
      this.SUBRULE3(this.expression, { LABEL: 'then' });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Else);
      this.SUBRULE4(this.expression, { LABEL: 'else' });
    });
    this.CONSUME(T.End);
  });

  identifier = this.RULE('identifier', () => {
    this.CONSUME(T.Name, { LABEL: 'id' });
  });
}

/** A unit that can qualify an interval: `(a - b) MINUTE`. */
function isIntervalField(tok: IToken): boolean {
  return tok.tokenType === T.Identifier && /^(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)$/i.test(tok.image);
}

function isWord(tok: IToken, word: string): boolean {
  return tok.tokenType === T.Identifier && tok.image.toUpperCase() === word;
}

/** An identifier or quoted identifier, not a keyword (soft keywords included). */
function isPlainName(tok: IToken): boolean {
  return tok.tokenType === T.Identifier || tok.tokenType === T.QuotedIdentifier || tok.tokenType === T.BacktickIdentifier;
}

export const sqlParser = new SqlParser();
