import { rowKindAt, type ChangelogRows } from '../changelog.js';
import type { Operator } from '../operator.js';
import type { JoinHooks } from './join-contract.js';
import { checkJoinSpec, JoinSpecError, type LookupJoinSpec } from './join-specs.js';
import { JoinOutput, keyAt, residualOf, rowAt, type JoinKey, type Residual } from './join-rows.js';

/** A loaded table version as the lookup join probes it (src/reference/table-version.ts is one). */
export interface LookupVersion {
  readonly version: number;
  readonly width: number;
  readonly rows: readonly (readonly unknown[])[];
  /** The rows column by column. */
  readonly columns: readonly (readonly unknown[])[];
  /** Row numbers by key of `columns` (keys as join-rows.ts makes them). */
  index(columns: readonly number[]): ReadonlyMap<JoinKey, readonly number[]>;
}

/** Where the lookup join finds the version in use (src/reference/reference-table.ts is one). */
export interface LookupTable {
  readonly name: string;
  readonly current: LookupVersion;
}

/**
 * Processing-time lookup join (Flink's `JOIN t FOR SYSTEM_TIME AS OF a.proc_time`, KDA's join of a
 * stream with reference data): each probe row is looked up by its key in the table version in use
 * when its batch is processed (one version for a whole batch, so a reload never splits one), and
 * paired with every row of that key the residual accepts; LEFT keeps a row that finds none with
 * nulls. Output rows keep the probe row's kind and ROWTIME. One input, so it is an `Operator`; it
 * holds no state of its own (the table is loaded from its source, not checkpointed), and as in
 * Flink a retraction is looked up in the table as it is then, so after a reload it may not cancel
 * its insert exactly.
 */
export class LookupJoin implements Operator<ChangelogRows, ChangelogRows> {
  private readonly output: JoinOutput;
  private readonly residual: Residual | null;
  /** The version the last batch was joined with. */
  lastVersion = 0;

  constructor(readonly spec: LookupJoinSpec, private readonly table: LookupTable, hooks: JoinHooks = {}) {
    checkJoinSpec(spec);
    if (table.name !== spec.table) throw new JoinSpecError(`lookup join: given table ${table.name}, the spec names ${spec.table}`);
    if (table.current.width !== spec.rightTypes.length) throw new JoinSpecError(`lookup join: table ${table.name} has ${table.current.width} columns, the spec expects ${spec.rightTypes.length}`);
    this.output = new JoinOutput(spec.leftTypes.length, spec.rightTypes.length);
    this.residual = residualOf(spec.residual, spec.leftTypes, spec.rightTypes, hooks);
  }

  processBatch(batch: ChangelogRows, out: (rows: ChangelogRows) => void): void {
    const version = this.table.current;
    this.lastVersion = version.version;
    const { output, residual, spec } = this;
    const outer = spec.joinType === 'left';
    const index = version.index(spec.rightKeys);
    const tableRows = version.rows;
    const tableColumns = version.columns;
    const columns = batch.columns;
    const keyColumn = spec.leftKeys.length === 1 ? columns[spec.leftKeys[0]!]! : null;
    for (let i = 0; i < batch.count; i++) {
      const key = keyColumn !== null ? (keyColumn[i] ?? null) as JoinKey | null : keyAt(columns, i, spec.leftKeys);
      const found = key === null ? undefined : index.get(key);
      const kind = rowKindAt(batch, i);
      const rowtime = batch.rowtimes[i]!;
      let matched = false;
      if (found !== undefined) {
        const row = residual === null ? null : rowAt(columns, i);
        for (const j of found) {
          if (row !== null && !residual!(row, tableRows[j]!)) continue;
          matched = true;
          output.addFrom(kind, columns, i, tableColumns, j, rowtime);
        }
      }
      if (!matched && outer) output.addFrom(kind, columns, i, null, 0, rowtime);
    }
    output.flush(out);
  }

  onWatermark(): void {}

  /** Nothing to keep: the table comes from its source. */
  snapshot(): Uint8Array {
    return new Uint8Array(0);
  }

  restore(): void {}
}
