import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Field } from '../../src/planner/types.js';
import { ParquetParts } from '../../src/sinks/parquet-parts.js';
import { NdjsonFileCommitter } from '../../src/sinks/ndjson-file.js';
import { DuckDbCommitter, DuckDbTable } from '../../src/sinks/duckdb-table.js';
import { TransactionalSink } from '../../src/sinks/transactional-sink.js';
import { tempDir } from './helpers.js';

const FIELDS: Field[] = [{ name: 'k', type: 'VARCHAR' }, { name: 'n', type: 'BIGINT' }];
const rows = (...ns: number[]) => ns.map((n) => Buffer.from(JSON.stringify({ k: `k${n}`, n })));
const dirs: string[] = [];
const fresh = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function readParquet(folder: string): Promise<number[]> {
  const parts = fs.readdirSync(folder).filter((f) => /^part-\d+\.parquet$/.test(f));
  if (parts.length === 0) return [];
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const out = (await conn.runAndReadAll(`SELECT n FROM read_parquet([${parts.map((f) => `'${path.join(folder, f)}'`).join(', ')}]) ORDER BY n`)).getRowObjectsJS();
    return out.map((r) => Number(r['n']));
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

describe('Parquet parts committed with checkpoints', () => {
  it('keeps staged parts hidden until their checkpoint commits; recovery commits what the checkpoint covers and deletes the rest', async () => {
    const folder = path.join(fresh(), 'lake');
    const parts = await ParquetParts.open(folder, FIELDS);
    await parts.stage(1, rows(1, 2));
    await parts.stage(2, rows(3));
    await parts.stage(3, rows(4));
    expect(fs.readdirSync(folder).sort()).toEqual(['.part-000001.parquet.1.pending', '.part-000002.parquet.2.pending', '.part-000003.parquet.3.pending']);
    await parts.commit(1);
    expect(await readParquet(folder)).toEqual([1, 2]);
    await parts.close();

    // A crash after checkpoint 2 was written but before its commit: recovery commits 2, drops 3.
    const again = await ParquetParts.open(folder, FIELDS);
    await again.recover(2);
    expect(fs.readdirSync(folder).sort()).toEqual(['part-000001.parquet', 'part-000002.parquet']);
    expect(await readParquet(folder)).toEqual([1, 2, 3]);
    // Numbering goes on after the committed parts; a second recovery changes nothing.
    await again.stage(3, rows(5));
    await again.recover(2);
    await again.stage(3, rows(6));
    await again.commit(3);
    expect(fs.readdirSync(folder).sort()).toEqual(['part-000001.parquet', 'part-000002.parquet', 'part-000003.parquet']);
    expect(await readParquet(folder)).toEqual([1, 2, 3, 6]);
    await again.close();
  });
});

describe('an NDJSON file committed with checkpoints', () => {
  it('appends each checkpoint once, and truncates an append a crash cut short before doing it again', async () => {
    const dir = fresh();
    const file = path.join(dir, 'out', 'views.ndjson');
    const staging = path.join(dir, 'staging');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, '{"before":true}\n');
    const c = new NdjsonFileCommitter(file, staging);
    await c.recover(0);
    await c.stage(1, rows(1));
    await c.stage(1, rows(2));
    await c.commit(1);
    await c.stage(2, rows(3));
    // The crash: half of checkpoint 2's piece reached the file, the rest did not.
    fs.appendFileSync(file, '{"k":"k3",');
    const after = new NdjsonFileCommitter(file, staging);
    await after.recover(2);
    await after.commit(2);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([{ before: true }, { k: 'k1', n: 1 }, { k: 'k2', n: 2 }, { k: 'k3', n: 3 }]);
    // Staged after the restored checkpoint: dropped.
    await after.stage(3, rows(4));
    await new NdjsonFileCommitter(file, staging).recover(2);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(4);
    expect(fs.readdirSync(staging)).toEqual(['committed.json']);
  });
});

describe('a DuckDB table committed with checkpoints', () => {
  it('appends a checkpoint and records it in _sluice_commits in one transaction, and skips it when replayed', async () => {
    const dir = fresh();
    const db = path.join(dir, 'out.duckdb');
    const staging = path.join(dir, 'staging');
    const open = async () => new DuckDbCommitter(await DuckDbTable.open(db, 'views', FIELDS), 'app/views', staging, () => {});
    const c = await open();
    await c.recover(0);
    await c.stage(1, rows(1, 2));
    await c.commit(1);
    await c.stage(2, rows(3));
    // The crash: checkpoint 2 reached the table, but its piece was still on disk.
    const piece = fs.readdirSync(staging).find((f) => f.startsWith('000000000002-'))!;
    const kept = fs.readFileSync(path.join(staging, piece));
    await c.commit(2);
    fs.writeFileSync(path.join(staging, piece), kept);
    // And a piece of a checkpoint that was never written.
    await c.stage(3, rows(4));
    await c.close();

    const after = await open();
    await after.recover(2);
    await after.close();
    const read = await DuckDbTable.open(db, 'views', FIELDS);
    const rowsOut = (await read.conn.runAndReadAll('SELECT n FROM views ORDER BY n')).getRowObjectsJS().map((r) => Number(r['n']));
    const commits = (await read.conn.runAndReadAll('SELECT sink, checkpoint_id FROM _sluice_commits')).getRowObjectsJS();
    read.close();
    expect(rowsOut).toEqual([1, 2, 3]);
    expect(commits).toEqual([{ sink: 'app/views', checkpoint_id: 2n }]);
    expect(fs.readdirSync(staging)).toEqual([]);
  });
});

describe('TransactionalSink', () => {
  it('holds rows until preCommit, spills past spillBytes under the next checkpoint, and commits in order', async () => {
    const folder = path.join(fresh(), 'lake');
    const parts = await ParquetParts.open(folder, FIELDS);
    const sink = new TransactionalSink(parts, 40);
    await sink.recover(0);
    await sink.write(rows(1));
    expect(fs.readdirSync(folder)).toEqual([]);
    await sink.write(rows(2, 3));
    // Past 40 bytes: staged early, as part of checkpoint 1.
    expect(fs.readdirSync(folder)).toEqual(['.part-000001.parquet.1.pending']);
    await sink.write(rows(4));
    await sink.preCommit(1);
    await sink.write(rows(5));
    expect(await readParquet(folder)).toEqual([]);
    await sink.commit(1);
    expect(await readParquet(folder)).toEqual([1, 2, 3, 4]);
    // Row 5 was never covered by a checkpoint: closing drops it (a restart replays it).
    await sink.close();
    expect(fs.readdirSync(folder).sort()).toEqual(['part-000001.parquet', 'part-000002.parquet']);
  });
});
