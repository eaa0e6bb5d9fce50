/**
 * A running application: an Engine (as `sluice start --app` runs one) with the application's
 * SQL (application-script.ts), each in-application input stream fed from its Kinesis stream by
 * a LogSource that maps records through the input schema, reference tables loaded from their S3
 * objects, and checkpoints in the application's folder. The starting position decides where the
 * sources begin: NOW (the shards' ends when StartApplication was called), TRIM_HORIZON, or
 * LAST_STOPPED_POINT (the last checkpoint, or where the last run stopped without a data directory).
 */

import fs from 'node:fs';
import { ApiError } from '../ingest/api/index.js';
import type { LogStore } from '../ingest/index.js';
import type { FirehoseApi } from '../sinks/firehose/index.js';
import type { AllowedPaths } from '../storage/allowed-paths.js';
import { readCheckpoint, writeCheckpoint } from '../runtime/checkpoint.js';
import { Engine } from '../runtime/engine.js';
import { LogSource, type SourcePosition } from '../runtime/sources/log-source.js';
import { SqlDiagnosticsError } from '../sql/diagnostics.js';
import { inAppStreamNames, type ApplicationRecord, type InputConfig, type StartingPosition } from './application.js';
import { CODE_FILE, outputSql, preambleOf, scriptDigest } from './application-script.js';
import { recordMapper, type RecordMapper, type SourceSchema } from './record-mapper.js';
import type { ReadObject } from './s3-objects.js';

export interface RunnerContext {
  readonly log: LogStore;
  readonly firehose: FirehoseApi;
  /** Where file and DuckDB sinks of the code may write (the data directory and --allow-path). */
  readonly files: AllowedPaths;
  readonly allowPrivateEndpoints: boolean;
  readonly readObject: ReadObject;
  readonly checkpointIntervalMs: number;
  readonly notice: (message: string) => void;
}

export interface RunnerStart {
  /** The starting position of each input, by id. */
  readonly positions: ReadonlyMap<string, StartingPosition>;
  /** `<app folder>/checkpoint`, or null without a data directory. */
  readonly checkpointDir: string | null;
  /** Without a data directory: where each in-application input stream stopped last time. */
  readonly stoppedAt?: ReadonlyMap<string, SourcePosition>;
}

export function invalidConfiguration(message: string): ApiError {
  return new ApiError('InvalidApplicationConfigurationException', message);
}

export class ApplicationRunner {
  /** Rows loaded into each reference table, by reference id (after run()). */
  readonly referenceRows = new Map<string, number>();

  private constructor(
    readonly engine: Engine,
    private readonly app: ApplicationRecord,
    private readonly sources: ReadonlyMap<string, LogSource>,
    private readonly ctx: RunnerContext,
    private readonly fresh: boolean,
  ) {}

  /** Builds the engine and its sources (nothing is read yet); a configuration the engine refuses is InvalidApplicationConfigurationException. */
  static async build(app: ApplicationRecord, start: RunnerStart, ctx: RunnerContext): Promise<ApplicationRunner> {
    const fresh = [...start.positions.values()].some((p) => p !== 'LAST_STOPPED_POINT');
    if (start.checkpointDir) await prepareCheckpoint(start.checkpointDir, fresh, app.checkpointScript !== scriptDigest(app));
    const notice = (m: string) => ctx.notice(m);
    const engine = new Engine({
      workers: 0,
      log: ctx.log,
      firehose: ctx.firehose,
      files: ctx.files,
      allowPrivateEndpoints: ctx.allowPrivateEndpoints,
      notice,
      ...(start.checkpointDir ? { checkpoint: { dir: start.checkpointDir, intervalMs: ctx.checkpointIntervalMs } } : {}),
    });
    try {
      run(engine, preambleOf(app), 'inputs');
      run(engine, app.code, CODE_FILE);
      let outputs = '';
      for (const o of app.outputs) {
        const def = engine.catalog.get(o.name, true) ?? engine.catalog.get(o.name, false);
        if (!def) throw invalidConfiguration(`Output ${o.id} delivers the in-application stream ${o.name}, which the application code does not create.`);
        outputs += outputSql(o, def);
      }
      if (outputs) run(engine, outputs, 'outputs');
      const sources = new Map<string, LogSource>();
      for (const input of app.inputs) {
        const mapper = recordMapper(input.schema) as RecordMapper;
        const position = start.positions.get(input.id) ?? 'LAST_STOPPED_POINT';
        const names = inAppStreamNames(input);
        names.forEach((name, k) => {
          const source = new LogSource(ctx.log, input.stream, engine.runtime(name), {
            notice,
            toChunk: (records) => mapper.toChunk(records),
            ...(names.length > 1 ? { shards: (shardId: string) => shareOf(shardId, names.length) === k } : {}),
          });
          if (position === 'NOW') source.resumeFrom(latestPositions(ctx.log, input));
          else if (position === 'LAST_STOPPED_POINT' && start.stoppedAt?.has(name)) source.resumeFrom(start.stoppedAt.get(name)!);
          engine.addSource(name, source);
          sources.set(name, source);
        });
      }
      return new ApplicationRunner(engine, app, sources, ctx, fresh);
    } catch (e) {
      await engine.close();
      throw e;
    }
  }

  /** Loads the reference tables, restores the last checkpoint (if kept) and starts reading. */
  async run(): Promise<void> {
    for (const r of this.app.references) {
      const body = await this.ctx.readObject(r.bucket, r.fileKey);
      if (!body) {
        this.ctx.notice(`reference table ${r.tableName}: no object ${r.fileKey} in bucket ${r.bucket}; the table stays empty`);
        this.referenceRows.set(r.id, 0);
        continue;
      }
      const lines = referenceLines(body.toString('utf8'), r.schema);
      this.referenceRows.set(r.id, lines.count);
      if (lines.count > 0) await this.engine.runtime(r.tableName).ingest(Buffer.from(lines.text));
    }
    await this.engine.resume();
    // A fresh start is kept at once, so a restart does not read from the trim horizon again.
    if (this.fresh) await this.engine.checkpoint();
  }

  /** Where each in-application input stream has read to. */
  positions(): Map<string, SourcePosition> {
    return new Map([...this.sources].map(([name, s]) => [name, s.position()]));
  }

  /** Stops reading, takes the last checkpoint and delivers what the outputs hold. */
  stop(): Promise<void> {
    return this.engine.close();
  }
}

function run(engine: Engine, sql: string, file: string): void {
  try {
    engine.execute(sql, file);
  } catch (e) {
    if (e instanceof SqlDiagnosticsError) throw invalidConfiguration(e.message);
    throw e;
  }
}

/**
 * Before a fresh start (NOW, TRIM_HORIZON) the last checkpoint goes; before LAST_STOPPED_POINT it is
 * kept, but its query state only when the SQL is the same (the source positions stay either way).
 */
async function prepareCheckpoint(dir: string, fresh: boolean, scriptChanged: boolean): Promise<void> {
  if (fresh) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    return;
  }
  if (!scriptChanged) return;
  const saved = await readCheckpoint(dir);
  if (saved) await writeCheckpoint(dir, { ...saved, queries: {} });
}

/** The end of every shard of the input's stream: NOW reads only what arrives after the request. */
function latestPositions(log: LogStore, input: InputConfig): SourcePosition {
  if (!log.listStreams().includes(input.stream)) return { shards: {}, finished: [] };
  const shards: SourcePosition['shards'] = {};
  for (const shard of log.getStream(input.stream).shards()) shards[shard.shardId] = shard.position({ type: 'LATEST' });
  return { shards, finished: [] };
}

/** Which in-application stream (of n) a shard feeds: by the shard's number, so a shard keeps its stream. */
export function shareOf(shardId: string, n: number): number {
  const digits = /(\d+)$/.exec(shardId);
  return digits ? Number(digits[1]) % n : 0;
}

/** A reference object's rows as NDJSON: one JSON document (or one per line), or CSV rows. */
function referenceLines(text: string, schema: SourceSchema): { text: string; count: number } {
  const mapper = recordMapper(schema) as RecordMapper;
  let records = [text];
  if (schema.RecordFormat.RecordFormatType === 'JSON') {
    try {
      JSON.parse(text);
    } catch {
      records = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    }
  }
  let out = '';
  for (const r of records) out += mapper.lines(r);
  return { text: out, count: out === '' ? 0 : out.split('\n').length - 1 };
}
