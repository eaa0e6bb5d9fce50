import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openPullInstance, PullQuery } from '../../src/server/pull-query.js';
import { tempDir } from './helpers.js';

/** The instance pull queries run on refuses on its own what the statement check already refuses: the second line holds without the first. */
describe('the pull-query instance', () => {
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = tempDir();
    file = path.join(dir, 'copy.duckdb');
    const writer = await DuckDBInstance.create(file);
    const conn = await writer.connect();
    await conn.run('CREATE TABLE t AS SELECT i FROM range(10) r(i)');
    conn.closeSync();
    writer.closeSync();
  });

  it('has file access, extensions, writes and configuration changes switched off, whatever SQL it is given', async () => {
    const instance = await openPullInstance(file);
    const conn = await instance.connect();
    const target = path.join(dir, 'written.csv');
    try {
      for (const statement of [
        `COPY (SELECT 1) TO '${target}'`,
        `EXPLAIN ANALYZE COPY (SELECT 1) TO '${target}'`,
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM glob('/*')",
        `ATTACH '${path.join(dir, 'other.duckdb')}' AS other`,
        "SET GLOBAL memory_limit = '8GB'",
        'SET enable_external_access = true',
        'RESET lock_configuration',
        'INSTALL httpfs',
        'LOAD httpfs',
        'CREATE TABLE u (i INTEGER)',
        'INSERT INTO t VALUES (99)',
      ]) {
        await expect(conn.run(statement), statement).rejects.toThrow();
      }
      expect(fs.existsSync(target)).toBe(false);
      const settings = (await conn.runAndReadAll("SELECT current_setting('enable_external_access') AS ext, current_setting('lock_configuration') AS locked, current_setting('threads') AS threads, current_setting('autoload_known_extensions') AS autoload")).getRowObjectsJS()[0]!;
      expect(settings).toEqual({ ext: false, locked: true, threads: 1n, autoload: false });
      expect((await conn.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjectsJS()).toEqual([{ n: 10n }]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('streams a query with its column names and types, and an interrupt stops it', async () => {
    const query = await PullQuery.open(file, 'SELECT i, i * 2 AS i FROM t ORDER BY i', new AbortController().signal);
    try {
      expect(query.columns.map((c) => [c.name, c.key, c.type.toString()])).toEqual([['i', 'i', 'BIGINT'], ['i', 'i:1', 'BIGINT']]);
      let rows = 0;
      for (let next = await query.next(); next; next = await query.next()) rows += next.rows;
      expect(rows).toBe(10);
    } finally {
      query.close();
    }
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(PullQuery.open(file, 'SELECT count(*) FROM range(100000000000)', controller.signal)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
