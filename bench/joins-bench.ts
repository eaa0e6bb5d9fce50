/**
 * Interval and lookup join throughput, with the interval join's state and RSS, beside DuckDB's
 * batch join over the same NDJSON files.
 *
 *   npm run bench:joins [-- --events 1000000 --bound-ms 10000 --batch 4096]
 *
 * Two clickstreams (seeds 1 and 2, 1,000 events/s, 10,000 users, up to 1 s out of order) are
 * joined on user_id with `l.ts BETWEEN r.ts - bound AND r.ts + bound`. Sluice reads each file in
 * 4 MiB line-aligned chunks, decodes them with its NDJSON decoder, and feeds the join batches of
 * `--batch` rows, alternating sides, each side's watermark its largest ts less 1 s: one thread,
 * so events/s is per core. "join only" counts the time inside the operator's calls. DuckDB runs
 * the same join as one query (count and a sum, so it need not materialize the rows), on 1 and on
 * 2 threads. The lookup join probes an 8,000-row users table (CSV, loaded as a reference table).
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDecoder, type ColumnSpec } from '../src/decode/index.js';
import { RowKind, type ChangelogRows } from '../src/operators/changelog.js';
import type { TwoInputOperator } from '../src/operators/joins/join-contract.js';
import { RegularJoin } from '../src/operators/joins/regular-join.js';
import { TemporalJoin } from '../src/operators/joins/temporal-join.js';
import { WindowJoin } from '../src/operators/joins/window-join.js';
import { IntervalJoin } from '../src/operators/joins/interval-join.js';
import { LookupJoin } from '../src/operators/joins/lookup-join.js';
import type { SqlType } from '../src/planner/types.js';
import { ReferenceTable } from '../src/reference/reference-table.js';
import { duckdbReadClickstream, writeClickstreamFile } from './clickstream.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    'bound-ms': { type: 'string', default: '10000' },
    batch: { type: 'string', default: '4096' },
  },
});
const EVENTS = Number(values.events);
const BOUND = Number(values['bound-ms']);
const BATCH = Number(values.batch);
const LATENESS = 1000;
const TYPES: SqlType[] = ['TIMESTAMP', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BIGINT'];
const SPECS: ColumnSpec[] = [
  { name: 'ts', type: 'TIMESTAMP' }, { name: 'user_id', type: 'VARCHAR' }, { name: 'page', type: 'VARCHAR' },
  { name: 'country', type: 'VARCHAR' }, { name: 'duration_ms', type: 'BIGINT' },
];

let peakRss = 0;
const sampleRss = () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const rate = (events: number, seconds: number) => `${(events / seconds / 1000).toFixed(0)}k events/s`;
/** CPU seconds this process has used (every thread: GC helpers too), for runs on a busy machine. */
const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

/** A clickstream NDJSON file as changelog batches of `BATCH` rows, read and decoded 4 MiB at a time. */
async function* batches(file: string): AsyncGenerator<ChangelogRows> {
  const fd = await fs.promises.open(file, 'r');
  const decoder = createDecoder('json', SPECS);
  const buf = Buffer.allocUnsafe(4 << 20);
  let carry = 0;
  try {
    for (;;) {
      const { bytesRead } = await fd.read(buf, carry, buf.length - carry);
      const end = carry + bytesRead;
      const cut = bytesRead === 0 ? end : buf.lastIndexOf(0x0a, end - 1) + 1;
      if (cut > 0) {
        const d = decoder.decode(buf, 0, cut);
        const [ts, user, page, country, dur] = d.columns;
        const dicts = [1, 2, 3].map((c) => decoder.dictionary(c));
        for (let start = 0; start < d.length; start += BATCH) {
          const n = Math.min(BATCH, d.length - start);
          const times = new Array<number>(n);
          const cols: unknown[][] = [times, new Array(n), new Array(n), new Array(n), new Array(n)];
          for (let i = 0; i < n; i++) {
            const r = start + i;
            times[i] = ts!.kind === 'f64' ? ts!.values[r]! : 0;
            cols[1]![i] = user!.kind === 'dict' ? dicts[0]![user!.codes[r]!] : null;
            cols[2]![i] = page!.kind === 'dict' ? dicts[1]![page!.codes[r]!] : null;
            cols[3]![i] = country!.kind === 'dict' ? dicts[2]![country!.codes[r]!] : null;
            cols[4]![i] = dur!.kind === 'f64' ? dur!.values[r]! : null;
          }
          yield { count: n, columns: cols, rowtimes: times };
        }
      }
      if (bytesRead === 0) return;
      buf.copy(buf, 0, cut, end);
      carry = end - cut;
    }
  } finally {
    await fd.close();
  }
}

/** Late rows are counted (each operator's `lateRows`) and printed; the generated streams have none. */
const COUNT_LATE = { onLate: () => undefined };

type Measured = TwoInputOperator & { readonly stateRows: number; readonly lateRows: number };

/**
 * Streams both files through a two-input join, alternating batches, each side's watermark its
 * largest ts less the lateness; `shape` turns a clickstream batch into the join's input (outside
 * the join's timing).
 */
async function runJoin(op: Measured, left: string, right: string, limit = Infinity, shape: (side: 0 | 1, b: ChangelogRows) => ChangelogRows = (_s, b) => b) {
  let rows = 0;
  let inJoin = 0;
  let peakState = 0;
  const emit = (b: ChangelogRows) => { rows += b.count; };
  const timed = (f: () => void) => { const t = performance.now(); f(); inJoin += performance.now() - t; };
  const its = [batches(left), batches(right)];
  const wm = [-Infinity, -Infinity];
  let events = 0;
  const start = performance.now();
  const cpu0 = cpuSeconds();
  for (let done = 0; done < 2 && events < limit;) {
    done = 0;
    for (const side of [0, 1] as const) {
      const next = await its[side]!.next();
      if (next.done) { done++; continue; }
      const b = shape(side, next.value);
      events += b.count;
      timed(() => (side === 0 ? op.processLeft(b, emit) : op.processRight(b, emit)));
      let max = -Infinity;
      for (const t of next.value.rowtimes) if (t > max) max = t;
      wm[side] = Math.max(wm[side]!, max - LATENESS);
      timed(() => op.onWatermark(Math.min(wm[0]!, wm[1]!), emit));
      peakState = Math.max(peakState, op.stateRows);
      sampleRss();
    }
  }
  timed(() => op.onWatermark(Infinity, emit));
  for (const it of its) await it.return(undefined);
  return { seconds: (performance.now() - start) / 1000, cpu: cpuSeconds() - cpu0, joinSeconds: inJoin / 1000, rows, events, peakState, late: op.lateRows };
}

function intervalJoin(left: string, right: string, bound: number, limit = Infinity) {
  const op = new IntervalJoin({ kind: 'interval', joinType: 'inner', leftTypes: TYPES, rightTypes: TYPES, leftKeys: [1], rightKeys: [1], leftTime: 0, rightTime: 0, lowerMs: bound, upperMs: bound }, COUNT_LATE);
  return runJoin(op, left, right, limit).then((r) => ({ ...r, peakState: op.peakStateRows }));
}

/** Adds window_start and window_end of a 10 s tumbling window in front of a clickstream batch. */
function tumble(b: ChangelogRows): ChangelogRows {
  const starts = b.columns[0]!.map((t) => Math.floor((t as number) / 10_000) * 10_000);
  return { ...b, columns: [starts, starts.map((s) => s + 10_000), ...b.columns] };
}

/** A clickstream batch as upserts of a users table: [user_id, country, ts], every row an update. */
function asUserVersions(b: ChangelogRows): ChangelogRows {
  return { count: b.count, columns: [b.columns[1]!, b.columns[3]!, b.columns[0]!], rowtimes: b.rowtimes, ops: new Uint8Array(b.count).fill(RowKind.UpdateAfter) };
}

async function lookupJoin(left: string, users: string) {
  const table = await ReferenceTable.open({ name: 'users', key: ['user_id'], source: { kind: 'file', path: users, format: 'csv' }, columns: [{ name: 'user_id', type: 'VARCHAR' }, { name: 'segment', type: 'VARCHAR' }, { name: 'vip', type: 'BOOLEAN' }] });
  const op = new LookupJoin({ kind: 'lookup', joinType: 'left', table: 'users', leftTypes: TYPES, rightTypes: ['VARCHAR', 'VARCHAR', 'BOOLEAN'], leftKeys: [1], rightKeys: [0] }, table);
  let rows = 0;
  let matched = 0;
  let inJoin = 0;
  let events = 0;
  const start = performance.now();
  const cpu0 = cpuSeconds();
  for await (const b of batches(left)) {
    events += b.count;
    const t = performance.now();
    op.processBatch(b, (out) => { rows += out.count; for (const v of out.columns[6]!) if (v !== null) matched++; });
    inJoin += performance.now() - t;
  }
  table.close();
  return { seconds: (performance.now() - start) / 1000, cpu: cpuSeconds() - cpu0, joinSeconds: inJoin / 1000, rows, matched, events };
}

async function duck(sql: string, threads: number): Promise<{ seconds: number; row: unknown[] }> {
  const inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await inst.connect();
  const start = performance.now();
  const row = (await conn.runAndReadAll(sql)).getRows()[0]!.map((v) => (typeof v === 'bigint' ? Number(v) : v));
  const seconds = (performance.now() - start) / 1000;
  conn.closeSync();
  inst.closeSync();
  return { seconds, row };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-joins-bench-'));
try {
  const left = path.join(dir, 'left.ndjson');
  const right = path.join(dir, 'right.ndjson');
  const users = path.join(dir, 'users.csv');
  await writeClickstreamFile(left, { events: EVENTS, seed: 1 });
  await writeClickstreamFile(right, { events: EVENTS, seed: 2 });
  // Users u0..u9999 but every fifth one: a LEFT join keeps about a fifth of the events unmatched.
  fs.writeFileSync(users, Array.from({ length: 10_000 }, (_, i) => i).filter((i) => i % 5 !== 0).map((i) => `u${i},segment${i % 13},${i % 2 === 0}\n`).join(''));
  const baseRss = process.memoryUsage().rss;
  console.log(`${EVENTS.toLocaleString('en-US')} events per side, bound ±${BOUND} ms, batches of ${BATCH}, Node ${process.version}, ${os.cpus().length} cores`);

  const ij = await intervalJoin(left, right, BOUND);
  // 1,000 events/s is one per ms: each side holds the rows of the last (bound + lateness) ms.
  const expectedState = 2 * (BOUND + LATENESS);
  console.log(`\ninterval join: ${ij.rows.toLocaleString('en-US')} rows from ${ij.events.toLocaleString('en-US')} events, ${ij.late} late`);
  console.log(`  end to end (read, decode, join): ${ij.seconds.toFixed(2)} s, ${rate(ij.events, ij.seconds)} (${rate(ij.events, ij.cpu)} per CPU-second)`);
  console.log(`  join only:                       ${ij.joinSeconds.toFixed(2)} s, ${rate(ij.events, ij.joinSeconds)}`);
  console.log(`  peak state: ${ij.peakState.toLocaleString('en-US')} rows (both sides; a left row is held while ts + ${BOUND} ms ≥ watermark: about ${expectedState.toLocaleString('en-US')} rows plus a batch per side), peak RSS ${mb(peakRss)} (${mb(baseRss)} before)`);
  const prefix = Math.min(EVENTS, 200_000);
  for (const b of [BOUND / 5, BOUND, BOUND * 3]) {
    const r = await intervalJoin(left, right, b, 2 * prefix);
    console.log(`  peak state with a ±${b} ms bound (first ${prefix.toLocaleString('en-US')} events per side): ${r.peakState.toLocaleString('en-US')} rows`);
  }

  const between = `SELECT count(*), sum(l.duration_ms + r.duration_ms) FROM ${duckdbReadClickstream(left)} l JOIN ${duckdbReadClickstream(right)} r ON l.user_id = r.user_id AND l.ts BETWEEN r.ts - INTERVAL ${BOUND} MILLISECOND AND r.ts + INTERVAL ${BOUND} MILLISECOND`;
  for (const threads of [1, 2]) {
    const d = await duck(between, threads);
    console.log(`  DuckDB (${threads} thread${threads > 1 ? 's' : ''}): ${d.seconds.toFixed(2)} s, ${rate(2 * EVENTS, d.seconds)}, ${Number(d.row[0]).toLocaleString('en-US')} rows${d.row[0] === ij.rows ? '' : ' (COUNT DIFFERS)'}; Sluice/DuckDB ${(d.seconds / ij.seconds).toFixed(2)}× end to end, ${(d.seconds / ij.joinSeconds).toFixed(2)}× join only`);
  }

  const lj = await lookupJoin(left, users);
  console.log(`\nlookup join (LEFT, 8,000-row table): ${lj.rows.toLocaleString('en-US')} rows, ${lj.matched.toLocaleString('en-US')} matched`);
  console.log(`  end to end (read, decode, join): ${lj.seconds.toFixed(2)} s, ${rate(lj.events, lj.seconds)} (${rate(lj.events, lj.cpu)} per CPU-second)`);
  console.log(`  join only:                       ${lj.joinSeconds.toFixed(2)} s, ${rate(lj.events, lj.joinSeconds)}`);
  const lookup = `SELECT count(*), count(u.segment) FROM ${duckdbReadClickstream(left)} l LEFT JOIN read_csv('${users}', header = false, columns = {user_id: 'VARCHAR', segment: 'VARCHAR', vip: 'BOOLEAN'}) u ON l.user_id = u.user_id`;
  for (const threads of [1, 2]) {
    const d = await duck(lookup, threads);
    console.log(`  DuckDB (${threads} thread${threads > 1 ? 's' : ''}): ${d.seconds.toFixed(2)} s, ${rate(EVENTS, d.seconds)}, ${Number(d.row[1]).toLocaleString('en-US')} matched${d.row[1] === lj.matched ? '' : ' (COUNT DIFFERS)'}; Sluice/DuckDB ${(d.seconds / lj.seconds).toFixed(2)}× end to end, ${(d.seconds / lj.joinSeconds).toFixed(2)}× join only`);
  }

  console.log('\nother joins (the same streams; "join only" as above)');
  const others: [string, Measured, number, ((side: 0 | 1, b: ChangelogRows) => ChangelogRows) | undefined][] = [
    ['regular INNER on (user_id, page), unbounded state', new RegularJoin({ kind: 'regular', joinType: 'inner', leftTypes: TYPES, rightTypes: TYPES, leftKeys: [1, 2], rightKeys: [1, 2] }), Math.min(2 * EVENTS, 400_000), undefined],
    ['window FULL on user_id, 10 s tumbling windows', new WindowJoin({ kind: 'window', joinType: 'full', leftTypes: ['TIMESTAMP', 'TIMESTAMP', ...TYPES], rightTypes: ['TIMESTAMP', 'TIMESTAMP', ...TYPES], leftKeys: [3], rightKeys: [3], leftWindow: { start: 0, end: 1 }, rightWindow: { start: 0, end: 1 } }, COUNT_LATE), Infinity, (_s, b) => tumble(b)],
    ['temporal LEFT, clicks AS OF ts against users upserted by the other stream', new TemporalJoin({ kind: 'temporal', joinType: 'left', leftTypes: TYPES, rightTypes: ['VARCHAR', 'VARCHAR', 'TIMESTAMP'], leftKeys: [1], rightKeys: [0], leftTime: 0, rightTime: 2 }, COUNT_LATE), Infinity, (side, b) => (side === 1 ? asUserVersions(b) : b)],
  ];
  for (const [name, op, limit, shape] of others) {
    const r = await runJoin(op, left, right, limit, shape);
    console.log(`  ${name}: ${r.rows.toLocaleString('en-US')} rows from ${r.events.toLocaleString('en-US')} events, join only ${r.joinSeconds.toFixed(2)} s, ${rate(r.events, r.joinSeconds)} (end to end ${rate(r.events, r.cpu)} per CPU-second), peak state ${r.peakState.toLocaleString('en-US')} rows, ${r.late} late`);
  }
  console.log(`\npeak RSS of the whole run (the regular join's unbounded state included): ${mb(peakRss)}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
