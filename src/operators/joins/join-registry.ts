import type { JoinHooks, TwoInputOperator } from './join-contract.js';
import { JoinSpecError, type JoinSpec, type LookupJoinSpec } from './join-specs.js';
import { IntervalJoin } from './interval-join.js';
import { LookupJoin, type LookupTable } from './lookup-join.js';
import { RegularJoin } from './regular-join.js';
import { TemporalJoin } from './temporal-join.js';
import { WindowJoin } from './window-join.js';

export type StreamJoinSpec = Exclude<JoinSpec, LookupJoinSpec>;

/** The two-input operator for a stream–stream join spec (regular, interval, window, temporal; the last three need `hooks.onLate`). */
export function createStreamJoin(spec: StreamJoinSpec, hooks: JoinHooks): TwoInputOperator {
  switch (spec.kind) {
    case 'regular': return new RegularJoin(spec, hooks);
    case 'interval': return new IntervalJoin(spec, hooks);
    case 'window': return new WindowJoin(spec, hooks);
    case 'temporal': return new TemporalJoin(spec, hooks);
    default: {
      const unknown: never = spec;
      throw new JoinSpecError(`unknown join kind ${String((unknown as { kind: unknown }).kind)}`);
    }
  }
}

/** The lookup join for a spec, against the table the host loaded under the spec's name. */
export function createLookupJoin(spec: LookupJoinSpec, tables: (name: string) => LookupTable | undefined, hooks: JoinHooks = {}): LookupJoin {
  const table = tables(spec.table);
  if (table === undefined) throw new JoinSpecError(`lookup join: no reference table named ${spec.table}`);
  return new LookupJoin(spec, table, hooks);
}
