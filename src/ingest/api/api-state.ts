/**
 * What the Kinesis API knows about a stream that the log does not: its capacity mode, tags and
 * registered consumers, plus the key that signs iterators. Kept in `<data>/kinesis-api.json`
 * (rewritten whole: tmp, fsync, rename) so it survives restarts; in memory for an in-memory log.
 * An entry whose stream is gone, or was recreated under the same name, is dropped on load.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LogStore } from '../log-store.js';

export const STATE_FILE = 'kinesis-api.json';

export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

export interface ConsumerState {
  readonly name: string;
  readonly arn: string;
  /** Epoch ms. */
  readonly createdAt: number;
  tags: Record<string, string>;
}

export interface StreamState {
  /** The log's createdAt for this stream: ties the entry to one incarnation of the name. */
  readonly createdAt: number;
  mode: StreamMode;
  tags: Record<string, string>;
  consumers: ConsumerState[];
  /** When StartStreamEncryption applied a key (epoch ms, the last 24 hours' worth): AWS allows 25 a day. */
  keyApplications?: number[];
}

interface StateFile {
  readonly version: 1;
  readonly key: string;
  readonly streams: Record<string, StreamState>;
}

export class ApiState {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string | null,
    readonly key: Buffer,
    private readonly streams: Map<string, StreamState>,
  ) {}

  static async load(store: LogStore): Promise<ApiState> {
    const file = store.dir === null ? null : path.join(store.dir, STATE_FILE);
    let saved: StateFile | undefined;
    if (file) {
      try {
        saved = JSON.parse(await fs.promises.readFile(file, 'utf8')) as StateFile;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
      }
    }
    const key = saved?.key ? Buffer.from(saved.key, 'base64') : crypto.randomBytes(32);
    const streams = new Map<string, StreamState>();
    for (const name of store.listStreams()) {
      const entry = saved?.streams?.[name];
      const createdAt = store.getStream(name).createdAt;
      streams.set(name, entry && entry.createdAt === createdAt ? entry : fresh(createdAt));
    }
    const state = new ApiState(file, key, streams);
    if (file && !saved) await state.save();
    return state;
  }

  /** The stream's entry, made (PROVISIONED, no tags) if the log has a stream the API never saw. */
  get(name: string, createdAt: number): StreamState {
    let entry = this.streams.get(name);
    if (!entry || entry.createdAt !== createdAt) {
      entry = fresh(createdAt);
      this.streams.set(name, entry);
    }
    return entry;
  }

  set(name: string, entry: StreamState): void {
    this.streams.set(name, entry);
  }

  delete(name: string): void {
    this.streams.delete(name);
  }

  /** Persists the current state; writes are queued so the file never goes backwards. */
  save(): Promise<void> {
    const file = this.file;
    if (file === null) return Promise.resolve();
    const snapshot: StateFile = { version: 1, key: this.key.toString('base64'), streams: Object.fromEntries(this.streams) };
    const text = `${JSON.stringify(snapshot, null, 2)}\n`;
    const write = this.writes.then(() => writeAtomic(file, text));
    this.writes = write.catch(() => undefined);
    return write;
  }

  flush(): Promise<void> {
    return this.writes;
  }
}

function fresh(createdAt: number): StreamState {
  return { createdAt, mode: 'PROVISIONED', tags: {}, consumers: [] };
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await fs.promises.open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, file);
}
