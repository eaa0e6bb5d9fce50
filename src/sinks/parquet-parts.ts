/**
 * sink = 'file', format = 'parquet': `path` is a folder of part files `part-<000001>.parquet`,
 * numbered on from the highest already there, so the names sort in delivery order. Without
 * checkpoints each delivered batch becomes a part at once (temporary name, fsync, rename). With
 * checkpoints the parts are committed in two phases, as Flink's FileSink does: a staged part is
 * pending under a hidden name that carries its checkpoint, `.part-<n>.parquet.<checkpoint>.pending`,
 * and is renamed to its final name when that checkpoint commits. Readers of the folder only ever
 * see committed parts (`*.parquet`).
 */

import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Field } from '../planner/types.js';
import { closeFile, fsyncDir, fsyncFile, openFile, writeAllAt } from '../ingest/log/fs-util.js';
import { DUCK_TYPES } from './duckdb-table.js';
import { jsonToParquet, openScratchDuckDb } from './json-duckdb.js';
import type { Committer } from './transactional-sink.js';

const PART = /^part-(\d+)\.parquet$/;
const PENDING = /^\.part-(\d+)\.parquet\.(\d+)\.pending$/;
/** What a crash in the middle of a write leaves behind (see writeWhole). */
const TEMPORARY = /^\.\.?part-\d+\.parquet(\.\d+\.pending)?\.tmp$/;

const partName = (seq: number): string => `part-${String(seq).padStart(6, '0')}.parquet`;
const pendingName = (seq: number, checkpoint: number): string => `.${partName(seq)}.${checkpoint}.pending`;

export class ParquetParts implements Committer {
  private constructor(
    private readonly folder: string,
    private readonly columns: Record<string, string>,
    private readonly scratch: { conn: DuckDBConnection; close: () => void },
    private seq: number,
  ) {}

  static async open(folder: string, fields: readonly Field[]): Promise<ParquetParts> {
    const root = path.resolve(folder);
    await fs.promises.mkdir(root, { recursive: true });
    const columns = Object.fromEntries(fields.map((f) => [f.name, DUCK_TYPES[f.type] ?? 'VARCHAR']));
    // A write a crash interrupted left its temporary file: never a part, so gone.
    const stale = (await fs.promises.readdir(root)).filter((n) => TEMPORARY.test(n));
    for (const name of stale) await fs.promises.rm(path.join(root, name), { force: true });
    const parts = new ParquetParts(root, columns, await openScratchDuckDb(), 0);
    parts.seq = await parts.highest();
    return parts;
  }

  /** Writes a batch as the next committed part (no checkpoints). */
  async deliver(records: readonly Uint8Array[]): Promise<void> {
    await writeWhole(path.join(this.folder, partName(this.seq + 1)), await this.parquet(records));
    this.seq++;
  }

  async stage(id: number, records: readonly Uint8Array[]): Promise<void> {
    const seq = this.seq + 1;
    const body = await this.parquet(records);
    try {
      await writeWhole(path.join(this.folder, pendingName(seq, id)), body);
    } catch (e) {
      // The caller stages these rows again: a copy that did land must not be committed twice.
      await fs.promises.rm(path.join(this.folder, pendingName(seq, id)), { force: true }).catch(() => undefined);
      throw e;
    }
    this.seq = seq;
  }

  async commit(id: number): Promise<void> {
    const pending = (await this.pending()).filter((p) => p.checkpoint <= id);
    for (const p of pending) await fs.promises.rename(path.join(this.folder, p.name), path.join(this.folder, partName(p.seq)));
    if (pending.length > 0) await fsyncDir(this.folder);
  }

  async recover(id: number): Promise<void> {
    await this.commit(id);
    const later = (await this.pending()).filter((p) => p.checkpoint > id).map((p) => p.name);
    for (const name of later) await fs.promises.rm(path.join(this.folder, name), { force: true });
    if (later.length > 0) await fsyncDir(this.folder);
    this.seq = await this.highest();
  }

  async close(): Promise<void> {
    this.scratch.close();
  }

  private parquet(records: readonly Uint8Array[]): Promise<Buffer> {
    return jsonToParquet(this.scratch.conn, records, { columns: this.columns });
  }

  /** Pending parts in the order they were staged. */
  private async pending(): Promise<{ name: string; seq: number; checkpoint: number }[]> {
    const found: { name: string; seq: number; checkpoint: number }[] = [];
    for (const name of await fs.promises.readdir(this.folder)) {
      const m = PENDING.exec(name);
      if (m) found.push({ name, seq: Number(m[1]), checkpoint: Number(m[2]) });
    }
    return found.sort((a, b) => a.seq - b.seq);
  }

  /** The highest part number in use, committed or pending. */
  private async highest(): Promise<number> {
    let max = 0;
    for (const name of await fs.promises.readdir(this.folder)) {
      const m = PART.exec(name) ?? PENDING.exec(name);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return max;
  }
}

/** Writes a file whole: a hidden temporary name, fsync, rename, fsync of the folder. */
async function writeWhole(file: string, body: Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp`);
  try {
    const fd = await openFile(tmp, 'w');
    try {
      await writeAllAt(fd, [body], 0);
      await fsyncFile(fd);
    } finally {
      await closeFile(fd);
    }
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dir);
}
