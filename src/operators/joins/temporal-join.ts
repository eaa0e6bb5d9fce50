import { isAccumulate, rowKindAt, type ChangelogRows, type RowKind } from '../changelog.js';
import { lateSink, type Emit, type JoinHooks, type JoinSide, type LateRow, type TwoInputOperator } from './join-contract.js';
import { checkJoinSpec, type TemporalJoinSpec } from './join-specs.js';
import { JoinOutput, keyOfRow, residualOf, rowAt, timeAt, type JoinKey, type Residual } from './join-rows.js';
import { decodeState, encodeState } from './state-codec.js';
import { TimedRowStore } from './timed-row-store.js';
import { VersionHistory, type Version } from './version-history.js';

interface TemporalJoinState {
  readonly watermark: number;
  readonly seq: number;
  readonly lateRows: number;
  readonly probes: [row: unknown[], time: number, rowtime: number, seq: number, kind: number][];
  readonly versions: [key: JoinKey, versions: [time: number, row: unknown[] | null, rowtime: number][]][];
}

/**
 * Event-time temporal join, `probe JOIN versioned FOR SYSTEM_TIME AS OF probe.time`, as Flink's
 * TemporalRowTimeJoinOperator: the right input is a changelog with a primary key (`rightKeys`);
 * each change sets its key's version at its version time (+I/+U: these values, -U/-D: no row).
 * A probe row waits until the watermark passes its time (t < W: every version up to t is in),
 * then pairs with its key's version in force at t (the latest at or before t), if that is not a
 * deletion and the residual holds; a LEFT join emits it null-padded otherwise. Output rows keep the
 * probe row's kind and ROWTIME; they leave in probe-time order.
 *
 * State: probe rows not yet passed by the watermark, and per key the versions from the watermark
 * on plus the one in force at it (older ones are purged at each watermark). A probe row behind the
 * watermark is late (its versions may be purged) and goes to `onLate`; so does a change behind the
 * watermark, which is still applied (later probes need it) but may have been missed by probe rows
 * already emitted. A change with a NULL key can never be matched and is not kept.
 */
export class TemporalJoin implements TwoInputOperator {
  private probes: TimedRowStore;
  private versions = new VersionHistory();
  private readonly output: JoinOutput;
  private readonly residual: Residual | null;
  private watermark = -Infinity;
  private seq = 0;
  lateRows = 0;

  private readonly onLate: (row: LateRow) => void;

  constructor(readonly spec: TemporalJoinSpec, hooks: JoinHooks) {
    checkJoinSpec(spec);
    this.onLate = lateSink(hooks, 'a temporal join');
    this.probes = new TimedRowStore(spec.leftTypes.length);
    this.output = new JoinOutput(spec.leftTypes.length, spec.rightTypes.length);
    this.residual = residualOf(spec.residual, spec.leftTypes, spec.rightTypes, hooks);
  }

  /** Probe rows waiting, and versions held. */
  get stateRows(): number {
    return this.probes.size + this.versions.size;
  }

  /** Probe rows wait for the watermark: nothing is emitted here. */
  processLeft(batch: ChangelogRows, _out: Emit): void {
    for (let i = 0; i < batch.count; i++) {
      const t = timeAt(batch, i, this.spec.leftTime);
      if (!(t >= this.watermark)) {
        this.late('left', Number.isNaN(t) ? 'no-time' : 'late', rowAt(batch.columns, i), batch.rowtimes[i]!, t);
        continue;
      }
      this.probes.insert(null, batch.columns, i, t, batch.rowtimes[i]!, this.seq++, rowKindAt(batch, i));
    }
  }

  processRight(batch: ChangelogRows, _out: Emit): void {
    for (let i = 0; i < batch.count; i++) {
      const t = timeAt(batch, i, this.spec.rightTime);
      const row = rowAt(batch.columns, i);
      if (Number.isNaN(t)) {
        this.late('right', 'no-time', row, batch.rowtimes[i]!, t);
        continue;
      }
      if (t < this.watermark) this.late('right', 'late', row, batch.rowtimes[i]!, t);
      const key = keyOfRow(row, this.spec.rightKeys);
      if (key === null) continue;
      this.versions.set(key, { time: t, row: isAccumulate(rowKindAt(batch, i)) ? row : null, rowtime: batch.rowtimes[i]! });
    }
  }

  onWatermark(watermark: number, out: Emit): void {
    if (!(watermark > this.watermark)) return;
    this.watermark = watermark;
    const probes = this.probes;
    const due: { row: unknown[]; time: number; rowtime: number; seq: number; kind: RowKind }[] = [];
    probes.expire(watermark, (s) => due.push({ row: probes.row(s), time: probes.time(s), rowtime: probes.rowtime(s), seq: probes.seq(s), kind: probes.tag(s) as RowKind }));
    due.sort((a, b) => a.time - b.time || a.seq - b.seq);
    const { output, residual } = this;
    const outer = this.spec.joinType === 'left';
    for (const p of due) {
      const key = keyOfRow(p.row, this.spec.leftKeys);
      const version = key === null ? undefined : this.versions.at(key, p.time);
      if (version !== undefined && (residual === null || residual(p.row, version.row!))) output.add(p.kind, p.row, version.row, p.rowtime);
      else if (outer) output.add(p.kind, p.row, null, p.rowtime);
    }
    this.versions.purge(watermark);
    output.flush(out);
  }

  snapshot(): Uint8Array {
    const probes = this.probes;
    const state: TemporalJoinState = {
      watermark: this.watermark,
      seq: this.seq,
      lateRows: this.lateRows,
      probes: probes.slotsBySeq().map((s) => [probes.row(s), probes.time(s), probes.rowtime(s), probes.seq(s), probes.tag(s)]),
      versions: this.versions.entries().map(([key, list]) => [key, list.map((v) => [v.time, v.row, v.rowtime])]),
    };
    return encodeState(state);
  }

  restore(bytes: Uint8Array): void {
    const state = decodeState<TemporalJoinState>(bytes);
    this.watermark = state.watermark;
    this.seq = state.seq;
    this.lateRows = state.lateRows;
    this.probes = new TimedRowStore(this.spec.leftTypes.length);
    for (const [row, time, rowtime, seq, kind] of state.probes) this.probes.insert(null, row.map((v) => [v]), 0, time, rowtime, seq, kind);
    this.versions = new VersionHistory();
    for (const [key, list] of state.versions) for (const [time, row, rowtime] of list) this.versions.set(key, { time, row, rowtime } satisfies Version);
  }

  private late(side: JoinSide, reason: 'late' | 'no-time', row: unknown[], rowtime: number, time: number): void {
    this.lateRows++;
    this.onLate({ side, reason, row, rowtime, time: Number.isNaN(time) ? null : time, watermark: this.watermark });
  }
}
