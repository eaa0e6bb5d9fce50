import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { duck } from '../../helpers/duckdb.js';
import { duckdbReadClickstream, generateClickEvents, writeClickstreamFile, type ClickstreamOptions } from '../../../bench/clickstream.js';
import { createStreamJoin, createLookupJoin } from '../../../src/operators/joins/join-registry.js';
import type { JoinType } from '../../../src/operators/joins/join-contract.js';
import type { SqlType } from '../../../src/planner/types.js';
import { RowKind, type ChangelogRows } from '../../../src/operators/changelog.js';
import { ReferenceTable } from '../../../src/reference/reference-table.js';
import { applyChangelog, Collector, sortedEntries, type Step } from './join-test-helpers.js';

// Both sides are clickstreams: [ts, user_id, page, country, duration_ms], joined on user_id.
const TYPES: SqlType[] = ['TIMESTAMP', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BIGINT'];
const EVENTS = 8000;
const LEFT: ClickstreamOptions = { events: EVENTS, seed: 1, users: 3000 };
const RIGHT: ClickstreamOptions = { events: EVENTS, seed: 2, users: 3000, maxLatenessMs: 2500 };
/** Both sides' columns, aliased apart (DuckDB's row objects are keyed by name). */
const BOTH = 'epoch_ms(l.ts) AS a0, l.user_id AS a1, l.page AS a2, l.country AS a3, l.duration_ms AS a4, epoch_ms(r.ts) AS b0, r.user_id AS b1, r.page AS b2, r.country AS b3, r.duration_ms AS b4';

function rowsOf(opts: ClickstreamOptions): unknown[][] {
  const rows: unknown[][] = [];
  for (const e of generateClickEvents(opts)) rows.push([Date.parse(e.ts), e.user_id, e.page, e.country, e.duration_ms]);
  return rows;
}

function batch(rows: unknown[][], ops?: RowKind[]): ChangelogRows {
  return { count: rows.length, columns: TYPES.map((_, c) => rows.map((r) => r[c])), rowtimes: rows.map((r) => r[0] as number), ...(ops ? { ops: Uint8Array.from(ops) } : {}) };
}

/** Both sides in chunks of `size`, alternating, each side's watermark its largest ts less one second. */
function steps(left: unknown[][], right: unknown[][], size: number): Step[] {
  const out: Step[] = [];
  const wm = { left: -Infinity, right: -Infinity };
  for (let i = 0; i < Math.max(left.length, right.length); i += size) {
    for (const [side, rows] of [['left', left], ['right', right]] as const) {
      const part = rows.slice(i, i + size);
      if (part.length === 0) continue;
      out.push({ side, batch: batch(part) });
      wm[side] = Math.max(wm[side], ...part.map((r) => (r[0] as number) - 1000));
      out.push({ watermark: Math.min(wm.left, wm.right) });
    }
  }
  out.push({ watermark: Infinity });
  return out;
}

function feed(op: ReturnType<typeof createStreamJoin>, all: Step[], out: Collector): void {
  for (const s of all) {
    if ('watermark' in s) op.onWatermark(s.watermark, out.emit);
    else if (s.side === 'left') op.processLeft(s.batch, out.emit);
    else op.processRight(s.batch, out.emit);
  }
}

const json = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(Object.values(r))).sort();
const SQL_JOIN: Record<JoinType, string> = { inner: 'JOIN', left: 'LEFT JOIN', right: 'RIGHT JOIN', full: 'FULL JOIN' };

describe('joins match DuckDB over generated clickstreams', () => {
  let dir: string;
  let leftRows: unknown[][];
  let rightRows: unknown[][];
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-join-eq-'));
    await writeClickstreamFile(file('left.ndjson'), LEFT);
    await writeClickstreamFile(file('right.ndjson'), RIGHT);
    leftRows = rowsOf(LEFT);
    rightRows = rowsOf(RIGHT);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const joinType of ['inner', 'left', 'right', 'full'] as const) {
    it(`interval join (${joinType}) = DuckDB's BETWEEN join over the rows that were not late`, async () => {
      const out = new Collector();
      const op = createStreamJoin({ kind: 'interval', joinType, leftTypes: TYPES, rightTypes: TYPES, leftKeys: [1], rightKeys: [1], leftTime: 0, rightTime: 0, lowerMs: 2000, upperMs: 1000 }, { onLate: out.onLate });
      feed(op, steps(leftRows, rightRows, 500), out);
      // The right side is out of order by up to 2.5 s against a 1 s watermark delay: some rows are late.
      expect(out.late.length).toBeGreaterThan(0);
      expect(out.late.every((l) => l.side === 'right' && l.reason === 'late' && l.time! < l.watermark)).toBe(true);
      fs.writeFileSync(file('late.ndjson'), out.late.map((l) => JSON.stringify({ ts: new Date(l.time!).toISOString(), user_id: l.row[1], page: l.row[2], country: l.row[3], duration_ms: l.row[4] })).join('\n'));
      const expected = await duck(`
        WITH l AS (SELECT * FROM ${duckdbReadClickstream(file('left.ndjson'))}),
             r AS (SELECT * FROM ${duckdbReadClickstream(file('right.ndjson'))} EXCEPT ALL SELECT * FROM ${duckdbReadClickstream(file('late.ndjson'))})
        SELECT ${BOTH}
        FROM l ${SQL_JOIN[joinType]} r ON l.user_id = r.user_id AND l.ts BETWEEN r.ts - INTERVAL 2 SECOND AND r.ts + INTERVAL 1 SECOND`);
      expect(expected.length).toBeGreaterThan(EVENTS / 4);
      expect(out.sorted(false).map((s) => s.slice(3))).toEqual(json(expected));
    });
  }

  for (const joinType of ['inner', 'left', 'right', 'full'] as const) {
    it(`regular join (${joinType}) with deletions: its changelog, applied, = DuckDB's join of what remains`, async () => {
      const out = new Collector();
      const op = createStreamJoin({ kind: 'regular', joinType, leftTypes: TYPES, rightTypes: TYPES, leftKeys: [1], rightKeys: [1] }, {});
      const deleted = new Set<number>();
      for (let i = 0; i < EVENTS; i += 500) {
        op.processLeft(batch(leftRows.slice(i, i + 500)), out.emit);
        op.processRight(batch(rightRows.slice(i, i + 500)), out.emit);
        const gone = leftRows.slice(Math.max(0, i - 1000), i).map((_, k) => Math.max(0, i - 1000) + k).filter((k) => k % 7 === 3 && !deleted.has(k));
        gone.forEach((k) => deleted.add(k));
        if (gone.length > 0) op.processLeft(batch(gone.map((k) => leftRows[k]!), gone.map(() => RowKind.Delete)), out.emit);
      }
      const remaining = leftRows.filter((_, k) => !deleted.has(k));
      fs.writeFileSync(file('remaining.ndjson'), remaining.map((r) => JSON.stringify({ ts: new Date(r[0] as number).toISOString(), user_id: r[1], page: r[2], country: r[3], duration_ms: r[4] })).join('\n'));
      const expected = await duck(`
        SELECT ${BOTH}
        FROM ${duckdbReadClickstream(file('remaining.ndjson'))} l ${SQL_JOIN[joinType]} ${duckdbReadClickstream(file('right.ndjson'))} r ON l.user_id = r.user_id`);
      const table = applyChangelog(out.rows);
      const fromDuck = new Map<string, number>();
      for (const r of expected) fromDuck.set(JSON.stringify(Object.values(r)), (fromDuck.get(JSON.stringify(Object.values(r))) ?? 0) + 1);
      expect(sortedEntries(table)).toEqual(sortedEntries(fromDuck));
    });
  }

  it('lookup join (LEFT) = DuckDB\'s join with the reference table, reloaded mid-stream', async () => {
    const ref = file('pages.csv');
    const tableCsv = (gen: number) => Array.from({ length: 100 }, (_, p) => p).filter((p) => (p + gen) % 5 !== 0).map((p) => `/products/${p},cat${(p * gen) % 7},${gen}\n`).join('');
    fs.writeFileSync(ref, tableCsv(1));
    const table = await ReferenceTable.open({ name: 'pages', key: ['page'], source: { kind: 'file', path: ref, format: 'csv' }, columns: [{ name: 'page', type: 'VARCHAR' }, { name: 'category', type: 'VARCHAR' }, { name: 'gen', type: 'BIGINT' }] });
    try {
      const op = createLookupJoin({ kind: 'lookup', joinType: 'left', table: 'pages', leftTypes: TYPES, rightTypes: ['VARCHAR', 'VARCHAR', 'BIGINT'], leftKeys: [2], rightKeys: [0] }, (n) => (n === 'pages' ? table : undefined));
      const out = new Collector();
      const half = EVENTS / 2;
      for (let i = 0; i < EVENTS; i += 700) {
        const end = Math.min(i + 700, EVENTS);
        if (i < half && end > half) {
          op.processBatch(batch(leftRows.slice(i, half)), out.emit);
          fs.writeFileSync(`${ref}.tmp`, tableCsv(2));
          fs.renameSync(`${ref}.tmp`, ref);
          await table.reload();
          op.processBatch(batch(leftRows.slice(half, end)), out.emit);
        } else op.processBatch(batch(leftRows.slice(i, end)), out.emit);
      }
      fs.writeFileSync(file('pages1.csv'), tableCsv(1));
      fs.writeFileSync(file('pages2.csv'), tableCsv(2));
      const refSql = (f: string) => `read_csv('${file(f)}', header = false, columns = {page: 'VARCHAR', category: 'VARCHAR', gen: 'BIGINT'})`;
      const expected = await duck(`
        WITH l AS (SELECT row_number() OVER () - 1 AS n, * FROM ${duckdbReadClickstream(file('left.ndjson'))})
        SELECT epoch_ms(l.ts) AS a0, l.user_id AS a1, l.page AS a2, l.country AS a3, l.duration_ms AS a4, t.page AS b0, t.category AS b1, t.gen AS b2 FROM l LEFT JOIN ${refSql('pages1.csv')} t ON l.page = t.page WHERE l.n < ${half}
        UNION ALL
        SELECT epoch_ms(l.ts) AS a0, l.user_id AS a1, l.page AS a2, l.country AS a3, l.duration_ms AS a4, t.page AS b0, t.category AS b1, t.gen AS b2 FROM l LEFT JOIN ${refSql('pages2.csv')} t ON l.page = t.page WHERE l.n >= ${half}`);
      expect(out.rows).toHaveLength(EVENTS);
      expect(out.sorted(false).map((s) => s.slice(3))).toEqual(json(expected));
      expect(new Set(out.rows.map((r) => r.values[7]))).toEqual(new Set([1, 2, null]));
    } finally {
      table.close();
    }
  });
});
