import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { SqlDiagnosticsError } from '../../src/sql/diagnostics.js';
import { buildChunkSpec } from '../../src/runtime/chunk-spec.js';

/** ROW columns and computed columns as the planner sees them: fields, names, diagnostics, pruning. */
const DDL = `CREATE TABLE datagen (
  event_type INT,
  person ROW<id BIGINT, name VARCHAR, address ROW<city VARCHAR, zip INT>>,
  bid ROW<id BIGINT, price BIGINT, \`dateTime\` TIMESTAMP(3)>,
  cents AS bid.price * 100,
  \`dateTime\` AS CASE WHEN event_type = 2 THEN bid.\`dateTime\` ELSE NULL END,
  big AS cents > 1000,
  WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
) WITH (format = 'json');`;

function engineWith(sql = ''): Engine {
  const engine = new Engine();
  engine.execute(`${DDL}\n${sql}`);
  return engine;
}

function explain(sql: string): string {
  const engine = new Engine();
  const results = engine.execute(`${DDL}\nEXPLAIN ${sql}`);
  void engine.close();
  return results.map((r) => ('text' in r ? r.text : '')).join('\n');
}

function diagnostics(sql: string): string {
  const engine = new Engine();
  try {
    engine.execute(sql, 'app.sql');
  } catch (e) {
    expect(e).toBeInstanceOf(SqlDiagnosticsError);
    return (e as Error).message;
  } finally {
    void engine.close();
  }
  return expect.fail('expected a diagnostic');
}

describe('a declared stream with ROW and computed columns', () => {
  it('has one field per ROW leaf, named by its path, and its computed columns where they were declared', async () => {
    const engine = engineWith();
    const def = engine.catalog.get('datagen')!;
    expect(def.fields.map((f) => `${f.name}:${f.type}${f.path ? `@${f.path.join('/')}` : ''}${f.computed ? '=' : ''}`)).toEqual([
      'event_type:INTEGER', 'person.id:BIGINT@person/id', 'person.name:VARCHAR@person/name', 'person.address.city:VARCHAR@person/address/city',
      'person.address.zip:INTEGER@person/address/zip', 'bid.id:BIGINT@bid/id', 'bid.price:BIGINT@bid/price', 'bid.dateTime:TIMESTAMP@bid/dateTime',
      'cents:BIGINT=', 'dateTime:TIMESTAMP=', 'big:BOOLEAN=', 'ROWTIME:TIMESTAMP',
    ]);
    // `big` reads `cents`, declared before it: its definition is put in, so it reads decoded columns only.
    expect(JSON.stringify(def.fields[10]!.computed)).toContain('"index":6');
    expect(def.watermark).toEqual({ column: 9, delayMs: 4000 });
    await engine.close();
  });

  it('resolves row.field, alias.row.field and nested rows, naming the output after the last part', async () => {
    const engine = engineWith(`CREATE STREAM out AS SELECT bid.price, d.bid.id, person.address.city, d.person.address.zip AS zip, datagen.event_type FROM datagen AS d;`);
    expect(engine.catalog.get('out')!.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['price:BIGINT', 'id:BIGINT', 'city:VARCHAR', 'zip:INTEGER', 'event_type:INTEGER', 'ROWTIME:TIMESTAMP']);
    await engine.close();
  });

  it('reads a ROW column of a stream aliased like it, and expands SELECT * to the leaves with dotted names, which read back the same way', async () => {
    const engine = engineWith(`CREATE STREAM a AS SELECT bid.price FROM datagen AS bid; CREATE STREAM b AS SELECT * FROM datagen;`);
    expect(engine.catalog.get('a')!.fields[0]!.name).toBe('price');
    expect(engine.catalog.get('b')!.fields.map((f) => f.name).slice(0, 3)).toEqual(['event_type', 'person.id', 'person.name']);
    expect(engine.catalog.get('b')!.fields.map((f) => f.name)).toContain('big');
    engine.execute(`CREATE STREAM c AS SELECT bid.price, "person.name" FROM b;`);
    expect(engine.catalog.get('c')!.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['price:BIGINT', 'person.name:VARCHAR', 'ROWTIME:TIMESTAMP']);
    await engine.close();
  });

  it('tells fields of different ROWs apart as group keys', () => {
    expect(diagnostics(`${DDL}\nCREATE STREAM out AS SELECT person.id, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE datagen, DESCRIPTOR(\`dateTime\`), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, bid.id;`))
      .toContain('column person.id must appear in GROUP BY');
    const engine = engineWith(`CREATE STREAM out AS SELECT datagen.bid.id, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE datagen, DESCRIPTOR(\`dateTime\`), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, bid.id;`);
    expect(engine.catalog.get('out')!.fields.map((f) => f.name)).toEqual(['id', 'n', 'ROWTIME']);
    void engine.close();
  });

  it('decodes only the leaves and computed inputs a query reads, and computes only the computed columns it reads', () => {
    const text = explain(`CREATE STREAM out AS SELECT person.name FROM datagen WHERE big;`);
    expect(text).toContain('decode [person.name, bid.price, ROWTIME] -> compute [big] -> filter');
    expect(explain(`CREATE STREAM out AS SELECT bid.id FROM datagen;`)).toContain('decode [bid.id, ROWTIME] -> project');
    const windowed = explain(`CREATE STREAM out AS SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE datagen, DESCRIPTOR(\`dateTime\`), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;`);
    expect(windowed).toContain('decode [event_type, bid.dateTime] -> compute [dateTime]');
    expect(windowed).toContain('watermark = max(dateTime) - 4000ms');
  });

  it('gives the decoder the path of each leaf, and never decodes a computed column', async () => {
    const engine = engineWith(`CREATE STREAM out AS SELECT person.address.city, cents FROM datagen;`);
    const def = engine.catalog.get('datagen')!;
    const plan = engine.runnersOf('datagen')[0]!.plan;
    expect(plan.computed).toHaveLength(1);
    const spec = buildChunkSpec(def, [plan], null);
    expect(spec.columns.map((c) => c.path?.join('/') ?? c.field)).toEqual(['person/address/city', 'bid/price', 'event_type', 'person/id', 'person/address/zip', 'bid/id', 'bid/dateTime']);
    expect(() => buildChunkSpec(def, [plan], 'cents')).toThrow(/cents of datagen is computed/);
    await engine.close();
  });
});

describe('PROCTIME()', () => {
  it('as a computed column or in a view\'s SELECT list, windows over it are ROWTIME windows (closed by the clock)', async () => {
    const engine = engineWith(`CREATE STREAM s (a INT, p AS PROCTIME()) WITH (format = 'json');
      CREATE STREAM w1 AS SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(p), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;
      CREATE VIEW B AS SELECT *, PROCTIME() AS p_time FROM datagen;
      CREATE STREAM w2 AS SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;
      CREATE STREAM w3 AS SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE datagen, DESCRIPTOR(\`dateTime\`), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;`);
    const plan = (source: string, target: string) => engine.runnersOf(source).find((r) => r.plan.target === target)!.plan;
    expect(plan('s', 'w1').window!.onRowtime).toBe(true);
    expect(plan('s', 'w1').computed).toEqual([]);
    expect(plan('datagen', 'w2').window!.onRowtime).toBe(true);
    expect(plan('datagen', 'w3').window!.onRowtime).toBe(false);
    await engine.close();
  });
});

describe('diagnostics for ROW and computed columns', () => {
  it('refuses a whole ROW, saying which fields to name', () => {
    const message = diagnostics(`${DDL}\nCREATE STREAM out AS SELECT person.address FROM datagen;`);
    expect(message).toContain('person.address is a ROW column: a query reads its fields, not the whole row');
    expect(message).toContain('person.address.city, person.address.zip');
  });

  it('names the nearest field of a ROW, and says a plain column has no fields', () => {
    expect(diagnostics(`${DDL}\nCREATE STREAM out AS SELECT bid.prize FROM datagen;`)).toMatch(/ROW column bid has no field prize[\s\S]*did you mean bid\.price\?/);
    expect(diagnostics(`${DDL}\nCREATE STREAM out AS SELECT event_type.x FROM datagen;`)).toContain('event_type is INTEGER, not a ROW');
    expect(diagnostics(`${DDL}\nCREATE STREAM out AS SELECT nothing.x FROM datagen;`)).toContain('unknown stream or alias nothing');
  });

  it('points at a computed column\'s bad expression', () => {
    const message = diagnostics(`CREATE STREAM s (a INT, b AS a + 'x', c AS COUNT(*), d AS e + 1, e AS a, f AS f) WITH (format = 'json');`);
    expect(message).toContain('cannot apply + to INTEGER and VARCHAR');
    expect(message).toContain('aggregate COUNT is not allowed here');
    expect(message).toContain('computed column d reads e, which is declared after it');
    expect(message).toContain('computed column f reads itself');
    expect(message).toMatch(/app\.sql:1:\d+\n\s*\|\n1 \| .*\n\s*\|\s+\^+/);
  });

  it('refuses a ROW in a CSV stream, a watermark on PROCTIME() and INSERT INTO a stream with computed columns', () => {
    expect(diagnostics(`CREATE STREAM s (a INT, r ROW<x INT>) WITH (format = 'csv');`)).toContain('CSV records have no nested fields for ROW column r');
    expect(diagnostics(`CREATE STREAM s (a INT, p AS PROCTIME(), WATERMARK FOR p AS p) WITH (format = 'json');`)).toContain('p is a processing-time column');
    expect(diagnostics(`CREATE STREAM s (a INT, b AS a + 1) WITH (format = 'json'); CREATE STREAM t (a INT); INSERT INTO s SELECT a FROM t;`)).toContain('s has computed columns');
  });
});
