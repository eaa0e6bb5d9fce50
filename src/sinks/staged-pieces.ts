/**
 * Rows a transactional sink has pre-committed and not yet committed, kept as NDJSON files in a
 * folder of their own: `<checkpoint>-<piece>.ndjson`, each written whole (temporary name, fsync,
 * rename, fsync of the folder), so a piece that is listed is complete.
 */

import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, listDir, writeFileAtomic } from '../ingest/log/fs-util.js';
import { toLines } from '../runtime/sources/log-source.js';

export interface Piece {
  readonly checkpoint: number;
  readonly piece: number;
  readonly file: string;
}

const NAME = /^(\d+)-(\d+)\.ndjson$/;

/** Orders pieces as they were staged: by checkpoint, then by piece within it. */
export const pieceOrder = (a: { checkpoint: number; piece: number }, b: { checkpoint: number; piece: number }): number => a.checkpoint - b.checkpoint || a.piece - b.piece;

export class StagedPieces {
  private next = 0;

  constructor(readonly dir: string) {}

  /** Writes the records (one JSON text each) as the next piece of `checkpoint`. */
  async write(checkpoint: number, records: readonly Uint8Array[]): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    if (this.next === 0) this.next = Math.max(0, ...(await this.list()).map((p) => p.piece)) + 1;
    const file = path.join(this.dir, `${String(checkpoint).padStart(12, '0')}-${String(this.next++).padStart(6, '0')}.ndjson`);
    try {
      await writeFileAtomic(file, toLines(records));
    } catch (e) {
      // The caller stages these records again: no half-made copy may stay behind.
      await fs.promises.rm(file, { force: true }).catch(() => undefined);
      await fs.promises.rm(`${file}.tmp`, { force: true }).catch(() => undefined);
      throw e;
    }
  }

  /** Every complete piece, in staging order. */
  async list(): Promise<Piece[]> {
    const pieces: Piece[] = [];
    for (const name of await listDir(this.dir)) {
      const m = NAME.exec(name);
      if (m) pieces.push({ checkpoint: Number(m[1]), piece: Number(m[2]), file: path.join(this.dir, name) });
    }
    return pieces.sort(pieceOrder);
  }

  /** A piece's records, one JSON text per line. */
  async read(piece: Piece): Promise<string[]> {
    const text = await fs.promises.readFile(piece.file, 'utf8');
    return text.split('\n').filter((line) => line.length > 0);
  }

  async remove(pieces: readonly Piece[]): Promise<void> {
    if (pieces.length === 0) return;
    for (const p of pieces) await fs.promises.rm(p.file, { force: true });
    await fsyncDir(this.dir);
  }
}
