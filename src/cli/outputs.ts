import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CliError } from './args.js';

/** Bytes of output a run may hold for a slow reader before it stops reading input. */
const MAX_BUFFERED = 32 * 1024 * 1024;

/**
 * One `--output STREAM=FILE` of `sluice run`: a file (opened before the run starts, so a path that
 * cannot be written fails at once), stdout for `-`, or a pipe. A reader that goes away (EPIPE) is
 * not a failure: `sluice run ... | head` just stops. Any other write error is.
 */
export class Output {
  /** The reader went away. */
  gone = false;
  /** A write failed for another reason. */
  failed: Error | null = null;
  rows = 0;
  private ended = false;

  private constructor(readonly stream: string, readonly label: string, private readonly out: NodeJS.WritableStream, private readonly owned: boolean, private readonly onGone: () => void) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
        this.gone = true;
        onGone();
      } else if (!this.failed) {
        this.failed = e;
        onGone();
      }
    });
  }

  /** Opens `path` for writing (`-`: `stdout`); a path that cannot be written is a CliError. */
  static async open(stream: string, path: string, stdout: NodeJS.WritableStream, onGone: () => void): Promise<Output> {
    const label = `--output ${stream}=${path}`;
    if (path === '-') return new Output(stream, label, stdout, false, onGone);
    const handle = await open(path, 'w').catch((e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' ? `no folder ${dirname(path)}` : e.code === 'EISDIR' ? 'is a folder' : e.code === 'EACCES' ? 'permission denied' : e.message;
      throw new CliError(`${label}: cannot write (${why})`);
    });
    return new Output(stream, label, createWriteStream(path, { fd: handle }), true, onGone);
  }

  write(bytes: Uint8Array): void {
    if (this.gone || this.failed) return;
    this.out.write(bytes);
  }

  /**
   * Resolves at once while less than MAX_BUFFERED bytes wait to be written, else once the reader
   * has taken them (or is gone): waiting on every write instead halved the speed of a run.
   */
  async drained(): Promise<void> {
    const w = this.out as NodeJS.WritableStream & { writableLength?: number; writableNeedDrain?: boolean };
    if (this.gone || this.failed || !w.writableNeedDrain || (w.writableLength ?? 0) < MAX_BUFFERED) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.out.off('drain', done).off('close', done).off('error', done);
        resolve();
      };
      this.out.on('drain', done).on('close', done).on('error', done);
    });
  }

  /** Flushes and closes a file; stdout stays open. */
  async end(): Promise<void> {
    if (!this.owned || this.ended) return;
    this.ended = true;
    if (this.gone || this.failed) {
      (this.out as NodeJS.WritableStream & { destroy(): void }).destroy();
      return;
    }
    await new Promise<void>((resolve) => this.out.end(() => resolve()));
  }
}
