import * as A from '../sql/ast.js';
import { parseSql } from '../sql/parse.js';
import { SqlDiagnosticsError, sqlError, type SqlError } from '../sql/diagnostics.js';
import { Catalog, userFields, type StreamDef } from '../planner/catalog.js';
import { bindQuery, type BindContext, type BoundQuery, type ViewDef } from '../planner/bind.js';
import type { BoundPost } from '../planner/bind-over.js';
import { nameKey } from '../planner/catalog.js';
import { applySetting, type QuerySettings } from './settings.js';
import { physicalPlan, type QueryPlan } from '../planner/physical.js';
import { explainPlan } from '../planner/explain.js';
import { call, lit, type BoundExpr } from '../planner/bound-expr.js';
import type { Field } from '../planner/types.js';
import * as L from '../planner/logical/plan.js';
import type { OutputRows } from '../operators/operator.js';
import { vectorFromValues, type ColumnBatch } from '../operators/column-batch.js';
import { declareStream, derivedStream, errorStreamDef, ERROR_STREAM } from './statements.js';
import { QueryRunner } from './query-runner.js';
import { StreamRuntime } from './stream-runtime.js';
import { WorkerPool } from './worker-pool.js';
import type { ErrorRow } from './chunk-task.js';
import { LogSource, type SourcePosition } from './sources/log-source.js';
import { RemoteKinesisSource, type RemotePosition } from './sources/remote-kinesis-source.js';

/** A continuous reader feeding a stream (the local log, or a remote Kinesis endpoint). */
type Source = LogSource | RemoteKinesisSource;
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { basename, join } from 'node:path';
import type { QuerySnapshot } from './query-runner.js';
import type { QuerySink, FirehoseTarget } from '../sinks/query-sink.js';
import { toObjects } from './rows.js';
import type { LogStore } from '../ingest/index.js';
import type { AllowedPaths } from '../storage/allowed-paths.js';
import { checkOptionAccess, type OptionAccess } from './option-access.js';
import type { RecordFormat } from '../decode/types.js';
import { createFunction, loadScriptFunctions, registerInProcessFunction, type FunctionLoads, type RegisterOptions } from './user-function-loader.js';
import { inProcessFunction } from '../planner/user-functions.js';
import { unregisterLocalFunction } from '../operators/kernels/udf-registry.js';
import { dialectOf, statementDialect } from '../planner/kda-names.js';
import type { Dialect } from '../planner/kda-calls.js';

export interface EngineOptions {
  /** Worker threads for row stages; 0 runs everything on the calling thread. */
  readonly workers?: number;
  /** Per source stream: the column ROWTIME replays from (kept monotonic). */
  readonly rowtimeFrom?: Readonly<Record<string, string>>;
  /** The ingest log that streams declared WITH (source = 'kinesis') read from. */
  readonly log?: LogStore;
  /** Where the engine reports what it is waiting for or starting. */
  readonly notice?: (message: string) => void;
  /**
   * Keep the application's progress (source positions, window state) in this folder, every
   * `intervalMs` (default 5 s) and on close; with it, sources start only at `resume()`, which
   * picks up from the last checkpoint.
   */
  readonly checkpoint?: { readonly dir: string; readonly intervalMs?: number };
  /** Told each step of the checkpoint protocol ("checkpoint 3 pre-committed", "checkpoint 3 written", "sink views committed 3"): a debugging and test hook. */
  readonly trace?: (line: string) => void;
  /** Firehose delivery streams that outputs declared WITH (sink = 'firehose') deliver to. */
  readonly firehose?: FirehoseTarget;
  /** A pool started beforehand (sluice run starts it before loading the SQL front end); the engine closes it. */
  readonly pool?: WorkerPool;
  /** Whether the coordinating thread decodes a chunk itself when every worker is busy (default false: it is busier dispatching). */
  readonly coordinatorHelps?: boolean;
  /** Where file and DuckDB sinks may write (`sluice start`: the data directory and --allow-path); without it, paths are used as given. */
  readonly files?: AllowedPaths;
  /** Remote Kinesis endpoints (sources and sinks) on private, loopback, link-local or unspecified addresses are allowed (default false). */
  readonly allowPrivateEndpoints?: boolean;
}

export type StatementResult =
  | { readonly kind: 'stream'; readonly name: string }
  | { readonly kind: 'query'; readonly name: string; readonly target: string }
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'explain'; readonly text: string };

export type RowsListener = (rows: OutputRows, def: StreamDef) => void;

/** An output's sink, the chain of its pending writes, and its last commit. */
interface SinkEntry {
  readonly name: string;
  readonly sink: Promise<QuerySink>;
  writes: () => Promise<unknown>;
  commits: Promise<unknown>;
}

function createdStream(st: A.Statement): string | undefined {
  return st.kind === 'create-stream' ? st.name.name : undefined;
}

/** The name in an SQL_UNKNOWN_STREAM message ("unknown stream X"), lower-cased. */
function unknownName(message: string): string {
  return message.replace(/^unknown stream (or alias )?/, '').replace(/^"|"$/g, '').toLowerCase();
}

/** The engine: the catalog, running queries, and the routing of rows between streams. */
export class Engine {
  catalog = new Catalog();
  /** Set while the rest of a failed script is checked: statements bind against a scratch catalog and start nothing. */
  private dry = false;
  readonly runners: QueryRunner[] = [];
  readonly pool: WorkerPool | null;
  private readonly streams = new Map<string, StreamRuntime>();
  private readonly listeners = new Map<string, Set<RowsListener>>();
  private readonly endListeners = new Map<string, Set<() => void>>();
  private readonly producers = new Map<string, QueryRunner[]>();
  /** Streams in creation order, and which of them queries write to. */
  readonly created: string[] = [];
  private queryCount = 0;
  private explaining = false;
  private lastPlan: QueryPlan | null = null;
  /** Plans of the internal streams the current statement made (subqueries, views, UNION ALL), for EXPLAIN. */
  private innerPlans: QueryPlan[] = [];
  /** Views by name key: their queries are bound again wherever they are read. */
  private views = new Map<string, ViewDef>();
  private internalCount = 0;
  /** SET settings of the script so far: they apply to the queries after them. */
  private settings: QuerySettings = {};
  /** Streams the script being executed inserts into (name keys), so a connector table knows it is a sink. */
  private scriptTargets = new Set<string>();
  errorCount = 0;
  private ticker: NodeJS.Timeout | null = null;
  private readonly sources = new Map<string, Source>();
  private readonly sinks: SinkEntry[] = [];
  private checkpointTimer: NodeJS.Timeout | null = null;
  /** The checkpoint being taken, if any: another waits for it (the timer's skips it). */
  private checkpointing: Promise<void> | null = null;
  /** The id of the last checkpoint taken or restored; ids only grow, a failed attempt's too. */
  private checkpointId = 0;
  private sourcesStopped = false;
  /** Modules of CREATE FUNCTION statements, imported by executeScript before the statements run. */
  private readonly functionLoads: FunctionLoads = new Map();
  private readonly localFunctions: string[] = [];
  private scriptFile: string | undefined;
  /** The dialect of the script being executed and of its statement being bound (see kda-names.ts): KDA's naming and clocks, or Flink's. */
  private scriptDialect: Dialect = 'flink';
  private dialect: Dialect = 'flink';

  constructor(readonly options: EngineOptions = {}) {
    const workers = options.workers ?? 0;
    this.pool = options.pool ?? (workers > 0 ? new WorkerPool(workers) : null);
    this.catalog.put(errorStreamDef());
    this.ticker = setInterval(() => this.tick(), 250);
    this.ticker.unref();
  }

  /** As execute, after importing the modules its CREATE FUNCTION statements name (relative to the script's folder). */
  async executeScript(source: string, fileName?: string, opts: { explain?: boolean } = {}): Promise<StatementResult[]> {
    await loadScriptFunctions(source, fileName, this.functionLoads);
    return this.execute(source, fileName, opts);
  }

  /** A JavaScript function of this thread, callable from SQL; queries calling it run on this thread. */
  registerFunction(name: string, fn: (...args: never[]) => unknown, opts?: RegisterOptions): void {
    this.localFunctions.push(registerInProcessFunction(this.catalog, name, fn, opts));
  }

  /** Parses, binds and starts every statement of a script; throws SqlDiagnosticsError on any error. */
  execute(source: string, fileName?: string, opts: { explain?: boolean } = {}): StatementResult[] {
    this.explaining = opts.explain === true;
    this.scriptFile = fileName;
    const parsed = parseSql(source);
    if (parsed.diagnostics.length) throw new SqlDiagnosticsError(parsed.diagnostics, source, fileName);
    this.scriptTargets = insertTargets(parsed.statements);
    this.scriptDialect = dialectOf(parsed.statements);
    const results: StatementResult[] = [];
    const all: SqlError[] = [];
    // Once a statement fails, the rest are still checked (so one run reports every problem), against
    // a scratch copy of the catalog, and nothing more starts.
    const real = this.catalog;
    const realViews = this.views;
    const failedStreams = new Set<string>();
    try {
      for (const st of parsed.statements) {
        const diagnostics: SqlError[] = [];
        const r = this.statement(st, diagnostics);
        if (diagnostics.length) {
          if (!this.dry) {
            this.dry = true;
            this.catalog = real.copy();
            this.views = new Map(realViews);
          }
          const created = createdStream(st);
          if (created) failedStreams.add(created.toLowerCase());
          // A reference to a stream whose own statement failed is not a new problem.
          all.push(...diagnostics.filter((d) => !(d.code === 'SQL_UNKNOWN_STREAM' && failedStreams.has(unknownName(d.message)))));
          continue;
        }
        if (this.explaining && this.lastPlan) results.push({ kind: 'explain', text: this.explainText(this.lastPlan) });
        this.lastPlan = null;
        this.innerPlans = [];
        if (r && !this.dry) results.push(r);
      }
    } finally {
      this.catalog = real;
      this.views = realViews;
      this.dry = false;
      this.lastPlan = null;
      this.innerPlans = [];
    }
    if (all.length) throw new SqlDiagnosticsError(all, source, fileName);
    return results;
  }

  private statement(st: A.Statement, diagnostics: SqlError[]): StatementResult | undefined {
    this.dialect = statementDialect(st, this.scriptDialect);
    switch (st.kind) {
      case 'create-stream': {
        if (!st.query) {
          const declared = declareStream(st, this.catalog, diagnostics, this.scriptDialect);
          if (!declared) return undefined;
          // A connector table that a statement of the script writes into is that query's sink; else a source.
          const written = declared.connector ? this.scriptTargets.has(nameKey(st.name.name, st.name.quoted)) || this.scriptTargets.has(st.name.name.toLowerCase()) : false;
          const def: StreamDef = declared.connector && written ? { ...declared, options: { format: declared.options['format'] ?? 'json' } } : declared;
          if (def.options['source'] !== undefined && !this.checkSource(st, def, diagnostics)) return undefined;
          if (!checkOptionAccess(st, this.access, diagnostics)) return undefined;
          this.defineStream(def);
          if (this.dry) return undefined;
          if (def.options['source'] === 'kinesis') this.startLogSource(def);
          if (def.options['sink'] !== undefined) this.attachSink(def);
          if (written && def.connector?.sink) {
            if (def.connector.sink['sink'] === 'print') this.attachPrint(def, def.connector.sink);
            else this.attachSink({ ...def, options: def.connector.sink });
          }
          return { kind: 'stream', name: def.name };
        }
        if (this.catalog.get(st.name.name, st.name.quoted) && !st.orReplace) {
          diagnostics.push(sqlError('SQL_STREAM_EXISTS', `stream ${st.name.name} already exists`, st.name.span, 'use CREATE OR REPLACE STREAM to redefine it'));
          return undefined;
        }
        if (st.columns.length || st.computed.length) {
          diagnostics.push(sqlError('SQL_UNSUPPORTED', 'CREATE STREAM ... AS SELECT takes its columns from the query', (st.columns[0] ?? st.computed[0])!.span));
          return undefined;
        }
        const bound = bindQuery(st.query, this.bindContext(), diagnostics);
        if (!bound) return undefined;
        const def = derivedStream(st.name, bound.fields, st.options);
        const plan = this.plan(st.name.name, bound.plan, bound.source, def, bound.fields.map((_, i) => i), diagnostics, st.span, bound.post);
        if (!plan || !checkOptionAccess(st, this.access, diagnostics)) return undefined;
        if (plan.updating && !appendOnlySinkAccepts(def, st.span, diagnostics)) return undefined;
        this.defineStream(plan.updating ? { ...def, updating: true } : def);
        if (this.dry) return undefined;
        if (def.options['sink'] !== undefined) this.attachSink(def);
        this.start(plan);
        return { kind: 'query', name: plan.name, target: def.name };
      }
      case 'create-pump':
      case 'insert': {
        const insert = st.kind === 'insert' ? st : st.insert;
        const name = st.kind === 'create-pump' ? st.name.name : `INSERT_${++this.queryCount}`;
        const target = this.catalog.get(insert.target.name, insert.target.quoted);
        if (!target) {
          diagnostics.push(sqlError('SQL_UNKNOWN_STREAM', `unknown stream ${insert.target.name}`, insert.target.span, 'declare it with CREATE STREAM name (columns) first'));
          return undefined;
        }
        if (target.name === ERROR_STREAM) {
          diagnostics.push(sqlError('SQL_READ_ONLY', 'error_stream is written by the engine only', insert.target.span));
          return undefined;
        }
        if (target.fields.some((f) => f.computed)) {
          diagnostics.push(sqlError('SQL_READ_ONLY', `${target.name} has computed columns: it is read from its records, not written by queries`, insert.target.span, 'write into a stream of its own and read that'));
          return undefined;
        }
        const bound = bindQuery(insert.query, this.bindContext(), diagnostics);
        if (!bound) return undefined;
        const targetCols = userFields(target);
        let mapping: number[];
        if (insert.columns.length) {
          mapping = targetCols.map(() => -1);
          insert.columns.forEach((c, i) => {
            const at = targetCols.findIndex((f) => f.name === c.name || (!c.quoted && f.name.toLowerCase() === c.name.toLowerCase()));
            if (at < 0) diagnostics.push(sqlError('SQL_UNKNOWN_COLUMN', `stream ${target.name} has no column ${c.name}`, c.span));
            else mapping[at] = i;
          });
          if (insert.columns.length !== bound.fields.length) diagnostics.push(sqlError('SQL_INSERT_ARITY', `INSERT names ${insert.columns.length} columns but the query returns ${bound.fields.length}`, insert.query.span));
        } else {
          if (targetCols.length !== bound.fields.length) {
            diagnostics.push(sqlError('SQL_INSERT_ARITY', `${target.name} has ${targetCols.length} columns but the query returns ${bound.fields.length}`, insert.query.span,
              `${target.name} is (${targetCols.map((f) => `${f.name} ${f.type}`).join(', ')})`));
            return undefined;
          }
          mapping = targetCols.map((_, i) => i);
        }
        if (diagnostics.length) return undefined;
        const plan = this.plan(name, bound.plan, bound.source, target, mapping, diagnostics, st.span, bound.post);
        if (!plan) return undefined;
        if (plan.updating && !appendOnlySinkAccepts(target, st.span, diagnostics)) return undefined;
        if (plan.updating && !target.updating) this.catalog.put({ ...target, updating: true });
        this.start(plan);
        return { kind: 'query', name, target: target.name };
      }
      case 'query-statement': {
        const bound = bindQuery(st.query, this.bindContext(), diagnostics);
        if (!bound) return undefined;
        const name = `QUERY_${++this.queryCount}`;
        const def = derivedStream({ kind: 'ident', name, quoted: true, span: st.span }, bound.fields, []);
        const plan = this.plan(name, bound.plan, bound.source, def, bound.fields.map((_, i) => i), diagnostics, st.span, bound.post);
        if (!plan) return undefined;
        this.defineStream(plan.updating ? { ...def, updating: true } : def);
        this.start(plan);
        return { kind: 'query', name, target: name };
      }
      case 'explain': {
        const inner = st.statement;
        const query = inner.kind === 'create-pump' ? inner.insert.query : inner.kind === 'insert' || inner.kind === 'query-statement' || inner.kind === 'create-view' ? inner.query : inner.query;
        if (!query) {
          diagnostics.push(sqlError('SQL_EXPLAIN', 'EXPLAIN needs a query', st.span));
          return undefined;
        }
        const bound = bindQuery(query, this.bindContext(false), diagnostics);
        if (!bound) return undefined;
        const targetName = inner.kind === 'create-pump' ? inner.insert.target.name : inner.kind === 'insert' ? inner.target.name : inner.kind === 'create-stream' || inner.kind === 'create-view' ? inner.name.name : 'QUERY';
        const def = derivedStream({ kind: 'ident', name: targetName, quoted: true, span: st.span }, bound.fields, []);
        const plan = physicalPlan('explain', targetName, L.sink(bound.plan, targetName, bound.fields), bound.source, targetName, bound.fields, bound.post);
        void def;
        const text = this.explainText(plan);
        this.innerPlans = [];
        return { kind: 'explain', text };
      }
      case 'create-view': {
        const key = nameKey(st.name.name, st.name.quoted);
        if ((this.catalog.get(st.name.name, st.name.quoted) || this.view(st.name)) && !st.orReplace) {
          diagnostics.push(sqlError('SQL_STREAM_EXISTS', `${st.name.name} already exists`, st.name.span, 'use CREATE OR REPLACE VIEW to redefine it'));
          return undefined;
        }
        // Bound once now so a broken view is reported where it is declared, not where it is read.
        const check = bindQuery(st.query, this.bindContext(false), diagnostics);
        if (!check) return undefined;
        if (st.columns.length && st.columns.length !== check.fields.length) {
          diagnostics.push(sqlError('SQL_COLUMN_COUNT', `view ${st.name.name} names ${st.columns.length} columns but its query returns ${check.fields.length}`, st.columns[0]!.span));
          return undefined;
        }
        this.views.set(key, { name: st.name, columns: st.columns, query: st.query });
        this.innerPlans = [];
        return { kind: 'stream', name: st.name.name };
      }
      case 'create-function':
        return createFunction(st, this.scriptFile, this.functionLoads, this.catalog, diagnostics) && !this.dry ? { kind: 'function', name: st.name.name } : undefined;
      case 'set':
        this.settings = applySetting(this.settings, st, diagnostics);
        return undefined;
      default:
        return A.assertNever(st, 'statement');
    }
  }

  private view(name: A.Ident): ViewDef | undefined {
    const exact = this.views.get(nameKey(name.name, name.quoted));
    if (exact || name.quoted) return exact;
    for (const [k, v] of this.views) if (k.toLowerCase() === name.name.toLowerCase()) return v;
    return undefined;
  }

  /**
   * How queries bind: views from this engine, and subqueries that cannot be inlined run as their
   * own queries into internal streams. `start` false (EXPLAIN, checking a view) plans them only.
   */
  private bindContext(start = true): BindContext {
    return {
      catalog: this.catalog,
      options: { dialect: this.dialect, startedAt: Date.now() },
      view: (name) => this.view(name),
      materialize: (bound, label, span, diagnostics, into) => this.materialize(bound, label, span, diagnostics, into, start),
    };
  }

  private materialize(bound: BoundQuery, label: string, span: A.Statement['span'], diagnostics: SqlError[], into: StreamDef | undefined, start: boolean): StreamDef | undefined {
    const name = `${label}$${++this.internalCount}`;
    const watermark = carriedWatermark(bound, into);
    const base: StreamDef = into ?? { ...derivedStream({ kind: 'ident', name, quoted: true, span }, bound.fields, []), internal: true };
    const def: StreamDef = { ...base, ...(watermark ? { watermark } : {}), ...((bound.plan.kind === 'project' && isUpdating(bound.plan)) || bound.post?.updating ? { updating: true } : {}) };
    if (!watermark) delete (def as { watermark?: unknown }).watermark;
    const plan = this.plan(name, bound.plan, bound.source, def, bound.fields.map((_, i) => i), diagnostics, span, bound.post);
    if (!plan) return undefined;
    this.innerPlans.push(plan);
    if (into) this.catalog.put(def);
    else this.defineStream(def);
    if (start && !this.dry) this.start(plan, false);
    return def;
  }

  /** EXPLAIN text of a statement's query, after the plans of the internal streams it reads. */
  private explainText(plan: QueryPlan): string {
    const threads = this.pool?.threads ?? 0;
    const on = (p: QueryPlan) => (inProcessFunction(p) ? 0 : threads);
    const inner = this.innerPlans.filter((p) => p !== plan).map((p) => `-- internal stream ${p.target}, written by ${p.name}\n${explainPlan(p, on(p))}`);
    return [...inner, explainPlan(plan, on(plan))].join('\n');
  }

  private checkSource(st: A.CreateStream, def: StreamDef, diagnostics: SqlError[]): boolean {
    const opt = (key: string) => st.options.find((o) => o.key === key);
    if (def.options['source'] !== 'kinesis') {
      diagnostics.push(sqlError('SQL_BAD_OPTION', `unknown source '${def.options['source']}'`, opt('source')!.span, "use source = 'kinesis'"));
      return false;
    }
    if (def.options['endpoint'] !== undefined) {
      if (!/^https?:\/\//.test(def.options['endpoint'])) {
        diagnostics.push(sqlError('SQL_BAD_OPTION', `endpoint must be an http:// or https:// URL`, opt('endpoint')!.span));
        return false;
      }
      return true;
    }
    if (!this.options.log) {
      diagnostics.push(sqlError('SQL_NO_LOG', "source = 'kinesis' reads the ingest log, and this engine has none", opt('source')!.span, 'run the application with sluice start --app, or open Sluice with a dataDir'));
      return false;
    }
    return true;
  }

  private startLogSource(def: StreamDef): void {
    const notice = (m: string) => this.options.notice?.(m);
    const endpoint = def.options['endpoint'];
    const streamName = def.options['stream'] ?? def.name;
    const source: Source = endpoint
      ? new RemoteKinesisSource(streamName, this.runtime(def.name), { endpoint, notice, allowPrivateEndpoints: this.access.allowPrivateEndpoints, ...(def.options['region'] ? { region: def.options['region'] } : {}) })
      : new LogSource(this.options.log!, streamName, this.runtime(def.name), { notice });
    this.sources.set(def.name, source);
    // Sources start once the whole script is in, so no record passes before the queries reading it exist.
    if (!this.options.checkpoint) queueMicrotask(() => source.start());
  }

  /**
   * Feeds `stream` from a log source made by the caller (the Kinesis Analytics API's inputs, which
   * map records and choose where to start): it starts, pauses and checkpoints with the engine's own.
   */
  addSource(stream: string, source: LogSource): void {
    const def = this.catalog.get(stream, true);
    if (!def) throw new Error(`unknown stream ${stream}`);
    this.sources.set(def.name, source);
    if (!this.options.checkpoint) queueMicrotask(() => source.start());
  }

  /** Delivers every row emitted into the stream to its sink (opened on first use, closed with the engine). */
  private attachSink(def: StreamDef): void {
    const fields = userFields(def);
    const report = (message: string, raw = '') => this.error({ raw, message: `sink of ${def.name}: ${message}`, rowtime: 0 }, 'SINK_ERROR', def.name);
    const cp = this.options.checkpoint;
    // With checkpoints, file and DuckDB outputs stage rows under the application's folder until each checkpoint commits.
    const checkpoint = cp ? { stagingDir: join(cp.dir, 'sinks', encodeURIComponent(def.name)), sinkId: `${basename(cp.dir)}/${def.name}`, notice: (m: string) => this.options.notice?.(m) } : undefined;
    // Loaded on first use: the sinks bring DuckDB and the AWS SDK, which most applications never need.
    const opened = import('../sinks/query-sink.js').then(({ QuerySink }) => QuerySink.open(def.name, fields, def.options, { ...this.access, ...(this.options.log ? { log: this.options.log } : {}), ...(this.options.firehose ? { firehose: this.options.firehose } : {}), ...(checkpoint ? { checkpoint } : {}) },
      (message, batch) => report(`${message} (${batch.records.length} rows not delivered)`, batch.records[0] ? Buffer.from(batch.records[0]).toString() : '')));
    opened.catch((e: unknown) => report((e as Error).message));
    let writes: Promise<unknown> = opened;
    this.sinks.push({ name: def.name, sink: opened, writes: () => writes, commits: Promise.resolve() });
    this.on(def.name, (rows) => {
      const objects = toObjects(rows, fields);
      writes = writes.then(() => opened.then((s) => s.write(objects))).catch((e: unknown) => report((e as Error).message));
    });
  }

  private get access(): OptionAccess {
    return { allowPrivateEndpoints: this.options.allowPrivateEndpoints ?? false, ...(this.options.files ? { files: this.options.files } : {}) };
  }

  /** Flink's print connector: each row on stdout (or stderr) as `+I[a, b]`, after `prefix> ` when given. */
  private attachPrint(def: StreamDef, o: Readonly<Record<string, string>>): void {
    const fields = userFields(def);
    const out = o['stderr'] === 'true' ? process.stderr : process.stdout;
    const prefix = o['prefix'] ? `${o['prefix']}> ` : '';
    this.on(def.name, (rows) => {
      const objects = toObjects(rows, fields);
      let text = '';
      for (const row of objects) {
        const op = typeof row['op'] === 'string' ? row['op'] : '+I';
        text += `${prefix}${op}[${fields.map((f) => (row[f.name] === null ? 'null' : String(row[f.name]))).join(', ')}]\n`;
      }
      out.write(text);
    });
  }

  /**
   * With checkpoints: restores the last one (if any), lets every sink finish the commits it covers
   * and drop what was staged after it, then starts the sources and the checkpoint timer.
   */
  async resume(): Promise<void> {
    const cp = this.options.checkpoint;
    if (!cp) return;
    const saved = await readCheckpoint(cp.dir);
    if (saved) {
      for (const [name, pos] of Object.entries(saved.sources)) this.sources.get(name)?.resumeFrom(pos as SourcePosition & RemotePosition);
      for (const r of this.runners) {
        const snap = saved.queries[r.plan.name];
        if (snap) await r.restore(snap);
      }
      this.options.notice?.(`resumed from checkpoint ${saved.id ?? 0} of ${new Date(saved.takenAt).toISOString()}`);
    }
    this.checkpointId = saved?.id ?? 0;
    for (const s of this.sinks) {
      // A sink that failed to open was reported; the rest recover.
      const sink = await s.sink.catch(() => null);
      await sink?.recover(this.checkpointId).catch((e: unknown) => this.sinkError(s.name, `recovery from checkpoint ${this.checkpointId} failed: ${(e as Error).message}`));
    }
    for (const s of this.sources.values()) s.start();
    this.checkpointTimer = setInterval(() => {
      if (!this.checkpointing) void this.checkpoint().catch((e: unknown) => this.options.notice?.(`checkpoint failed: ${(e as Error).message}`));
    }, cp.intervalMs ?? 5000);
    this.checkpointTimer.unref();
  }

  /**
   * Takes checkpoint n (after any in progress): pauses the sources between reads, waits for
   * everything read to be applied and every row emitted to reach its sink, snapshots the queries,
   * has each sink pre-commit what it holds for n, and writes the checkpoint file. Only then do
   * the sinks commit n (in the background; close() waits for them).
   */
  async checkpoint(): Promise<void> {
    if (!this.options.checkpoint) return;
    while (this.checkpointing) await this.checkpointing.catch(() => undefined);
    const run = this.takeCheckpoint();
    this.checkpointing = run.finally(() => (this.checkpointing = null));
    return run;
  }

  private async takeCheckpoint(): Promise<void> {
    const cp = this.options.checkpoint!;
    const id = ++this.checkpointId;
    const releases = this.sourcesStopped ? [] : await Promise.all([...this.sources.values()].map((s) => s.pause()));
    let sinks: { name: string; sink: QuerySink; entry: SinkEntry }[];
    try {
      for (const rt of this.streams.values()) await rt.drain();
      const queries: Record<string, QuerySnapshot> = {};
      for (const r of this.runners) queries[r.plan.name] = await r.snapshot();
      const sources: Record<string, SourcePosition | RemotePosition> = {};
      for (const [name, s] of this.sources) sources[name] = s.position();
      sinks = [];
      for (const entry of this.sinks) {
        await entry.writes();
        const sink = await entry.sink.catch(() => null);
        if (sink) sinks.push({ name: entry.name, sink, entry });
      }
      await Promise.all(sinks.map((s) => s.sink.preCommit(id)));
      this.options.trace?.(`checkpoint ${id} pre-committed`);
      await writeCheckpoint(cp.dir, { version: 1, id, takenAt: Date.now(), sources, queries });
      this.options.trace?.(`checkpoint ${id} written`);
    } finally {
      for (const release of releases) release();
    }
    for (const s of sinks) {
      if (!s.sink.exactlyOnce) continue;
      s.entry.commits = s.sink.commit(id).then(
        () => this.options.trace?.(`sink ${s.name} committed ${id}`),
        (e: unknown) => this.sinkError(s.name, `commit of checkpoint ${id} failed (retried with the next): ${(e as Error).message}`),
      );
    }
  }

  private sinkError(stream: string, message: string): void {
    this.error({ raw: '', message: `sink of ${stream}: ${message}`, rowtime: 0 }, 'SINK_ERROR', stream);
  }

  /** Builds the physical plan, casting the query's columns to the target stream's declared types. */
  private plan(name: string, logical: L.LogicalPlan, source: StreamDef, target: StreamDef, mapping: number[], diagnostics: SqlError[], span: A.Statement['span'], post?: BoundPost): QueryPlan | undefined {
    if (logical.kind !== 'project') return undefined;
    const row = logical.schema.find((f) => f.type === 'ROW');
    if (row) {
      diagnostics.push(sqlError('SQL_ROW_VALUE', `column ${row.name} is a ROW value, which a stream cannot hold`, span, `read its fields from a subquery: SELECT STREAM t.${row.name}.COLUMN1, ... FROM (SELECT STREAM ... AS ${row.name} FROM ...) AS t`));
      return undefined;
    }
    const targetCols = userFields(target);
    // The query's own columns: the row stage's, or with a post stage, those of its calc.
    const produced = post ? post.outputs : logical.exprs;
    const exprs: BoundExpr[] = targetCols.map((f, i) => {
      const from = mapping[i]!;
      if (from < 0) return lit(null, f.type);
      const e = produced[from]!;
      if (e.type === f.type || e.type === 'NULL' || f.type === 'INTERVAL') return e;
      return call('CAST', [e, lit(null, 'INTEGER')], f.type);
    });
    // ORDER BY keys name the query's columns; the target lists them in its own order.
    const orderWithin = logical.orderWithin?.map((k) => ({ ...k, column: mapping.indexOf(k.column) })).filter((k) => k.column >= 0);
    const project = { ...L.project(logical.input, exprs, targetCols.map((f) => f.name), logical.rowtime), ...(orderWithin?.length ? { orderWithin } : {}) };
    if (source.name === target.name) {
      diagnostics.push(sqlError('SQL_CYCLE', `a query cannot write to the stream it reads (${source.name})`, span));
      return undefined;
    }
    const ttl = this.settings.stateTtlMs;
    const withTtl = (p: QueryPlan): QueryPlan => (ttl === undefined ? p : withStateTtl(p, ttl));
    if (post) return withTtl(physicalPlan(`${name}`, name, L.sink(logical, target.name, targetCols), source, target.name, targetCols, { ...post, outputs: exprs }));
    return withTtl(physicalPlan(`${name}`, name, L.sink(project, target.name, targetCols), source, target.name, targetCols));
  }

  /** Declares a source stream from a discovered schema (columns without ROWTIME). */
  declareSource(name: string, columns: readonly Field[], format: 'json' | 'csv'): StreamDef {
    const def: StreamDef = { name, fields: [...columns, { name: 'ROWTIME', type: 'TIMESTAMP' }], format, options: {}, declared: false };
    this.defineStream(def);
    return def;
  }

  /** How a source stream's records are read from now on (`sluice run`: its input's format and CSV header). */
  readInputAs(name: string, format: RecordFormat, csvPositions?: readonly number[]): StreamDef {
    const def = this.catalog.get(name, false);
    if (!def) throw new Error(`unknown stream ${name}`);
    const next: StreamDef = { ...def, format, csvPositions };
    this.catalog.put(next);
    this.streams.get(def.name)?.redefine(next);
    return next;
  }

  private defineStream(def: StreamDef): void {
    if (this.dry) return this.catalog.put(def);
    const old = this.catalog.get(def.name);
    if (old) this.streams.delete(old.name);
    this.catalog.put(def);
    if (!def.internal) this.created.push(def.name);
  }

  private start(plan: QueryPlan, statement = true): void {
    if (this.dry) return;
    if (statement) this.lastPlan = plan;
    // A function registered in this thread exists only here: the query's stages stay here too.
    const runner = new QueryRunner(plan, inProcessFunction(plan) ? null : this.pool, (rows) => this.emit(plan.target, rows, plan.name), (e, n, p) => this.error(e, n, p));
    this.runners.push(runner);
    const list = this.producers.get(plan.target) ?? [];
    list.push(runner);
    this.producers.set(plan.target, list);
    // A stream several queries write (UNION ALL, pumps into one stream) is read like a partitioned
    // source: each producer is a partition, and the watermark follows the slowest that has not ended.
    if (list.length > 1) {
      const states = this.runtime(plan.target).partitions.states;
      for (const p of list) if (!states.has(p.plan.name)) states.set(p.plan.name, 'active');
    }
    this.runtime(plan.source).queriesChanged();
  }

  runtime(name: string): StreamRuntime {
    const def = this.catalog.get(name, false);
    if (!def) throw new Error(`unknown stream ${name}`);
    let rt = this.streams.get(def.name);
    if (!rt) {
      rt = new StreamRuntime(this, def, this.options.rowtimeFrom?.[def.name] ?? null);
      this.streams.set(def.name, rt);
    }
    return rt;
  }

  runnersOf(stream: string): QueryRunner[] {
    return this.runners.filter((r) => r.plan.source === stream);
  }

  producersOf(stream: string): QueryRunner[] {
    return this.producers.get(stream) ?? [];
  }

  /** Output streams: those some query writes to, latest created last. */
  outputStreams(): string[] {
    const seen = new Set<string>();
    return this.created.filter((n) => this.producers.has(n) && !seen.has(n) && seen.add(n));
  }

  on(stream: string, listener: RowsListener): () => void {
    const def = this.catalog.get(stream, false);
    if (!def) throw new Error(`unknown stream ${stream}`);
    let set = this.listeners.get(def.name);
    if (!set) this.listeners.set(def.name, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  /** Calls `listener` once the stream has ended (end of input reached it). */
  onEnd(stream: string, listener: () => void): () => void {
    const def = this.catalog.get(stream, false);
    if (!def) throw new Error(`unknown stream ${stream}`);
    let set = this.endListeners.get(def.name);
    if (!set) this.endListeners.set(def.name, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  /** Rows a query (`producer`) emitted into `stream`: to listeners, then to the queries that read it. */
  emit(stream: string, rows: OutputRows, producer?: string): void {
    const def = this.catalog.get(stream)!;
    for (const l of this.listeners.get(def.name) ?? []) l(rows, def);
    const readers = this.runnersOf(def.name);
    if (readers.length === 0) return;
    const fields = def.fields;
    for (const r of readers) {
      const batch: ColumnBatch = {
        length: rows.count,
        columns: r.plan.sourceColumns.map((c) => (c === fields.length - 1 ? vectorFromValues(rows.rowtimes, 'TIMESTAMP') : vectorFromValues(rows.columns[c]!, fields[c]!.type))),
      };
      const rowText = (i: number) => JSON.stringify(Object.fromEntries(fields.slice(0, -1).map((f, c) => [f.name, rows.columns[c]![i] ?? null])));
      r.rowsIn += rows.count;
      const sources = producer !== undefined ? this.streams.get(def.name)?.partitions : undefined;
      const partitioned = sources?.states.has(producer!) ? sources : undefined;
      const cap = partitioned ? r.watermarkCap(producer!, partitioned) : Infinity;
      r.apply(r.processInline(batch, rowText, rows.rowtimes, cap), partitioned ? producer : undefined, partitioned);
    }
  }

  error(e: ErrorRow, errorName: string, pumpName: string | null): void {
    this.errorCount++;
    const now = Date.now();
    const rows: OutputRows = {
      count: 1,
      columns: [[now], ['ERROR'], [errorName], [e.message], [e.rowtime || null], [e.raw], [pumpName]],
      rowtimes: [now],
    };
    this.emit(ERROR_STREAM, rows);
  }

  /** Closes every window of queries reading `stream` (end of input), then of streams they feed. */
  async endOfInput(stream: string): Promise<void> {
    const rt = this.runtime(stream);
    await rt.drain();
    rt.ended = true;
    for (const l of this.endListeners.get(rt.def.name) ?? []) l();
    for (const r of this.runnersOf(rt.def.name)) {
      r.advance(Infinity);
      await r.drain();
      const target = r.plan.target;
      const producers = this.producersOf(target);
      const targetRt = this.runtime(target);
      targetRt.endedProducers++;
      if (targetRt.partitions.states.has(r.plan.name)) targetRt.setPartition(r.plan.name, 'done');
      if (targetRt.endedProducers >= producers.length && !targetRt.ended) await this.endOfInput(target);
    }
  }

  /** Advances ROWTIME windows with the clock, so arrival-time windows close without new rows. */
  private tick(): void {
    // Not while a checkpoint is cut: rows it emitted would belong to no side of the cut.
    if (this.checkpointing) return;
    for (const rt of this.streams.values()) rt.tick();
    const now = Date.now();
    for (const r of this.runners) if (r.plan.stateTtlMs !== undefined) r.expire(now);
  }

  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    const checkpointed = this.checkpointTimer !== null;
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.checkpointTimer = null;
    // A checkpoint in progress has its sources paused: it finishes before they stop.
    while (this.checkpointing) await this.checkpointing.catch(() => undefined);
    await Promise.all([...this.sources.values()].map((s) => s.stop()));
    this.sourcesStopped = true;
    // The last checkpoint covers everything read: nothing is left for a restart to replay.
    if (checkpointed) await this.checkpoint().catch((e: unknown) => this.options.notice?.(`checkpoint failed: ${(e as Error).message}`));
    for (const r of this.runners) await r.drain().catch(() => {});
    for (const s of this.sinks) await s.writes().catch(() => {});
    for (const s of this.sinks) await s.commits;
    for (const s of this.sinks) await s.sink.then((sink) => sink.close()).catch(() => {});
    for (const rt of this.streams.values()) await rt.drain().catch(() => {});
    for (const r of this.runners) await r.drain().catch(() => {});
    await this.pool?.close();
    for (const ref of this.localFunctions.splice(0)) unregisterLocalFunction(ref);
  }
}

export { type Field };

/** The streams a script's INSERT INTO and CREATE PUMP statements write into (name keys, and lower-cased names). */
function insertTargets(statements: readonly A.Statement[]): Set<string> {
  const out = new Set<string>();
  for (const st of statements) {
    const insert = st.kind === 'insert' ? st : st.kind === 'create-pump' ? st.insert : undefined;
    if (!insert) continue;
    out.add(nameKey(insert.target.name, insert.target.quoted));
    out.add(insert.target.name.toLowerCase());
  }
  return out;
}

/**
 * Sinks that can only append refuse an updating query, as Flink's do: a Firehose delivery, Parquet
 * parts and a DuckDB table would keep every version of a row. File NDJSON and Kinesis write the
 * row's `op` as a field, and print shows it.
 */
function appendOnlySinkAccepts(def: StreamDef, span: A.Statement['span'], diagnostics: SqlError[]): boolean {
  const o = def.connector?.sink ?? def.options;
  const sink = o['sink'];
  const appendOnly = sink === 'firehose' || sink === 'duckdb' || (sink === 'file' && o['format'] === 'parquet');
  if (!appendOnly) return true;
  const what = sink === 'file' ? "a Parquet file sink" : `sink = '${sink}'`;
  diagnostics.push(sqlError('SQL_APPEND_ONLY_SINK', `${def.name} writes to ${what}, which only appends, and this query's result updates (+I, -U, +U, -D)`, span,
    "aggregate over a time window (TUMBLE, HOP, SESSION) so the result appends, or write the changelog to a file (NDJSON, with op) or to Kinesis"));
  return false;
}

/** A plan whose unbounded state (global groups, Top-N partitions, dedup keys, OVER partitions) expires after `ttl` ms untouched. */
function withStateTtl(p: QueryPlan, ttl: number): QueryPlan {
  const post = p.post && { ...p.post, operators: p.post.operators.map((op) => ({ ...op, spec: { ...op.spec, ttlMs: ttl } }) as typeof op) };
  return { ...p, stateTtlMs: ttl, ...(post ? { post } : {}) };
}

/** Whether a bound query's plan groups without a time window (an updating result). */
function isUpdating(p: L.LogicalPlan): boolean {
  for (let x: L.LogicalPlan | undefined = p; x; x = 'input' in x ? x.input : undefined) if (x.kind === 'aggregate') return x.window.type === 'global';
  return false;
}

/**
 * The watermark an internal stream inherits: a query that passes its source's event-time column
 * through unchanged (no aggregate in between) keeps that column's delay, so rows on time for the
 * source stay on time for its readers. A stream several queries write keeps it only if all agree
 * on the column, with the largest delay.
 */
function carriedWatermark(bound: BoundQuery, into: StreamDef | undefined): StreamDef['watermark'] {
  let mine: StreamDef['watermark'];
  const wm = bound.source.watermark;
  const p = bound.plan;
  if (wm && p.kind === 'project') {
    let below: L.LogicalPlan = p.input;
    while (below.kind === 'filter') below = below.input;
    if (below.kind === 'scan') {
      const at = p.exprs.findIndex((e) => e.k === 'col' && below.kind === 'scan' && below.columns[e.index] === wm.column);
      if (at >= 0) mine = { column: at, delayMs: wm.delayMs };
    }
  }
  if (!into) return mine;
  const theirs = into.watermark;
  if (!mine || !theirs || mine.column !== theirs.column) return undefined;
  return { column: mine.column, delayMs: Math.max(mine.delayMs, theirs.delayMs) };
}
