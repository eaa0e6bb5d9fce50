/**
 * Where delivered objects land: a local folder laid out like an S3 bucket (key = relative path),
 * or memory. A folder object is written under a temporary name, fsynced, then renamed, so a
 * reader never sees half of one.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { closeFile, fsyncDir, fsyncFile, openFile, writeAllAt } from '../ingest/log/fs-util.js';

export interface ObjectStore {
  put(key: string, body: Uint8Array): Promise<void>;
}

export class FolderObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    const file = path.join(this.root, ...key.split('/'));
    if (!file.startsWith(this.root + path.sep)) throw new Error(`object key ${key} leaves the bucket`);
    const dir = path.dirname(file);
    await fs.promises.mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `.${path.basename(file)}.${crypto.randomUUID()}.tmp`);
    try {
      const fd = await openFile(tmp, 'wx');
      try {
        await writeAllAt(fd, [body], 0);
        await fsyncFile(fd);
      } finally {
        await closeFile(fd);
      }
      await fs.promises.rename(tmp, file);
    } catch (err) {
      await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await fsyncDir(dir);
  }
}

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();

  put(key: string, body: Uint8Array): Promise<void> {
    this.objects.set(key, body);
    return Promise.resolve();
  }
}

/** `arn:aws:s3:::NAME` → NAME; undefined for anything else. */
export function bucketName(bucketArn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/.exec(bucketArn);
  return match?.[1];
}
