import type { Field } from '../../planner/types.js';
import type { ChangelogRows } from '../changelog.js';
import { RowKind } from '../changelog.js';

/**
 * Plain-JSON descriptions of KDA's table functions over `CURSOR(SELECT STREAM ...)`: what the
 * planner builds and sends to a worker, from which the operator is made. `input` is the cursor's
 * columns in the order batches carry them; parameters left out take KDA's defaults.
 */
export interface RandomCutForestSpec {
  readonly function: 'RANDOM_CUT_FOREST';
  readonly input: readonly Field[];
  /** 1..1000, default 100. */
  readonly numberOfTrees?: number;
  /** 10..1000, default 256; less than timeDecay. */
  readonly subSampleSize?: number;
  /** 1..2147483647, default 100000. */
  readonly timeDecay?: number;
  /** 1..30, default 1. */
  readonly shingleSize?: number;
  /** Seeds the forest's random choices (not a KDA parameter); default 0x5eed. */
  readonly seed?: number;
}

export interface RandomCutForestWithExplanationSpec extends Omit<RandomCutForestSpec, 'function'> {
  readonly function: 'RANDOM_CUT_FOREST_WITH_EXPLANATION';
  /** Default false. */
  readonly withDirectionality?: boolean;
}

export interface HotspotsSpec {
  readonly function: 'HOTSPOTS';
  readonly input: readonly Field[];
  /** 100..1000 records. */
  readonly windowSize: number;
  /** > 0. */
  readonly scanRadius: number;
  /** 2..windowSize. */
  readonly minimumNumberOfPointsInAHotspot: number;
}

export interface TopKItemsTumblingSpec {
  readonly function: 'TOP_K_ITEMS_TUMBLING';
  readonly input: readonly Field[];
  readonly columnName: string;
  /** 1..100000. */
  readonly k: number;
  /** Tumbling window of ROWTIME, in seconds: 1..3600. */
  readonly windowSize: number;
}

export interface CountDistinctItemsTumblingSpec {
  readonly function: 'COUNT_DISTINCT_ITEMS_TUMBLING';
  readonly input: readonly Field[];
  readonly columnName: string;
  /** Tumbling window of ROWTIME, in seconds: 1..3600. */
  readonly windowSize: number;
}

export type KdaTableFunctionSpec =
  | RandomCutForestSpec
  | RandomCutForestWithExplanationSpec
  | HotspotsSpec
  | TopKItemsTumblingSpec
  | CountDistinctItemsTumblingSpec;

/** A call KDA would refuse: a parameter out of its documented range, a column that is not there. */
export class KdaFunctionError extends Error {
  override readonly name = 'KdaFunctionError';
  readonly code = 'KDA_BAD_ARGUMENT';
}

export function integerIn(fn: string, name: string, value: number | undefined, fallback: number | undefined, min: number, max: number): number {
  const v = value ?? fallback;
  if (v === undefined) throw new KdaFunctionError(`${fn}: ${name} is required`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new KdaFunctionError(`${fn}: ${name} must be an integer between ${min} and ${max} (inclusive), got ${v}`);
  }
  return v;
}

/**
 * Positions of the columns the machine-learning functions use: KDA takes DOUBLE, REAL, FLOAT,
 * INTEGER, SMALLINT, TINYINT and BIGINT and ignores the others; DECIMAL it refuses.
 */
export function numericColumns(fn: string, input: readonly Field[], max = Infinity): number[] {
  const at: number[] = [];
  input.forEach((f, i) => {
    if (f.type === 'DECIMAL') throw new KdaFunctionError(`${fn}: column ${f.name} is DECIMAL, which ${fn} does not take; cast it to DOUBLE`);
    if (f.type === 'DOUBLE' || f.type === 'INTEGER' || f.type === 'BIGINT') at.push(i);
  });
  if (at.length === 0) throw new KdaFunctionError(`${fn}: the cursor has no numeric column (DOUBLE, REAL, FLOAT, INTEGER, SMALLINT, TINYINT or BIGINT)`);
  if (at.length > max) throw new KdaFunctionError(`${fn}: the cursor has ${at.length} numeric columns; at most ${max} are allowed`);
  return at;
}

/** The position of `'columnName'`: an exact match first, else the one column equal ignoring case. */
export function columnNamed(fn: string, input: readonly Field[], name: string): number {
  const exact = input.findIndex((f) => f.name === name);
  if (exact >= 0) return exact;
  const folded = input.flatMap((f, i) => (f.name.toUpperCase() === name.toUpperCase() ? [i] : []));
  if (folded.length === 1) return folded[0]!;
  throw new KdaFunctionError(`${fn}: the cursor has no column '${name}' (it has ${input.map((f) => f.name).join(', ')})`);
}

/** These functions read append-only streams: a retraction in their input is a planning mistake. */
export function assertAppendOnly(fn: string, rows: ChangelogRows): void {
  if (!rows.ops) return;
  for (let i = 0; i < rows.count; i++) {
    if (rows.ops[i] !== RowKind.Insert) throw new KdaFunctionError(`${fn} takes an append-only stream; its input has an update or delete`);
  }
}

/** A numeric value as a double, or NaN for NULL and anything that is not a number. */
export function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return NaN;
}
