import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourcePosition } from './sources/log-source.js';
import type { RemotePosition } from './sources/remote-kinesis-source.js';
import type { QuerySnapshot } from './query-runner.js';

/** What an application needs to carry on after a restart: where each source was, and its window state. */
export interface Checkpoint {
  readonly version: 1;
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

/** Writes a checkpoint atomically: a temporary file, fsynced, renamed over the old one. */
export async function writeCheckpoint(dir: string, c: Checkpoint): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${FILE}.tmp`);
  const f = await open(tmp, 'w');
  try {
    await f.writeFile(JSON.stringify(c));
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, join(dir, FILE));
}
