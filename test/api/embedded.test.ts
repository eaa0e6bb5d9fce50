import { describe, it, expect } from 'vitest';
import { RecordBatch } from 'apache-arrow';
import { Sluice, SqlDiagnosticsError } from '../../src/index.js';
import { buildChunkSpec } from '../../src/runtime/chunk-spec.js';

const APP = `CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, ms BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE STREAM views AS
SELECT window_start, page, COUNT(*) AS n, SUM(ms) AS total
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, page;`;

const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 0, 0, s)).toISOString();

describe('embedded API', () => {
  for (const workers of [0, 2]) {
    it(`puts records and subscribes to results (${workers} workers)`, async () => {
      const sluice = await Sluice.open({ workers });
      await sluice.execute(APP);
      const seen: unknown[] = [];
      const done = (async () => {
        for await (const rows of sluice.subscribe('views')) seen.push(...rows);
      })();
      await sluice.put('clicks', [
        { ts: at(1), page: '/a', ms: 10 },
        { ts: at(2), page: '/b', ms: 20 },
        { ts: at(3), page: '/a', ms: 30 },
      ]);
      await sluice.put('clicks', [{ ts: at(12), page: '/a', ms: 1 }]);
      await sluice.put('clicks', [{ ts: at(25), page: '/c', ms: 5 }]);
      await sluice.end('clicks');
      await done;
      // Every record the query read counts as a row in, grouped or not.
      expect(sluice.engine.runners.map((r) => [r.rowsIn, r.rowsOut])).toEqual([[5, 4]]);
      await sluice.close();
      const byWindowThenPage = (a: any, b: any) => a.window_start.localeCompare(b.window_start) || a.page.localeCompare(b.page);
      expect(seen.sort(byWindowThenPage)).toEqual([
        { window_start: at(0), page: '/a', n: 2, total: 40 },
        { window_start: at(0), page: '/b', n: 1, total: 20 },
        { window_start: at(10), page: '/a', n: 1, total: 1 },
        { window_start: at(20), page: '/c', n: 1, total: 5 },
      ]);
    });
  }

  it('delivers the same batches as Apache Arrow RecordBatches, typed from the query', async () => {
    const sluice = await Sluice.open();
    await sluice.execute(APP);
    const batches: RecordBatch[] = [];
    const done = (async () => {
      for await (const b of sluice.subscribeArrow('views')) batches.push(b);
    })();
    await sluice.put('clicks', [{ ts: at(1), page: '/a', ms: 10 }, { ts: at(2), page: '/b', ms: 20 }, { ts: at(3), page: '/a', ms: 30 }, { ts: at(12), page: '/a', ms: 1 }]);
    await sluice.end('clicks');
    await done;
    await sluice.close();
    expect(batches.every((b) => b instanceof RecordBatch)).toBe(true);
    expect(batches[0]!.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['window_start', 'Timestamp<MILLISECOND, UTC>'], ['page', 'Dictionary<Int32, Utf8>'], ['n', 'Int64'], ['total', 'Int64'],
    ]);
    const rows = batches.flatMap((b) => b.toArray()).map((r) => ({ window_start: new Date(Number(r.window_start)).toISOString(), page: r.page, n: r.n, total: r.total }));
    expect(rows.sort((a, b) => a.window_start.localeCompare(b.window_start) || a.page.localeCompare(b.page))).toEqual([
      { window_start: at(0), page: '/a', n: 2n, total: 40n },
      { window_start: at(0), page: '/b', n: 1n, total: 20n },
      { window_start: at(10), page: '/a', n: 1n, total: 1n },
    ]);
  });

  it('gives an updating result its row kinds: op on subscribed rows, an op column in Arrow batches', async () => {
    const sluice = await Sluice.open();
    await sluice.execute(`CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, ms BIGINT);
      CREATE STREAM per_page AS SELECT page, COUNT(*) AS n FROM clicks GROUP BY page;`);
    const rows: unknown[] = [];
    const off = sluice.on('per_page', (r) => rows.push(...r));
    const batches: RecordBatch[] = [];
    const done = (async () => {
      for await (const b of sluice.subscribeArrow('per_page')) batches.push(b);
    })();
    await sluice.put('clicks', [{ ts: at(1), page: '/a', ms: 1 }]);
    await sluice.put('clicks', [{ ts: at(2), page: '/a', ms: 2 }, { ts: at(3), page: '/b', ms: 3 }]);
    await sluice.end('clicks');
    await done;
    off();
    await sluice.close();
    expect(rows).toEqual([
      { page: '/a', n: 1, op: '+I' },
      { page: '/a', n: 1, op: '-U' },
      { page: '/a', n: 2, op: '+U' },
      { page: '/b', n: 1, op: '+I' },
    ]);
    expect(batches[0]!.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([['page', 'Dictionary<Int32, Utf8>'], ['n', 'Int64'], ['op', 'Dictionary<Int8, Utf8>']]);
    expect(batches.flatMap((b) => b.toArray()).map((r) => r.op)).toEqual(['+I', '-U', '+U', '+I']);
  });

  it('emits a window as soon as the watermark passes its end', async () => {
    const sluice = await Sluice.open();
    await sluice.execute(APP);
    const seen: unknown[] = [];
    sluice.on('views', (rows) => seen.push(...rows));
    await sluice.put('clicks', [{ ts: at(1), page: '/a', ms: 1 }]);
    await sluice.put('clicks', [{ ts: at(10), page: '/a', ms: 1 }]);
    expect(seen).toEqual([]);
    await sluice.put('clicks', [{ ts: at(11), page: '/a', ms: 1 }]);
    expect(seen).toEqual([{ window_start: at(0), page: '/a', n: 1, total: 1 }]);
    await sluice.close();
  });

  it('routes bad records to error_stream and keeps going', async () => {
    const sluice = await Sluice.open();
    await sluice.execute(APP);
    const errors: Record<string, unknown>[] = [];
    sluice.on('error_stream', (rows) => errors.push(...rows));
    await sluice.put('clicks', ['not json', JSON.stringify({ ts: at(1), page: '/a', ms: 'many' }), JSON.stringify({ ts: at(2), page: '/a', ms: 3 })]);
    expect(errors.map((e) => e['ERROR_NAME'])).toEqual(['PARSE_ERROR', 'COERCION_ERROR']);
    expect(errors[0]).toMatchObject({ ERROR_LEVEL: 'ERROR', DATA_ROW: 'not json' });
    expect(String(errors[1]!['MESSAGE'])).toContain('BIGINT');
    await sluice.close();
  });

  it('checks typed columns no query reads: a value that does not fit still goes to error_stream', async () => {
    const sluice = await Sluice.open();
    await sluice.execute(`CREATE STREAM c (ts TIMESTAMP, page VARCHAR, ms BIGINT, n INTEGER, WATERMARK FOR ts AS ts);
      CREATE STREAM v AS SELECT page, COUNT(*) AS k FROM TABLE(TUMBLE(TABLE c, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, page;`);
    const spec = buildChunkSpec(sluice.engine.catalog.get('c')!, sluice.engine.runnersOf('c').map((r) => r.plan), null);
    expect(spec.columns.map((c) => [c.name, c.checkOnly === true])).toEqual([['ts', false], ['page', false], ['ms', true], ['n', true]]);
    const errors: Record<string, unknown>[] = [];
    const out: Record<string, unknown>[] = [];
    sluice.on('error_stream', (rows) => errors.push(...rows));
    sluice.on('v', (rows) => out.push(...rows));
    const rec = (ms: unknown, n: unknown) => JSON.stringify({ ts: at(1), page: '/a', ms, n });
    await sluice.put('c', [rec(5, 1), rec(2.5, 1), rec(7, 3000000000), rec('8', 2), rec(12345678901234567, 0), rec(1e300, 1)]);
    await sluice.engine.endOfInput('c');
    expect(errors.map((e) => String(e['MESSAGE']))).toEqual([
      'cannot coerce 2.5 to BIGINT for column ms',
      'cannot coerce 3000000000 to INTEGER for column n',
      'cannot coerce 1e+300 to BIGINT for column ms',
    ]);
    expect(out).toEqual([{ page: '/a', k: 3 }]);
    await sluice.close();
  });

  it("reads streams of its ingest log (dataDir), which survives a reopen", async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-embedded-'));
    const first = await Sluice.open({ dataDir });
    const stream = await first.log.createStream('clickstream', 2);
    await stream.append([1, 2, 12, 25].map((s) => ({ partitionKey: `k${s}`, data: Buffer.from(JSON.stringify({ ts: at(s), page: '/a', ms: s })) })));
    await first.close();
    const again = await Sluice.open({ dataDir });
    await again.execute(`CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, ms BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (source = 'kinesis', stream = 'clickstream');
      CREATE STREAM views AS SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;`);
    const seen: unknown[] = [];
    again.on('views', (rows) => seen.push(...rows));
    const end = Date.now() + 10_000;
    while (seen.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await again.close();
    expect(seen).toEqual([{ window_start: at(0), n: 2 }, { window_start: at(10), n: 1 }]);
  });

  it('throws diagnostics for bad SQL, with a caret', async () => {
    const sluice = await Sluice.open();
    await expect(sluice.execute('SELECT pge FROM error_stream')).rejects.toThrow(SqlDiagnosticsError);
    await expect(sluice.execute(`CREATE STREAM s (a VARCHAR); SELECT b FROM s`)).rejects.toThrow(/unknown column b[\s\S]*\^/);
    await sluice.close();
  });

  it('reports the problems of every statement of a script at once, and starts none of what follows the first', async () => {
    const sluice = await Sluice.open();
    const script = [
      `CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR);`,
      `CREATE STREAM per_page AS SELECT STREAM page, COUNT(*) AS n FROM clicks GROUP BY page;`,
      `CREATE STREAM pages AS SELECT pgae FROM clicks;`,
      `CREATE STREAM from_failed AS SELECT page FROM per_page;`,
      `CREATE STREAM fine AS SELECT page FROM clicks;`,
      `SELECT nope FROM fine;`,
    ].join('\n');
    const err = await sluice.execute(script).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SqlDiagnosticsError);
    const codes = (err as SqlDiagnosticsError).diagnostics.map((d) => [d.code, d.span.start.line]);
    // per_page fails, so from_failed's unknown stream is not reported again; 'fine' is checked, so the last SELECT binds against it.
    expect(codes).toEqual([['SQL_STREAM_GROUP_BY', 2], ['SQL_UNKNOWN_COLUMN', 3], ['SQL_UNKNOWN_COLUMN', 6]]);
    expect(sluice.engine.catalog.names().sort()).toEqual(['clicks', 'error_stream']);
    await sluice.close();
  });
});
