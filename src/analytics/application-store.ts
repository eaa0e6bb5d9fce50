/**
 * Where applications last: `<dataDir>/analytics/<name>/application.json` (the name through
 * src/storage/data-paths.ts), written atomically, and the engine's checkpoints beside it in
 * `checkpoint/`. Without a data directory nothing is kept.
 */

import fs from 'node:fs';
import path from 'node:path';
import { listDir, writeFileAtomic } from '../ingest/log/fs-util.js';
import { assertInside, decodeName, namedPath } from '../storage/data-paths.js';
import type { ApplicationRecord } from './application.js';

const FILE = 'application.json';

export class ApplicationStore {
  /** `<dataDir>/analytics`, or null in memory. */
  private readonly root: string | null;

  constructor(dataDir: string | null) {
    this.root = dataDir === null ? null : path.join(path.resolve(dataDir), 'analytics');
  }

  /** Every application kept, skipping folders without a readable record. */
  async load(): Promise<ApplicationRecord[]> {
    if (this.root === null) return [];
    const out: ApplicationRecord[] = [];
    for (const entry of (await listDir(this.root)).sort()) {
      const name = decodeName(entry);
      if (name === undefined) continue;
      try {
        const record = JSON.parse(await fs.promises.readFile(path.join(this.root, entry, FILE), 'utf8')) as ApplicationRecord;
        if (record.name === name) out.push(record);
      } catch {
        continue;
      }
    }
    return out;
  }

  async save(app: ApplicationRecord): Promise<void> {
    const dir = this.folder(app.name);
    if (dir === null) return;
    await fs.promises.mkdir(assertInside(this.root!, dir), { recursive: true });
    await writeFileAtomic(assertInside(dir, path.join(dir, FILE)), JSON.stringify(app, null, 1));
  }

  /** Forgets the application's record first, so a crash mid-way cannot bring it back, then its folder. */
  async remove(name: string): Promise<void> {
    const dir = this.folder(name);
    if (dir === null) return;
    await fs.promises.rm(assertInside(dir, path.join(dir, FILE)), { force: true });
    await fs.promises.rm(assertInside(this.root!, dir), { recursive: true, force: true });
  }

  /** The application's checkpoint folder, or null in memory. */
  checkpointDir(name: string): string | null {
    const dir = this.folder(name);
    return dir === null ? null : path.join(dir, 'checkpoint');
  }

  private folder(name: string): string | null {
    return this.root === null ? null : namedPath(this.root, name);
  }
}
