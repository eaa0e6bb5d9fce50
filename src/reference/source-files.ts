import fs from 'node:fs';
import path from 'node:path';
import { namedPath, objectPath } from '../storage/data-paths.js';
import { ReferenceLoadError, type ReferenceSource } from './reference-spec.js';

/** The file a source reads: its path, or for an S3 object the one `<data>/s3/<bucket>/<key>` maps to. */
export function sourceFile(source: ReferenceSource, dataDir: string | undefined): string {
  if (source.kind !== 's3') return source.path;
  if (dataDir === undefined) throw new ReferenceLoadError(`s3://${source.bucket}/${source.key} needs a data directory`);
  return objectPath(namedPath(path.join(dataDir, 's3'), source.bucket), source.key);
}

/**
 * What a reload watches for change: the file's size, modification time and inode (a replace by
 * rename changes the inode), and for a DuckDB database its write-ahead log too, where commits
 * land before a checkpoint moves them into the file.
 */
export function fileSignature(source: ReferenceSource, file: string): string {
  const files = source.kind === 'duckdb' ? [file, `${file}.wal`] : [file];
  return files.map((f) => {
    try {
      const s = fs.statSync(f);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return '-';
    }
  }).join('|');
}
