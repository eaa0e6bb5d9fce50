import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../ingest/log/fs-util.js';
import type { SourcePosition } from './sources/log-source.js';
import type { RemotePosition } from './sources/remote-kinesis-source.js';
import type { QuerySnapshot } from './query-runner.js';

/**
 * What an application needs to carry on after a restart: where each source was, and its window
 * state. `id` (absent in a checkpoint written before ids existed: 0) tells each sink which of its
 * staged pieces this checkpoint covers (commit them) and which came after it (delete them).
 */
export interface Checkpoint {
  readonly version: 1;
  readonly id?: number;
  readonly takenAt: number;
  readonly sources: Record<string, SourcePosition | RemotePosition>;
  readonly queries: Record<string, QuerySnapshot>;
}

const FILE = 'checkpoint.json';

export async function readCheckpoint(dir: string): Promise<Checkpoint | null> {
  try {
    const c = JSON.parse(await readFile(join(dir, FILE), 'utf8')) as Checkpoint;
    return c.version === 1 ? c : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Writes a checkpoint atomically: a temporary file, fsynced, renamed over the old one, and the
 * folder fsynced, so the rename itself is durable before any sink commits what the checkpoint covers.
 */
export async function writeCheckpoint(dir: string, c: Checkpoint): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, FILE), JSON.stringify(c));
}
