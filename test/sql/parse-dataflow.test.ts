import { describe, it, expect } from 'vitest';
import { parseSql } from '../../src/sql/parse.js';
import type * as A from '../../src/sql/ast.js';

/** Parses one statement and fails the test with the diagnostics if there are any. */
function one<T extends A.Statement>(sql: string): T {
  const { statements, diagnostics } = parseSql(sql);
  expect(diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([]);
  expect(statements).toHaveLength(1);
  return statements[0] as T;
}

const queryOf = (sql: string): A.Query => one<A.QueryStatement>(sql).query;
const selectOf = (sql: string): A.Select => {
  const q = queryOf(sql);
  expect(q.kind).toBe('select');
  return q as A.Select;
};
const firstExpr = (sql: string): A.Expr => (selectOf(sql).items[0] as A.SelectItem).expr;

describe('Flink-style DDL', () => {
  it('reads ROW types, backquoted names, a computed column and a watermark on it', () => {
    const s = one<A.CreateStream>(`CREATE TABLE events (
      kind INT,
      bid ROW<auction BIGINT, price BIGINT, \`dateTime\` TIMESTAMP(3), tags ROW<a VARCHAR>>,
      \`dateTime\` AS CASE WHEN kind = 2 THEN bid.\`dateTime\` ELSE NULL END,
      WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
    ) WITH ('connector' = 'kinesis', 'stream' = 'events')`);
    expect(s.table).toBe(true);
    expect(s.columns.map((c) => c.name.name)).toEqual(['kind', 'bid']);
    const bid = s.columns[1]!.type;
    expect(bid.name).toBe('ROW');
    expect(bid.fields!.map((f) => [f.name.name, f.type.name, f.type.params])).toEqual([
      ['auction', 'BIGINT', []],
      ['price', 'BIGINT', []],
      ['dateTime', 'TIMESTAMP', [3]],
      ['tags', 'ROW', []],
    ]);
    expect(bid.fields![3]!.type.fields![0]!.name.name).toBe('a');
    expect(s.computed).toHaveLength(1);
    expect(s.computed[0]).toMatchObject({ name: { name: 'dateTime', quoted: true }, position: 2, expr: { kind: 'case' } });
    expect(s.watermark?.column.name).toBe('dateTime');
    expect(s.options.map((o) => [o.key, o.value])).toEqual([['connector', 'kinesis'], ['stream', 'events']]);
  });

  it('reads PRIMARY KEY ... NOT ENFORCED and PARTITIONED BY', () => {
    const s = one<A.CreateStream>(`CREATE TABLE out (k VARCHAR, n BIGINT, dt STRING, PRIMARY KEY (k, dt) NOT ENFORCED) PARTITIONED BY (dt) WITH ('connector' = 'filesystem', 'path' = 'out/', 'format' = 'csv')`);
    expect(s.primaryKey!.map((k) => k.name)).toEqual(['k', 'dt']);
    expect(s.partitionedBy.map((p) => p.name)).toEqual(['dt']);
    expect(s.columns.map((c) => c.name.name)).toEqual(['k', 'n', 'dt']);
  });

  it('insists that a primary key is NOT ENFORCED', () => {
    const { diagnostics } = parseSql(`CREATE TABLE t (k VARCHAR, PRIMARY KEY (k)) WITH ('connector' = 'print')`);
    expect(diagnostics[0]).toMatchObject({ code: 'SQL_PRIMARY_KEY', span: { start: { line: 1, column: 28 } } });
  });

  it('reads CREATE [TEMPORARY] VIEW, CREATE FUNCTION and SET', () => {
    const v = one<A.CreateView>(`CREATE TEMPORARY VIEW IF NOT EXISTS v (a, b) AS SELECT x, y FROM t WHERE z = 0`);
    expect(v).toMatchObject({ kind: 'create-view', name: { name: 'v' }, columns: [{ name: 'a' }, { name: 'b' }], query: { kind: 'select' } });
    const f = one<A.CreateFunction>(`CREATE FUNCTION count_char AS './udfs.js#countChar' LANGUAGE JAVASCRIPT`);
    expect(f).toMatchObject({ kind: 'create-function', name: { name: 'count_char' }, target: './udfs.js#countChar', language: 'JAVASCRIPT' });
    expect(one<A.CreateFunction>(`CREATE FUNCTION f AS 'm.js#f'`).language).toBe('JAVASCRIPT');
    expect(one<A.SetOption>(`SET 'table.exec.state.ttl' = '1 h'`)).toMatchObject({ kind: 'set', key: 'table.exec.state.ttl', value: '1 h' });
    expect(one<A.SetOption>(`SET table.exec.state.ttl = '30 min'`)).toMatchObject({ key: 'table.exec.state.ttl', value: '30 min' });
  });
});

describe('query composition', () => {
  it('reads WITH, nested subqueries and UNION ALL', () => {
    const q = queryOf(`WITH a AS (SELECT x FROM s), b (y) AS (SELECT x FROM a WHERE x > 1)
      SELECT x FROM a UNION ALL SELECT y FROM (SELECT * FROM (SELECT y FROM b)) UNION SELECT 1 FROM b`);
    expect(q.kind).toBe('with');
    const w = q as A.WithQuery;
    expect(w.ctes.map((c) => [c.name.name, c.columns.map((x) => x.name)])).toEqual([['a', []], ['b', ['y']]]);
    expect(w.body).toMatchObject({ kind: 'set-op', all: false, left: { kind: 'set-op', all: true, right: { kind: 'select', from: { kind: 'subquery', query: { from: { kind: 'subquery' } } } } } });
  });

  it('reads a parenthesised query as a UNION operand, and ORDER BY with LIMIT', () => {
    const q = queryOf(`(SELECT a FROM s) UNION ALL (SELECT a FROM t) ORDER BY a DESC LIMIT 10`);
    expect(q).toMatchObject({ kind: 'ordered', limit: 10, orderBy: [{ desc: true }], body: { kind: 'set-op', all: true } });
  });

  it('tells an INSERT column list from a parenthesised query', () => {
    const a = one<A.InsertInto>(`INSERT INTO out (a, b) SELECT x, y FROM s`);
    expect(a.columns.map((c) => c.name)).toEqual(['a', 'b']);
    const b = one<A.InsertInto>(`INSERT INTO out (SELECT x, y FROM s)`);
    expect(b.columns).toEqual([]);
    expect(b.query.kind).toBe('select');
  });

  it('reads SELECT DISTINCT and star beside expressions', () => {
    const s = selectOf(`SELECT DISTINCT *, PROCTIME() AS p FROM bid`);
    expect(s.distinct).toBe(true);
    expect(s.items.map((i) => i.kind)).toEqual(['star', 'select-item']);
  });
});

describe('aggregates and windows', () => {
  it('reads FILTER (WHERE ...) on aggregates', () => {
    const e = firstExpr(`SELECT count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS n FROM bid GROUP BY channel`);
    expect(e).toMatchObject({ kind: 'call', name: 'COUNT', distinct: true, filter: { kind: 'binary', op: 'AND' } });
  });

  it('reads OVER with PARTITION BY, ORDER BY and ROWS/RANGE frames', () => {
    const rows = firstExpr(`SELECT AVG(price) OVER (PARTITION BY auction ORDER BY ts ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) FROM bid`);
    expect(rows).toMatchObject({
      kind: 'call', name: 'AVG',
      over: { partitionBy: [{ name: { name: 'auction' } }], orderBy: [{ desc: false }], frame: { unit: 'ROWS', start: { kind: 'preceding', offset: { value: 10 } }, end: { kind: 'current-row' } } },
    });
    const range = firstExpr(`SELECT MAX(price) OVER (PARTITION BY a ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW) FROM bid`);
    expect(range).toMatchObject({ over: { frame: { unit: 'RANGE', start: { kind: 'preceding', offset: { kind: 'interval', millis: 60_000 } } } } });
    const unbounded = firstExpr(`SELECT SUM(x) OVER (ORDER BY ts RANGE UNBOUNDED PRECEDING) FROM s`);
    expect(unbounded).toMatchObject({ over: { frame: { unit: 'RANGE', start: { kind: 'unbounded-preceding' }, end: { kind: 'current-row' } } } });
  });

  it('reads ROW_NUMBER() OVER with a descending order inside a subquery (Top-N)', () => {
    const s = selectOf(`SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, ts) AS rn FROM bid) WHERE rn <= 10`);
    const inner = (s.from as A.SubqueryRef).query as A.Select;
    expect((inner.items[1] as A.SelectItem).expr).toMatchObject({ kind: 'call', name: 'ROW_NUMBER', args: [], over: { orderBy: [{ desc: true }, { desc: false }] } });
  });

  it('reads KDA named windows, sliding ranges and OVER by name', () => {
    const s = selectOf(`SELECT STREAM ticker, AVG(price) OVER W1 AS avg1, COUNT(*) OVER (W1) AS n
      FROM "SOURCE_SQL_STREAM_001"
      WINDOW W1 AS (PARTITION BY ticker RANGE INTERVAL '1' MINUTE PRECEDING), W2 AS (ROWS 10 PRECEDING)`);
    expect(s.windows.map((w) => w.name.name)).toEqual(['W1', 'W2']);
    expect(s.windows[0]!.spec).toMatchObject({ partitionBy: [{}], frame: { unit: 'RANGE', start: { kind: 'preceding', offset: { millis: 60_000 } }, end: { kind: 'current-row' } } });
    expect(s.windows[1]!.spec.frame).toMatchObject({ unit: 'ROWS', start: { offset: { value: 10 } } });
    expect((s.items[1] as A.SelectItem).expr).toMatchObject({ over: { ref: { name: 'W1' }, partitionBy: [] } });
    expect((s.items[2] as A.SelectItem).expr).toMatchObject({ over: { ref: { name: 'W1' } } });
  });

  it('reads legacy group windows as calls', () => {
    const s = selectOf(`SELECT B.bidder, SESSION_START(B.ts, INTERVAL '10' SECOND) FROM bid B GROUP BY B.bidder, SESSION(B.ts, INTERVAL '10' SECOND)`);
    expect(s.groupBy[1]).toMatchObject({ kind: 'call', name: 'SESSION', args: [{ kind: 'column', qualifier: { name: 'B' } }, { kind: 'interval' }] });
  });
});

describe('names, fields and joins', () => {
  it('reads nested field access beyond a qualifier', () => {
    expect(firstExpr(`SELECT bid.price FROM events`)).toMatchObject({ kind: 'column', qualifier: { name: 'bid' }, name: { name: 'price' } });
    expect(firstExpr(`SELECT e.bid.\`dateTime\` FROM events e`)).toMatchObject({ kind: 'field', operand: { kind: 'column', qualifier: { name: 'e' }, name: { name: 'bid' } }, field: { name: 'dateTime', quoted: true } });
  });

  it('keeps the new keywords usable as names', () => {
    const s = selectOf(`SELECT "order", \`window\`, left(name, 2), filter FROM s`);
    expect(s.items).toHaveLength(4);
    expect((s.items[2] as A.SelectItem).expr).toMatchObject({ kind: 'call', name: 'LEFT' });
    expect((s.items[3] as A.SelectItem).expr).toMatchObject({ kind: 'column', name: { name: 'filter' } });
  });

  it('reads inner, outer, cross and comma joins with aliases', () => {
    const s = selectOf(`SELECT * FROM auction AS A INNER JOIN person P ON A.seller = P.id LEFT OUTER JOIN bid B ON B.auction = A.id, category C`);
    expect(s.from).toMatchObject({
      kind: 'join', joinType: 'CROSS',
      left: { kind: 'join', joinType: 'LEFT', left: { kind: 'join', joinType: 'INNER', left: { alias: { name: 'A' } }, right: { alias: { name: 'P' } } }, on: { kind: 'binary' } },
      right: { kind: 'table-ref', alias: { name: 'C' } },
    });
  });

  it('reads FOR SYSTEM_TIME AS OF and KDA windows on a joined stream', () => {
    const s = selectOf(`SELECT * FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.cur = r.cur JOIN trades OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON t.id = o.id`);
    const j = s.from as A.JoinRef;
    expect(j.right).toMatchObject({ kind: 'table-ref', name: { name: 'trades' }, over: { frame: { unit: 'RANGE' } }, alias: { name: 't' } });
    expect((j.left as A.JoinRef).right).toMatchObject({ name: { name: 'rates' }, systemTime: { kind: 'column' }, alias: { name: 'r' } });
  });

  it('needs ON for an inner join and refuses it on a cross join', () => {
    expect(parseSql(`SELECT * FROM a JOIN b`).diagnostics[0]).toMatchObject({ code: 'SQL_JOIN', message: 'INNER JOIN needs an ON condition' });
    expect(parseSql(`SELECT * FROM a CROSS JOIN b ON a.x = b.x`).diagnostics[0]).toMatchObject({ code: 'SQL_JOIN' });
  });
});

describe('what the engine does not run yet is refused at bind time, with a span', () => {
  it('parses, then reports SQL_UNSUPPORTED rather than a parse error', async () => {
    const { Engine } = await import('../../src/runtime/engine.js');
    const cases = [
      `SELECT a, COUNT(*) FROM s GROUP BY a HAVING AVG(a) OVER (PARTITION BY a) > 1`,
      `SELECT * FROM s JOIN s AS t ON s.a = t.a`,
    ];
    for (const sql of cases) {
      const engine = new Engine();
      try {
        engine.execute(`CREATE STREAM s (a BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts); ${sql};`);
        expect.unreachable(sql);
      } catch (e) {
        const d = (e as { diagnostics: { code: string; span: { start: { line: number } } }[] }).diagnostics;
        expect(d[0]?.code, sql).toBe('SQL_UNSUPPORTED');
      } finally {
        await engine.close();
      }
    }
  });
});
