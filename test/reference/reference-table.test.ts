import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { ReferenceTable } from '../../src/reference/reference-table.js';
import type { ReferenceColumn, ReferenceTableSpec } from '../../src/reference/reference-spec.js';
import type { TableVersion } from '../../src/reference/table-version.js';
import { FolderObjectStore } from '../../src/sinks/object-store.js';
import { namedPath } from '../../src/storage/data-paths.js';
import { acquireDuckDb, releaseDuckDb } from '../../src/sinks/duckdb-databases.js';

const COLUMNS: ReferenceColumn[] = [
  { name: 'ticker', type: 'VARCHAR' },
  { name: 'company', type: 'VARCHAR' },
  { name: 'listed', type: 'TIMESTAMP' },
  { name: 'employees', type: 'BIGINT' },
  { name: 'active', type: 'BOOLEAN' },
];
const EXPECTED = [
  ['AMZN', 'Amazon', Date.UTC(1997, 4, 15), 1_500_000, true],
  ['ABC', 'A "B" C, Inc.', Date.UTC(2001, 0, 2, 3, 4, 5), null, false],
];

const dirs: string[] = [];
const tables: ReferenceTable[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ref-'));
  dirs.push(d);
  return d;
}
async function open(spec: ReferenceTableSpec, options: Parameters<typeof ReferenceTable.open>[1] = {}): Promise<ReferenceTable> {
  const t = await ReferenceTable.open(spec, options);
  tables.push(t);
  return t;
}
const spec = (source: ReferenceTableSpec['source'], extra: Partial<ReferenceTableSpec> = {}): ReferenceTableSpec => ({ name: 'company', columns: COLUMNS, key: ['ticker'], source, ...extra });
/** Resolves on the table's next reload. */
function nextReload(listeners: ((v: TableVersion) => void)[]): Promise<TableVersion> {
  return new Promise((resolve) => listeners.push(resolve));
}
function writeAtomically(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

afterEach(() => {
  for (const t of tables.splice(0)) t.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('ReferenceTable loading', () => {
  it('reads header-less CSV by position, typed by the declared columns', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'c.csv'), 'AMZN,Amazon,1997-05-15T00:00:00Z,1500000,true\nABC,"A ""B"" C, Inc.",2001-01-02 03:04:05,,false\n');
    const t = await open(spec({ kind: 'file', path: path.join(dir, 'c.csv'), format: 'csv' }));
    expect(t.current.rows).toEqual(EXPECTED);
    expect(t.current.version).toBe(1);
    expect(t.current.lookup([0], 'ABC')).toEqual([1]);
  });

  it('reads CSV with a header by field name, in any order, with a delimiter', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'c.csv'), 'active;emp;ticker;company;listed;extra\r\ntrue;1500000;AMZN;Amazon;1997-05-15;x\r\nfalse;;ABC;"A ""B"" C, Inc.";2001-01-02T03:04:05Z;y\r\n');
    const columns = COLUMNS.map((c) => (c.name === 'employees' ? { ...c, field: 'emp' } : c));
    const t = await open({ ...spec({ kind: 'file', path: path.join(dir, 'c.csv'), format: 'csv', header: true, delimiter: ';' }), columns });
    expect(t.current.rows).toEqual(EXPECTED);
  });

  it('reads NDJSON and a JSON array alike', async () => {
    const dir = tempDir();
    const objects = [
      { ticker: 'AMZN', company: 'Amazon', listed: '1997-05-15T00:00:00Z', employees: 1500000, active: true },
      { ticker: 'ABC', company: 'A "B" C, Inc.', listed: '2001-01-02T03:04:05Z', employees: null, active: false, other: 1 },
    ];
    fs.writeFileSync(path.join(dir, 'a.json'), objects.map((o) => JSON.stringify(o)).join('\n'));
    fs.writeFileSync(path.join(dir, 'b.json'), `  \n${JSON.stringify(objects, null, 2)}`);
    for (const f of ['a.json', 'b.json']) {
      const t = await open(spec({ kind: 'file', path: path.join(dir, f), format: 'json' }));
      expect(t.current.rows).toEqual(EXPECTED);
    }
  });

  it('reads Parquet through DuckDB', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'c.parquet');
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    await conn.run(`COPY (SELECT * FROM (VALUES ('AMZN', 'Amazon', TIMESTAMP '1997-05-15', 1500000::BIGINT, true), ('ABC', 'A "B" C, Inc.', TIMESTAMP '2001-01-02 03:04:05', NULL, false)) v(ticker, company, listed, employees, active)) TO '${file}' (FORMAT parquet)`);
    conn.closeSync();
    inst.closeSync();
    const t = await open(spec({ kind: 'file', path: file, format: 'parquet' }));
    expect(t.current.rows).toEqual(EXPECTED);
  });

  it('reads an object of the data directory\'s S3 layout, gzip or not', async () => {
    const data = tempDir();
    const store = new FolderObjectStore(namedPath(path.join(data, 's3'), 'ref-bucket'));
    await store.put('reference/company.csv', new TextEncoder().encode('AMZN,Amazon,1997-05-15,1500000,true\n'));
    await store.put('reference/company.csv.gz', gzipSync('ABC,"A ""B"" C, Inc.",2001-01-02 03:04:05,,false\n'));
    const plain = await open(spec({ kind: 's3', bucket: 'ref-bucket', key: 'reference/company.csv', format: 'csv' }), { dataDir: data });
    expect(plain.current.rows).toEqual([EXPECTED[0]]);
    const zipped = await open(spec({ kind: 's3', bucket: 'ref-bucket', key: '/reference//company.csv.gz', format: 'csv' }), { dataDir: data });
    expect(zipped.current.rows).toEqual([EXPECTED[1]]);
    await expect(ReferenceTable.open(spec({ kind: 's3', bucket: 'ref-bucket', key: '../ref-bucket/reference/company.csv', format: 'csv' }), { dataDir: data })).rejects.toThrow(/cannot read/);
  });

  it('reads a DuckDB table, through the sink\'s instance when one holds the file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'ref.duckdb');
    {
      const inst = await DuckDBInstance.create(file);
      const conn = await inst.connect();
      await conn.run(`CREATE TABLE company AS SELECT * FROM (VALUES ('AMZN', 'Amazon', TIMESTAMP '1997-05-15', 1500000, true)) v(ticker, company, listed, employees, active)`);
      conn.closeSync();
      inst.closeSync();
    }
    const closed = await open(spec({ kind: 'duckdb', path: file, table: 'company' }));
    expect(closed.current.rows).toEqual([EXPECTED[0]]);
    const held = await acquireDuckDb(file);
    try {
      const conn = await held.connect();
      await conn.run(`INSERT INTO company VALUES ('ABC', 'A "B" C, Inc.', TIMESTAMP '2001-01-02 03:04:05', NULL, false)`);
      conn.closeSync();
      const t = await open(spec({ kind: 'duckdb', path: file, table: 'company' }));
      expect(t.current.rows).toEqual(EXPECTED);
    } finally {
      releaseDuckDb(file);
    }
  });

  it('fails a load naming the record that does not fit, and an unknown key column', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'c.csv'), 'AMZN,Amazon,1997-05-15,1500000,true\nBAD,Bad,yesterday,1,true\n');
    await expect(ReferenceTable.open(spec({ kind: 'file', path: path.join(dir, 'c.csv'), format: 'csv' }))).rejects.toThrow(/record 2/);
    await expect(ReferenceTable.open(spec({ kind: 'file', path: path.join(dir, 'c.csv'), format: 'csv' }, { key: ['nope'] }))).rejects.toThrow(/key column nope/);
  });
});

describe('ReferenceTable reloads', () => {
  it('reloads on demand; a failed reload keeps the version in use', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'c.csv');
    fs.writeFileSync(file, 'AMZN,Amazon,1997-05-15,1,true\n');
    const t = await open(spec({ kind: 'file', path: file, format: 'csv' }));
    const first = t.current;
    writeAtomically(file, 'AMZN,Amazon,1997-05-15,2,true\nX,Y,2020-01-01,3,false\n');
    const second = await t.reload();
    expect(second.version).toBe(2);
    expect(t.current).toBe(second);
    expect(first.rows).toEqual([['AMZN', 'Amazon', Date.UTC(1997, 4, 15), 1, true]]);
    writeAtomically(file, 'AMZN,Amazon,not a time,2,true\n');
    await expect(t.reload()).rejects.toThrow(/record 1/);
    expect(t.current).toBe(second);
    const [a, b, c] = await Promise.all([t.reload().catch(() => null), t.reload().catch(() => null), t.reload().catch(() => null)]);
    expect([a, b, c]).toEqual([null, null, null]);
  });

  it('reloads when the file is replaced (fs.watch), when polling sees it change, and on an interval', async () => {
    for (const reload of [{ watch: 'fs' as const }, { watch: 'poll' as const, pollMs: 20 }, { intervalMs: 30 }]) {
      const dir = tempDir();
      const file = path.join(dir, 'c.json');
      fs.writeFileSync(file, '{"ticker":"A","employees":1}\n');
      const listeners: ((v: TableVersion) => void)[] = [];
      const t = await open(spec({ kind: 'file', path: file, format: 'json' }, { reload }), { onReload: (v) => listeners.splice(0).forEach((l) => l(v)) });
      const reloaded = nextReload(listeners);
      writeAtomically(file, '{"ticker":"A","employees":2}\n{"ticker":"B","employees":3}\n');
      const v = await reloaded;
      expect(v.rows.map((r) => r[3])).toEqual([2, 3]);
      expect(t.current).toBe(v);
      t.close();
    }
  });

  it('reports a failed background reload and keeps serving the old version', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, '{"ticker":"A","employees":1}\n');
    const errors: Error[] = [];
    const failed = new Promise<void>((resolve) => {
      void open(spec({ kind: 'file', path: file, format: 'json' }, { reload: { watch: 'poll', pollMs: 20 } }), { onError: (e) => { errors.push(e); resolve(); } }).then((t) => {
        writeAtomically(file, '{"ticker":"A","employees":"many"}\n');
        expect(t.current.rows).toEqual([['A', null, null, 1, null]]);
      });
    });
    await failed;
    expect(errors[0]!.message).toMatch(/do not fit/);
    expect(tables[0]!.current.version).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    expect(errors).toHaveLength(1);
    writeAtomically(file, '{"ticker":"A","employees":7}\n');
    await new Promise((r) => setTimeout(r, 120));
    expect(tables[0]!.current.rows).toEqual([['A', null, null, 7, null]]);
  });
});
