/**
 * Where `sluice start` lets a caller's file path land: DuckDB files named by a Firehose `duckdb:`
 * Url, and the `path` of an application's file and DuckDB sinks. A relative path is taken relative
 * to the data directory; the result must lie inside the data directory (outside the folders Sluice
 * keeps its own state in) or inside a folder given with `--allow-path`.
 */

import path from 'node:path';
import { isInside } from './data-paths.js';

/** Entries of a data directory that hold Sluice's own state: no caller's file may land in them. */
export const SLUICE_ENTRIES: readonly string[] = ['LOCK', 'streams', 'trash', 'firehose', 'analytics', 'apps', 'keys', 'tls', 'kinesis-api.json', 'kinesis-api.json.tmp'];

export class PathNotAllowedError extends Error {
  override readonly name = 'PathNotAllowedError';
}

export class AllowedPaths {
  private readonly dataDir: string | null;
  private readonly allowed: readonly string[];

  /** `dataDir` null: no data directory (`--memory`), so only the allowed folders take files. */
  constructor(dataDir: string | null, allowed: readonly string[] = []) {
    this.dataDir = dataDir === null ? null : path.resolve(dataDir);
    this.allowed = allowed.map((dir) => path.resolve(dir));
  }

  /** The absolute path `given` stands for; throws PathNotAllowedError (naming `--allow-path`) when it may not be written. */
  resolve(given: string, what: string): string {
    if (given === '' || given.includes('\0')) throw new PathNotAllowedError(`${what} ${JSON.stringify(given)} is not a file path.`);
    if (this.dataDir === null && !path.isAbsolute(given)) {
      throw new PathNotAllowedError(`${what} ${given} is relative, and this Sluice has no data directory to take it from; give an absolute path inside a folder allowed with --allow-path DIR.`);
    }
    const file = this.dataDir === null ? path.resolve(given) : path.resolve(this.dataDir, given);
    if (this.dataDir !== null && isInside(this.dataDir, file, true)) {
      const first = path.relative(this.dataDir, file).split(path.sep)[0] ?? '';
      if (first === '' || SLUICE_ENTRIES.includes(first)) throw new PathNotAllowedError(`${what} ${given} (${file}) is where Sluice keeps its own state in the data directory ${this.dataDir}.`);
      return file;
    }
    if (this.allowed.some((dir) => isInside(dir, file))) return file;
    const where = this.dataDir === null ? 'no data directory' : `the data directory ${this.dataDir}`;
    throw new PathNotAllowedError(`${what} ${given} (${file}) is outside ${where}; start Sluice with --allow-path DIR to allow writing under another folder.`);
  }
}
