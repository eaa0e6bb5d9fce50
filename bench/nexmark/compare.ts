import { createReadStream, existsSync } from 'node:fs';
import { hash } from 'node:crypto';
import { createInterface } from 'node:readline';

/**
 * Order-insensitive comparison of two NDJSON result files as multisets of rows. Rows compare by
 * position (INSERT INTO is positional, and the engines name columns differently); timestamps in
 * any of the engines' spellings compare as instants; numbers that are not whole compare with a
 * relative tolerance, since AVG and DECIMAL arithmetic may round differently.
 */
export interface Comparison {
  readonly ok: boolean;
  readonly expectedRows: number;
  readonly actualRows: number;
  /** Rows of the expected file with no match in the actual one (at most a few kept, as JSON). */
  readonly missing: readonly string[];
  readonly missingCount: number;
  /** Rows of the actual file with no match in the expected one. */
  readonly unexpected: readonly string[];
  readonly unexpectedCount: number;
}

const RELATIVE_TOLERANCE = 1e-9;
const EXAMPLES = 3;
/** Unmatched rows kept in full for the tolerance pass; beyond this the files plainly differ. */
const MAX_UNMATCHED = 200_000;

const TIMESTAMP = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]00(?::?00)?)?$/;

type Value = string | number | boolean | null;

/** A row as the values of its JSON object in order, timestamps as ISO-8601 UTC with milliseconds. */
function normalizeRow(line: string): Value[] {
  const obj = JSON.parse(line) as Record<string, unknown>;
  return Object.values(obj).map((v): Value => {
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
    if (typeof v === 'string') {
      const m = TIMESTAMP.exec(v);
      if (!m) return v;
      const ms = (m[3] ?? '.000').slice(1).padEnd(3, '0').slice(0, 3);
      return `${m[1]}T${m[2]}.${ms}Z`;
    }
    return JSON.stringify(v);
  });
}

const rounded = (row: Value[], digits: number): string =>
  JSON.stringify(row.map((v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(digits)) : v)));

/**
 * The key of a row, with fractions cut to 12 significant digits so that the last-bit differences
 * of double arithmetic mostly vanish; the few cut on either side of a rounding boundary are left
 * to the tolerance pass. Hashed, so a million wide rows cost little memory.
 */
const exactKey = (row: Value[]): string => hash('sha1', rounded(row, 12), 'base64');

/** A coarser key, equal for rows that may match within the tolerance. */
const looseKey = (row: Value[]): string => rounded(row, 8);

function closeEnough(a: Value[], b: Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'number' && typeof y === 'number') {
      if (Math.abs(x - y) > RELATIVE_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y))) return false;
    } else if (x !== y) {
      return false;
    }
  }
  return true;
}

async function* rows(path: string): AsyncGenerator<Value[]> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') yield normalizeRow(line);
}

/**
 * Compares `actual` against `expected` in three streamed passes (count the expected rows' keys,
 * match the actual rows, collect the expected rows left over), so only keys and unmatched rows are
 * held; then pairs the leftovers that agree within the tolerance.
 */
export async function compareResults(expected: string, actual: string): Promise<Comparison> {
  const counts = new Map<string, number>();
  let expectedRows = 0;
  for await (const row of rows(expected)) {
    const k = exactKey(row);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    expectedRows++;
  }
  let actualRows = 0;
  const extra: Value[][] = [];
  let extraCount = 0;
  for await (const row of rows(actual)) {
    actualRows++;
    const k = exactKey(row);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else if (++extraCount <= MAX_UNMATCHED) extra.push(row);
  }
  const missing: Value[][] = [];
  let missingCount = 0;
  if (expectedRows - (actualRows - extraCount) > 0) {
    for await (const row of rows(expected)) {
      const k = exactKey(row);
      const n = counts.get(k) ?? 0;
      if (n > 0) {
        counts.set(k, n - 1);
        if (++missingCount <= MAX_UNMATCHED) missing.push(row);
      }
    }
  }
  if (missingCount <= MAX_UNMATCHED && extraCount <= MAX_UNMATCHED && missing.length > 0 && extra.length > 0) {
    const byLoose = new Map<string, Value[][]>();
    for (const row of missing) {
      const k = looseKey(row);
      const list = byLoose.get(k);
      if (list) list.push(row);
      else byLoose.set(k, [row]);
    }
    const stillExtra: Value[][] = [];
    for (const row of extra) {
      const list = byLoose.get(looseKey(row));
      const at = list ? list.findIndex((m) => closeEnough(m, row)) : -1;
      if (at >= 0) list!.splice(at, 1);
      else stillExtra.push(row);
    }
    const stillMissing = [...byLoose.values()].flat();
    missingCount = stillMissing.length;
    extraCount = stillExtra.length;
    missing.splice(0, missing.length, ...stillMissing);
    extra.splice(0, extra.length, ...stillExtra);
  }
  return {
    ok: missingCount === 0 && extraCount === 0,
    expectedRows,
    actualRows,
    missing: missing.slice(0, EXAMPLES).map((r) => JSON.stringify(r)),
    missingCount,
    unexpected: extra.slice(0, EXAMPLES).map((r) => JSON.stringify(r)),
    unexpectedCount: extraCount,
  };
}
