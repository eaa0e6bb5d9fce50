import type { StreamDef } from '../planner/catalog.js';
import { buildChunkSpec, type ChunkSpec } from './chunk-spec.js';
import { processChunk, type ChunkResult, type ChunkTask } from './chunk-task.js';
import type { Engine } from './engine.js';
import type { SourcePartitions } from './query-runner.js';
import { inProcessFunction } from '../planner/user-functions.js';

/**
 * The ingest side of one stream: chunks of raw records go out to the worker pool (or run inline)
 * and their results are applied strictly in arrival order, so watermarks and windows advance as if
 * one thread had read the stream.
 */
export class StreamRuntime {
  private spec: ChunkSpec | null = null;
  private onThisThread = false;
  private tail: Promise<void> = Promise.resolve();
  private inflight = 0;
  private lastArrival = 0;
  rowtimeMax = -Infinity;
  /** Partitions (shards) of a partitioned source, so watermarks can follow the slowest one. */
  readonly partitions: SourcePartitions & { states: Map<string, 'active' | 'idle' | 'done'> } = { states: new Map() };
  records = 0;
  /** Chunks redone on this thread because a worker saw an older watermark or ROWTIME floor. */
  redone = 0;
  ended = false;
  endedProducers = 0;

  /** Records that could not be read (they went to error_stream as PARSE_ERROR or COERCION_ERROR). */
  decodeErrors = 0;
  /** The first of them, to say what went wrong. */
  firstDecodeError: string | null = null;

  constructor(readonly engine: Engine, public def: StreamDef, readonly rowtimeFrom: string | null) {}

  queriesChanged(): void {
    this.spec = null;
  }

  /** The stream's records are read another way from now on (format, CSV positions). */
  redefine(def: StreamDef): void {
    this.def = def;
    this.spec = null;
  }

  private currentSpec(): ChunkSpec {
    if (this.spec) return this.spec;
    const plans = this.engine.runnersOf(this.def.name).map((r) => r.plan);
    // A query calling a function of this thread (Sluice.registerFunction) needs its rows decoded here.
    this.onThisThread = plans.some((p) => inProcessFunction(p) !== undefined);
    return (this.spec = buildChunkSpec(this.def, plans, this.rowtimeFrom));
  }

  get pending(): number {
    return this.inflight;
  }

  /**
   * Feeds a chunk of whole records (NDJSON lines or CSV rows). Resolves once its results are applied.
   * The chunk must not change until then (a worker may be reading it).
   */
  ingest(bytes: Uint8Array, partition?: string): Promise<void> {
    const spec = this.currentSpec();
    const arrival = Math.max(Date.now(), this.lastArrival);
    this.lastArrival = arrival;
    const pool = this.onThisThread ? null : this.engine.pool;
    this.inflight++;
    let applied: Promise<void>;
    if (pool) {
      const task: ChunkTask = { spec, bytes, arrival, rowtimeFloor: this.rowtimeMax, ...this.watermarks(spec, partition), encode: true };
      // While the workers are still starting, or (if asked) when every worker is busy, this thread
      // takes the chunk itself rather than queue it.
      const pending = !pool.ready || (pool.busy >= pool.threads && this.engine.options.coordinatorHelps === true)
        ? Promise.resolve(processChunk({ ...task, encode: false }))
        : pool.run(task);
      applied = this.tail.then(() => pending).then((result) => this.apply(spec, task, result, partition));
    } else {
      applied = this.tail.then(() => {
        const task: ChunkTask = { spec, bytes, arrival, rowtimeFloor: this.rowtimeMax, ...this.watermarks(spec, partition), encode: false };
        this.apply(spec, task, processChunk(task), partition);
      });
    }
    applied = applied.finally(() => this.inflight--);
    this.tail = applied.catch(() => {});
    return applied;
  }

  /** A source says a partition has data (active), is caught up (idle), or has ended (done). */
  setPartition(partition: string, state: 'active' | 'idle' | 'done'): void {
    if (this.partitions.states.get(partition) === state) return;
    this.partitions.states.set(partition, state);
    if (state === 'active') return;
    void this.tail.then(() => {
      for (const r of this.engine.runnersOf(this.def.name)) r.advanceFromPartitions(this.partitions);
    });
  }

  drain(): Promise<void> {
    return this.tail;
  }

  /**
   * What a chunk is sent with, per query: the watermark now (rows in windows it closed are late)
   * and, for a chunk of one partition (shard), how far its rows alone can move the watermark.
   */
  private watermarks(spec: ChunkSpec, partition: string | undefined): Pick<ChunkTask, 'lateBefore' | 'watermarkCap'> {
    const runners = spec.queries.map((q) => this.engine.runners.find((r) => r.plan === q.plan));
    const lateBefore = runners.map((r) => r?.lateBefore() ?? -Infinity);
    if (partition === undefined) return { lateBefore };
    return { lateBefore, watermarkCap: runners.map((r) => r?.watermarkCap(partition, this.partitions) ?? Infinity) };
  }

  private apply(spec: ChunkSpec, task: ChunkTask, result: ChunkResult, partition?: string): void {
    const runners = spec.queries.map((q) => this.engine.runners.find((r) => r.plan === q.plan)!);
    let queries = result.queries.map((q, i) => runners[i]!.materialize(q));
    const staleFloor = spec.rowtimeFrom >= 0 && task.rowtimeFloor < this.rowtimeMax && result.minRowtimeValue < this.rowtimeMax;
    if (staleFloor || queries.some((q, i) => runners[i]!.isStale(q))) {
      // The chunk ran against an older watermark or ROWTIME floor than now holds: redo it here, exactly.
      this.redone++;
      result = processChunk({ ...task, rowtimeFloor: this.rowtimeMax, ...this.watermarks(spec, partition), encode: false });
      queries = result.queries;
    }
    this.records += result.records;
    this.rowtimeMax = Math.max(this.rowtimeMax, result.maxRowtime);
    this.decodeErrors += result.decodeErrors.length;
    if (this.firstDecodeError === null && result.decodeErrors.length > 0) this.firstDecodeError = result.decodeErrors[0]!.message;
    for (const e of result.decodeErrors) this.engine.error(e, e.message.startsWith('cannot coerce') ? 'COERCION_ERROR' : 'PARSE_ERROR', null);
    queries.forEach((q, i) => {
      const r = runners[i]!;
      r.rowsIn += result.records;
      r.apply(q, partition, partition !== undefined ? this.partitions : undefined);
      if (r.plan.window?.onRowtime && this.rowtimeMax > -Infinity) r.advance(this.rowtimeMax);
    });
  }

  /** ROWTIME is arrival time: with nothing in flight, windows over it may close as the clock moves. */
  tick(): void {
    if (this.rowtimeFrom !== null || this.inflight > 0 || this.ended || this.lastArrival === 0) return;
    if (this.engine.producersOf(this.def.name).length > 0) return;
    const now = Math.max(Date.now(), this.lastArrival);
    for (const r of this.engine.runnersOf(this.def.name)) {
      if (r.plan.window?.onRowtime) r.advance(now);
    }
    this.lastArrival = now;
  }
}
