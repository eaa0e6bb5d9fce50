import type * as A from '../sql/ast.js';
import type { Dialect } from './kda-calls.js';

/**
 * How an application's dialect is known, and KDA's naming rule. A script with a CREATE PUMP or a
 * SELECT STREAM is a Kinesis Data Analytics application: KDA upper-cases unquoted identifiers, so
 * the columns its CREATE STREAM statements declare are named in upper case unless quoted
 * (`ticker_symbol` is TICKER_SYMBOL, `"ticker_symbol"` stays as written), and so are the output
 * columns of its pumps and SELECT STREAM queries. Any other script, and the Flink-style queries of
 * a mixed one, keep Flink's rule: names as written.
 */
export function dialectOf(statements: readonly A.Statement[]): Dialect {
  return statements.some(isKdaStatement) ? 'kda' : 'flink';
}

/** A statement's own dialect in a script of `script`'s: KDA for pumps and SELECT STREAM queries of a KDA application. */
export function statementDialect(st: A.Statement, script: Dialect): Dialect {
  return script === 'kda' && isKdaStatement(st) ? 'kda' : 'flink';
}

function isKdaStatement(st: A.Statement): boolean {
  switch (st.kind) {
    case 'create-pump': return true;
    case 'explain': return isKdaStatement(st.statement);
    case 'insert': case 'query-statement': case 'create-view': return streams(st.query);
    case 'create-stream': return st.query ? streams(st.query) : false;
    case 'create-function': case 'set': return false;
  }
}

/** Whether a query is written with SELECT STREAM anywhere. */
function streams(q: A.Query): boolean {
  switch (q.kind) {
    case 'select': return q.stream || (q.from.kind === 'subquery' && streams(q.from.query));
    case 'set-op': return streams(q.left) || streams(q.right);
    case 'with': return streams(q.body) || q.ctes.some((c) => streams(c.query));
    case 'ordered': return streams(q.body);
  }
}

/** A name as the dialect spells it: KDA upper-cases unquoted identifiers. */
export function kdaName(id: A.Ident, kda: boolean): string {
  return kda && !id.quoted ? id.name.toUpperCase() : id.name;
}
