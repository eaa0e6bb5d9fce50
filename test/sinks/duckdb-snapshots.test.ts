import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { acquireDuckDb, duckDbCommits, noteDuckDbCommit, releaseDuckDb } from '../../src/sinks/duckdb-databases.js';
import { acquireSnapshot } from '../../src/sinks/duckdb-snapshots.js';
import { tempDir, waitFor } from './helpers.js';

const BATCH = 1000;

describe('snapshot copies of a DuckDB file a sink writes', () => {
  it('are consistent under concurrent sink commits (whole batches only), see every commit noted before, and never touch the sink instance', async () => {
    const file = path.join(tempDir(), 'sink.duckdb');
    const instance = await acquireDuckDb(file);
    const sink = await instance.connect();
    await sink.run('CREATE TABLE rows (batch INTEGER, i INTEGER)');
    noteDuckDbCommit(file);
    const setting = async (name: string) => (await sink.runAndReadAll(`SELECT current_setting('${name}') AS v`)).getRowObjectsJS()[0]!['v'];
    const before = { memory: await setting('memory_limit'), threads: await setting('threads'), access: await setting('enable_external_access') };

    // The sink's way of writing: one transaction per batch, the commit noted after it.
    let stop = false;
    let batches = 0;
    const writer = (async () => {
      while (!stop) {
        await sink.run('BEGIN TRANSACTION');
        await sink.run(`INSERT INTO rows SELECT ${batches}, i FROM range(${BATCH}) r(i)`);
        await sink.run('COMMIT');
        batches++;
        noteDuckDbCommit(file);
      }
    })();

    const seen: number[] = [];
    const files = new Set<string>();
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const committed = batches;
      const snapshot = await acquireSnapshot(file);
      files.add(snapshot.file);
      const reader = await DuckDBInstance.create(snapshot.file, { access_mode: 'READ_ONLY', threads: '1' });
      const conn = await reader.connect();
      try {
        const row = (await conn.runAndReadAll(`SELECT count(*) AS groups, coalesce(min(n), ${BATCH}) AS smallest, coalesce(max(n), ${BATCH}) AS largest FROM (SELECT batch, count(*) AS n FROM rows GROUP BY batch)`)).getRowObjectsJS()[0]!;
        expect(Number(row['smallest'])).toBe(BATCH);
        expect(Number(row['largest'])).toBe(BATCH);
        expect(Number(row['groups'])).toBeGreaterThanOrEqual(committed);
        seen.push(Number(row['groups']));
      } finally {
        conn.closeSync();
        reader.closeSync();
        snapshot.release();
      }
    }
    stop = true;
    await writer;

    expect(seen.length).toBeGreaterThan(3);
    expect(new Set(seen).size).toBeGreaterThan(1);
    expect(files.size).toBeGreaterThan(1);
    // Only the newest copy is kept; older ones went when their last reader let go.
    expect([...files].filter((f) => fs.existsSync(f)).length).toBeLessThanOrEqual(1);
    expect({ memory: await setting('memory_limit'), threads: await setting('threads'), access: await setting('enable_external_access') }).toEqual(before);
    const attached = (await sink.runAndReadAll('SELECT database_name FROM duckdb_databases() WHERE NOT internal')).getRowObjectsJS().map((r) => r['database_name']);
    expect(attached).toEqual(['sink']);

    // A copy with nothing committed since is shared, not made again.
    const a = await acquireSnapshot(file);
    const b = await acquireSnapshot(file);
    expect(b.file).toBe(a.file);
    a.release();
    b.release();

    sink.closeSync();
    releaseDuckDb(file);
    expect(duckDbCommits(file)).toBeUndefined();
    await waitFor(() => [...files].every((f) => !fs.existsSync(f)));
    await expect(acquireSnapshot(file)).rejects.toThrow(/no sink writes/);
  });
});
