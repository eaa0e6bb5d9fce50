/**
 * sink = 'file' (NDJSON) with checkpoints: pieces are staged in the application's folder and
 * appended to the output file on commit. `committed.json` beside the pieces says how long the file
 * was after the last piece appended (and which piece that was): an append a crash cut short is
 * truncated away on recovery and done again, and a piece already appended is not appended twice.
 */

import fs from 'node:fs';
import path from 'node:path';
import { closeFile, fsyncFile, ftruncate, openFile, writeAllAt, writeFileAtomic } from '../ingest/log/fs-util.js';
import { pieceOrder, StagedPieces, type Piece } from './staged-pieces.js';
import type { Committer } from './transactional-sink.js';

interface Mark {
  /** Bytes of the output file that committed pieces account for. */
  readonly length: number;
  readonly checkpoint: number;
  readonly piece: number;
}

export class NdjsonFileCommitter implements Committer {
  private readonly pieces: StagedPieces;
  private mark: Mark | null = null;

  constructor(
    private readonly file: string,
    stagingDir: string,
  ) {
    this.pieces = new StagedPieces(stagingDir);
  }

  private get markFile(): string {
    return path.join(this.pieces.dir, 'committed.json');
  }

  stage(id: number, records: readonly Uint8Array[]): Promise<void> {
    return this.pieces.write(id, records);
  }

  async commit(id: number): Promise<void> {
    const mark = await this.loadMark();
    const pieces = (await this.pieces.list()).filter((p) => p.checkpoint <= id);
    const done = pieces.filter((p) => pieceOrder(p, mark) <= 0);
    const todo = pieces.filter((p) => pieceOrder(p, mark) > 0);
    if (todo.length > 0) {
      const bodies = await Promise.all(todo.map((p) => fs.promises.readFile(p.file)));
      await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
      const fd = await openFile(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT);
      try {
        // Whatever lies past the mark is an append a crash interrupted: written again from the start.
        await ftruncate(fd, mark.length);
        await writeAllAt(fd, bodies, mark.length);
        await fsyncFile(fd);
      } finally {
        await closeFile(fd);
      }
      const last = todo[todo.length - 1]!;
      await this.saveMark({ length: mark.length + bodies.reduce((n, b) => n + b.length, 0), checkpoint: last.checkpoint, piece: last.piece });
    }
    await this.pieces.remove([...done, ...todo]);
  }

  async recover(id: number): Promise<void> {
    const mark = await this.loadMark();
    const size = await fileSize(this.file);
    if (size > mark.length) await fs.promises.truncate(this.file, mark.length);
    await this.commit(id);
    await this.pieces.remove((await this.pieces.list()).filter((p: Piece) => p.checkpoint > id));
  }

  async close(): Promise<void> {}

  /** The mark, made on first use from the file as it stands (what was there before is kept). */
  private async loadMark(): Promise<Mark> {
    if (this.mark) return this.mark;
    try {
      this.mark = JSON.parse(await fs.promises.readFile(this.markFile, 'utf8')) as Mark;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await this.saveMark({ length: await fileSize(this.file), checkpoint: 0, piece: 0 });
    }
    return this.mark!;
  }

  private async saveMark(mark: Mark): Promise<void> {
    await fs.promises.mkdir(this.pieces.dir, { recursive: true });
    await writeFileAtomic(this.markFile, JSON.stringify(mark));
    this.mark = mark;
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await fs.promises.stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}
