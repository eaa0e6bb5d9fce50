import { describe, it, expect, beforeAll } from 'vitest';
import { OverAggregate, type OverAggregateSpec } from '../../src/operators/over-aggregate.js';
import { Rank } from '../../src/operators/rank.js';
import { GroupAggregate } from '../../src/operators/group-aggregate.js';
import { Deduplicate } from '../../src/operators/deduplicate.js';
import type { ChangelogRows } from '../../src/operators/changelog.js';
import type { Operator } from '../../src/operators/operator.js';
import { duck, canonical } from '../helpers/duckdb.js';
import { changes, materialize } from './changelog-helpers.js';
import { clickRows, duckClicks, slice, COUNTRY, DURATION, PAGE, SEQ, TS, USER, type ClickRows } from './clickstream-rows.js';

/**
 * The operators fed a generated clickstream directly as changelog rows, against DuckDB's window
 * functions and QUALIFY over the same events: OVER row by row, Top-N and GROUP BY as final tables.
 */
let clicks: ClickRows;
let src = '';
beforeAll(() => {
  clicks = clickRows({ events: 20_000, seed: 7, users: 400, pages: 30 });
  src = duckClicks(clicks.path);
});

type Op = Operator<ChangelogRows, ChangelogRows>;

/** Feeds the clickstream in batches of 997 rows, the watermark 2 s behind the latest ts after each. */
function run(op: Op, next?: (rows: ChangelogRows) => void): ChangelogRows[] {
  const emitted: ChangelogRows[] = [];
  const out = (r: ChangelogRows) => (next ? next(r) : emitted.push(r));
  let max = -Infinity;
  for (let from = 0; from < clicks.count; from += 997) {
    const batch = slice(clicks, from, Math.min(clicks.count, from + 997));
    op.processBatch(batch, out);
    for (const t of batch.columns[TS] as number[]) max = Math.max(max, t);
    op.onWatermark(max - 2000, out);
  }
  op.onWatermark(Infinity, out);
  return emitted;
}

function objects(batches: ChangelogRows[], names: string[]): Record<string, unknown>[] {
  return changes(batches).map((c) => Object.fromEntries(names.map((n, i) => [n, c.row[i]])));
}

function tableObjects(batches: ChangelogRows[], names: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [key, n] of materialize(batches)) {
    const row = JSON.parse(key) as unknown[];
    for (let j = 0; j < n; j++) out.push(Object.fromEntries(names.map((name, i) => [name, row[i]])));
  }
  return out;
}

const inputNames = ['seq', 'ts', 'user_id', 'page', 'country', 'duration_ms'];

describe('operators match DuckDB on a clickstream', () => {
  it('OVER ROWS 10 PRECEDING in event time: aggregates, FIRST/LAST_VALUE, LAG, LEAD, ROW_NUMBER', async () => {
    const spec: OverAggregateSpec = {
      inputWidth: 6, partitionBy: [COUNTRY], orderBy: TS, time: 'event', frame: { kind: 'rows', preceding: 10 },
      calls: [
        { fn: 'COUNT_STAR', arg: null }, { fn: 'SUM', arg: DURATION }, { fn: 'AVG', arg: DURATION }, { fn: 'MIN', arg: DURATION },
        { fn: 'MAX', arg: PAGE }, { fn: 'COUNT_DISTINCT', arg: PAGE }, { fn: 'FIRST_VALUE', arg: USER }, { fn: 'LAST_VALUE', arg: DURATION },
        { fn: 'LAG', arg: DURATION, offset: 2, default: -1 }, { fn: 'LEAD', arg: PAGE, offset: 1, default: 'none' }, { fn: 'ROW_NUMBER', arg: null },
      ],
    };
    const late: unknown[] = [];
    const names = [...inputNames, 'n', 'total', 'mean', 'lo', 'hi', 'pages', 'first_user', 'last_ms', 'lag2', 'next_page', 'rn'];
    const got = objects(run(new OverAggregate(spec, { onLate: (l) => late.push(l) })), names);
    expect(late).toEqual([]);
    const w = 'PARTITION BY country ORDER BY ts, seq';
    const f = `(${w} ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)`;
    const want = await duck(`SELECT seq, count(*) OVER ${f} AS n, sum(duration_ms) OVER ${f} AS total, avg(duration_ms) OVER ${f} AS mean,
      min(duration_ms) OVER ${f} AS lo, max(page) OVER ${f} AS hi, count(DISTINCT page) OVER ${f} AS pages,
      first_value(user_id) OVER ${f} AS first_user, last_value(duration_ms) OVER ${f} AS last_ms,
      lag(duration_ms, 2, -1) OVER (${w}) AS lag2, lead(page, 1, 'none') OVER (${w}) AS next_page, row_number() OVER (${w}) AS rn
      FROM ${src}`);
    const cols = ['seq', 'n', 'total', 'mean', 'lo', 'hi', 'pages', 'first_user', 'last_ms', 'lag2', 'next_page', 'rn'];
    expect(got.length).toBe(clicks.count);
    expect(canonical(got, cols)).toEqual(canonical(want, cols));
  });

  it('OVER RANGE INTERVAL 5 SECOND PRECEDING in event time: peers share a value; RANK and DENSE_RANK', async () => {
    const spec: OverAggregateSpec = {
      inputWidth: 6, partitionBy: [PAGE], orderBy: TS, time: 'event', frame: { kind: 'range', precedingMs: 5000 },
      calls: [
        { fn: 'COUNT_STAR', arg: null }, { fn: 'SUM', arg: DURATION }, { fn: 'AVG', arg: DURATION }, { fn: 'MIN', arg: COUNTRY },
        { fn: 'MAX', arg: DURATION }, { fn: 'COUNT_DISTINCT', arg: USER }, { fn: 'RANK', arg: null }, { fn: 'DENSE_RANK', arg: null },
      ],
    };
    const op = new OverAggregate(spec, { onLate: () => { throw new Error('late'); } });
    const got = objects(run(op), [...inputNames, 'n', 'total', 'mean', 'lo', 'hi', 'users', 'rk', 'drk']);
    // RANK and DENSE_RANK count over the whole partition, so its state outlives the frame.
    expect(op.partitions).toBe(30);
    const f = `(PARTITION BY page ORDER BY ts RANGE BETWEEN INTERVAL 5 SECOND PRECEDING AND CURRENT ROW)`;
    const want = await duck(`SELECT seq, count(*) OVER ${f} AS n, sum(duration_ms) OVER ${f} AS total, avg(duration_ms) OVER ${f} AS mean,
      min(country) OVER ${f} AS lo, max(duration_ms) OVER ${f} AS hi, count(DISTINCT user_id) OVER ${f} AS users,
      rank() OVER (PARTITION BY page ORDER BY ts) AS rk, dense_rank() OVER (PARTITION BY page ORDER BY ts) AS drk FROM ${src}`);
    const cols = ['seq', 'n', 'total', 'mean', 'lo', 'hi', 'users', 'rk', 'drk'];
    const [peers] = await duck(`SELECT count(*) AS n FROM (SELECT page, ts FROM ${src} GROUP BY ALL HAVING count(*) > 1)`);
    expect(peers!['n']).toBeGreaterThan(100);
    expect(canonical(got, cols)).toEqual(canonical(want, cols));
  });

  it('OVER ROWS 5 PRECEDING in arrival order equals ORDER BY arrival', async () => {
    const spec: OverAggregateSpec = { inputWidth: 6, partitionBy: [COUNTRY], orderBy: SEQ, time: 'arrival', frame: { kind: 'rows', preceding: 5 }, calls: [{ fn: 'SUM', arg: DURATION }, { fn: 'MAX', arg: DURATION }] };
    const got = objects(run(new OverAggregate(spec)), [...inputNames, 'total', 'hi']);
    expect(got.map((r) => r['seq'])).toEqual(Array.from({ length: clicks.count }, (_, i) => i));
    const f = '(PARTITION BY country ORDER BY seq ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)';
    const want = await duck(`SELECT seq, sum(duration_ms) OVER ${f} AS total, max(duration_ms) OVER ${f} AS hi FROM ${src}`);
    expect(canonical(got, ['seq', 'total', 'hi'])).toEqual(canonical(want, ['seq', 'total', 'hi']));
  });

  it('Top-10 per country over insert-only input: ROW_NUMBER and RANK final tables', async () => {
    const rn = new Rank({ inputWidth: 6, partitionBy: [COUNTRY], orderBy: [{ column: DURATION, descending: true }, { column: SEQ }], fn: 'ROW_NUMBER', limit: 10, outputRank: true, inputRetracts: false });
    const got = tableObjects(run(rn), [...inputNames, 'rn']);
    const want = await duck(`SELECT seq, row_number() OVER (PARTITION BY country ORDER BY duration_ms DESC, seq) AS rn FROM ${src} QUALIFY rn <= 10`);
    expect(got.length).toBe(110);
    expect(canonical(got, ['seq', 'rn'])).toEqual(canonical(want, ['seq', 'rn']));
    const rk = new Rank({ inputWidth: 6, partitionBy: [PAGE], orderBy: [{ column: DURATION }], fn: 'RANK', limit: 3, outputRank: true, inputRetracts: false });
    const gotRank = tableObjects(run(rk), [...inputNames, 'rk']);
    const wantRank = await duck(`SELECT seq, rank() OVER (PARTITION BY page ORDER BY duration_ms) AS rk FROM ${src} QUALIFY rk <= 3`);
    expect(canonical(gotRank, ['seq', 'rk'])).toEqual(canonical(wantRank, ['seq', 'rk']));
  });

  it('GROUP BY with FILTER over insert-only input, final table', async () => {
    const isUs = clicks.columns[COUNTRY]!.map((c) => c === 'US');
    const op = new GroupAggregate({ keys: [PAGE], inputRetracts: false, calls: [
      { fn: 'COUNT_STAR', arg: null }, { fn: 'COUNT_STAR', arg: null, filter: 6 }, { fn: 'SUM', arg: DURATION, filter: 6 }, { fn: 'MAX', arg: USER }, { fn: 'COUNT_DISTINCT', arg: COUNTRY },
    ] });
    const emitted: ChangelogRows[] = [];
    for (let from = 0; from < clicks.count; from += 1000) {
      const b = slice(clicks, from, Math.min(clicks.count, from + 1000));
      op.processBatch({ ...b, columns: [...b.columns, isUs.slice(from, from + 1000)] }, (r) => emitted.push(r));
    }
    const got = tableObjects(emitted, ['page', 'n', 'us', 'us_ms', 'top_user', 'countries']);
    const want = await duck(`SELECT page, count(*) AS n, count(*) FILTER (WHERE country = 'US') AS us, sum(duration_ms) FILTER (WHERE country = 'US') AS us_ms,
      max(user_id) AS top_user, count(DISTINCT country) AS countries FROM ${src} GROUP BY page`);
    const cols = ['page', 'n', 'us', 'us_ms', 'top_user', 'countries'];
    expect(canonical(got, cols)).toEqual(canonical(want, cols));
  });

  it('a retracting pipeline: latest event per user ─▶ GROUP BY country ─▶ top 3 countries, final tables', async () => {
    const dedup = new Deduplicate({ inputWidth: 6, keys: [USER], keep: 'last', order: 'arrival' });
    const agg = new GroupAggregate({ keys: [COUNTRY], inputRetracts: true, calls: [
      { fn: 'COUNT_STAR', arg: null }, { fn: 'SUM', arg: DURATION }, { fn: 'MAX', arg: DURATION }, { fn: 'MIN', arg: PAGE }, { fn: 'COUNT_DISTINCT', arg: PAGE },
    ] });
    const top = new Rank({ inputWidth: 6, partitionBy: [], orderBy: [{ column: 1, descending: true }, { column: 0 }], fn: 'ROW_NUMBER', limit: 3, outputRank: true, inputRetracts: true });
    const aggOut: ChangelogRows[] = [];
    const topOut: ChangelogRows[] = [];
    run(dedup, (r) => agg.processBatch(r, (a) => {
      aggOut.push(a);
      top.processBatch(a, (t) => topOut.push(t));
    }));
    expect(changes(aggOut).some((c) => c.kind === '-U')).toBe(true);
    const latest = `(SELECT * FROM ${src} QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY seq DESC) = 1)`;
    const aggSql = `SELECT country, count(*) AS n, sum(duration_ms) AS total, max(duration_ms) AS hi, min(page) AS lo, count(DISTINCT page) AS pages FROM ${latest} GROUP BY country`;
    const cols = ['country', 'n', 'total', 'hi', 'lo', 'pages'];
    expect(canonical(tableObjects(aggOut, cols), cols)).toEqual(canonical(await duck(aggSql), cols));
    const want = await duck(`SELECT *, row_number() OVER (ORDER BY n DESC, country) AS rn FROM (${aggSql}) QUALIFY rn <= 3`);
    expect(canonical(tableObjects(topOut, [...cols, 'rn']), [...cols, 'rn'])).toEqual(canonical(want, [...cols, 'rn']));
  });
});
