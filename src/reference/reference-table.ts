import fs from 'node:fs';
import path from 'node:path';
import { rowsFromText } from './load-text.js';
import { ReferenceLoadError, type ReferenceTableSpec } from './reference-spec.js';
import { fileSignature, sourceFile } from './source-files.js';
import { TableVersion } from './table-version.js';

export interface ReferenceTableOptions {
  /** The data directory, for `s3` sources. */
  readonly dataDir?: string;
  /** A reload started by a watcher or timer failed; the version before it stays in use. */
  readonly onError?: (err: Error) => void;
  /** A new version is in use. */
  readonly onReload?: (version: TableVersion) => void;
}

/** How long a burst of change notices is left to settle before the file is looked at. */
const SETTLE_MS = 50;

/**
 * A reference table loaded whole from its source and typed by its declared columns. `current` is
 * the version in use; a reload (on demand, on a file change, on an interval) builds the next
 * version completely, hash index included, and swaps it in with one assignment, so a reader sees
 * all of the old table or all of the new one, never part. A failed reload leaves the old version
 * in use and says why (`reload()` rejects, or `onError`). Reloads do not overlap: asking during
 * one runs one more after it. A writer should replace the file by rename (as Firehose's folder
 * store does); a file caught half-written fails its load and is read again once it changes.
 */
export class ReferenceTable {
  private version: TableVersion | undefined;
  /** The source's signature when the last load (good or failed) started: a watcher reloads when it changes. */
  private seen = '';
  private running: Promise<TableVersion> | null = null;
  private queued: Promise<TableVersion> | null = null;
  private readonly closers: (() => void)[] = [];
  private settleTimer: NodeJS.Timeout | undefined;
  /** Column numbers of the declared key, the index built at every load. */
  readonly keyColumns: readonly number[];
  private readonly file: string;

  private constructor(readonly spec: ReferenceTableSpec, private readonly options: ReferenceTableOptions) {
    if (spec.columns.length === 0) throw new ReferenceLoadError(`reference table ${spec.name} declares no columns`);
    this.keyColumns = spec.key.map((k) => {
      const i = spec.columns.findIndex((c) => c.name === k);
      if (i < 0) throw new ReferenceLoadError(`reference table ${spec.name}: key column ${k} is not declared`);
      return i;
    });
    this.file = sourceFile(spec.source, options.dataDir);
  }

  /** Loads the table (rejecting when the first load fails) and starts its reload policy. */
  static async open(spec: ReferenceTableSpec, options: ReferenceTableOptions = {}): Promise<ReferenceTable> {
    const table = new ReferenceTable(spec, options);
    await table.reload();
    table.startReloading();
    return table;
  }

  get name(): string {
    return this.spec.name;
  }

  get current(): TableVersion {
    return this.version!;
  }

  /** Loads the table again; resolves with the version in use afterwards. */
  reload(): Promise<TableVersion> {
    if (this.running === null) {
      this.running = this.load().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.queued ??= this.running.catch(() => undefined).then(() => {
      this.queued = null;
      return this.reload();
    });
    return this.queued;
  }

  /** Stops watching and the timers. */
  close(): void {
    clearTimeout(this.settleTimer);
    for (const close of this.closers.splice(0)) close();
  }

  private async load(): Promise<TableVersion> {
    const { spec } = this;
    const source = spec.source;
    const what = `reference table ${spec.name}`;
    this.seen = fileSignature(source, this.file);
    let rows: unknown[][];
    if (source.kind === 'duckdb') {
      rows = await (await import('./load-duckdb.js')).rowsFromDuckDb(this.file, source.table, source.schema, spec.columns, what);
    } else if (source.format === 'parquet') {
      rows = await (await import('./load-duckdb.js')).rowsFromParquet(this.file, spec.columns, what);
    } else {
      let bytes: Uint8Array;
      try {
        bytes = await fs.promises.readFile(this.file);
      } catch (err) {
        throw new ReferenceLoadError(`${what}: cannot read ${this.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      rows = rowsFromText(bytes, spec.columns, { format: source.format, ...(source.header !== undefined ? { header: source.header } : {}), ...(source.delimiter ? { delimiter: source.delimiter } : {}) }, what);
    }
    const next = new TableVersion((this.version?.version ?? 0) + 1, spec.columns.map((c) => c.type), rows, Date.now());
    next.index(this.keyColumns);
    this.version = next;
    this.options.onReload?.(next);
    return next;
  }

  private startReloading(): void {
    const policy = this.spec.reload ?? {};
    const failed = (err: unknown) => this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
    const ifChanged = () => {
      if (fileSignature(this.spec.source, this.file) !== this.seen) this.reload().catch(failed);
    };
    if (policy.watch === 'fs') {
      const base = path.basename(this.file);
      const watcher = fs.watch(path.dirname(this.file), { persistent: false }, (_event, name) => {
        if (name !== null && name !== base && name !== `${base}.wal`) return;
        clearTimeout(this.settleTimer);
        this.settleTimer = setTimeout(ifChanged, SETTLE_MS);
        this.settleTimer.unref();
      });
      watcher.on('error', failed);
      this.closers.push(() => watcher.close());
    } else if (policy.watch === 'poll') {
      const timer = setInterval(ifChanged, policy.pollMs ?? 1000);
      timer.unref();
      this.closers.push(() => clearInterval(timer));
    }
    if (policy.intervalMs !== undefined) {
      const timer = setInterval(() => this.reload().catch(failed), policy.intervalMs);
      timer.unref();
      this.closers.push(() => clearInterval(timer));
    }
  }
}
