import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datagenLines, writeNexmarkFiles, type NexmarkFiles } from '../../bench/nexmark/write.js';
import { compareResults } from '../../bench/nexmark/compare.js';
import { evaluateQuery } from '../../bench/nexmark/evaluate.js';
import { tempDir } from '../helpers/run-app.js';

const EVENTS = 2000;
const FIELDS = {
  person: ['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra'],
  auction: ['id', 'itemName', 'description', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category', 'extra'],
  bid: ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra'],
} as const;
const KINDS = ['person', 'auction', 'bid'] as const;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Event = { event_type: number } & Record<string, Record<string, unknown> | null | number>;

let dir = '';
let files: NexmarkFiles;
let events: Event[] = [];

beforeAll(() => {
  dir = tempDir('sluice-nexmark-');
  files = writeNexmarkFiles(join(dir, 'data'), { events: EVENTS, seed: 7 });
  events = readFileSync(files.datagen, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Event);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Nexmark generator', () => {
  it('gives the same bytes for the same seed, and other bytes for another', () => {
    const a = [...datagenLines({ events: EVENTS, seed: 7 })].join('\n') + '\n';
    expect(a).toBe(readFileSync(files.datagen, 'utf8'));
    expect([...datagenLines({ events: EVENTS, seed: 8 })].join('\n') + '\n').not.toBe(a);
  });

  it('mixes people, auctions and bids 1 : 3 : 46', () => {
    const counts = [0, 0, 0];
    for (const e of events) counts[e.event_type]!++;
    expect(counts).toEqual([40, 120, 1840]);
    expect(files.counts).toEqual({ persons: 40, auctions: 120, bids: 1840 });
  });

  it("shapes each line as Nexmark's datagen table: one ROW filled, its fields in order, the others null", () => {
    for (const e of events) {
      expect(Object.keys(e)).toEqual(['event_type', 'person', 'auction', 'bid']);
      KINDS.forEach((kind, type) => {
        const row = e[kind] as Record<string, unknown> | null;
        if (type !== e.event_type) return expect(row).toBeNull();
        expect(Object.keys(row!)).toEqual(FIELDS[kind]);
        for (const [k, v] of Object.entries(row!)) {
          if (k === 'dateTime' || k === 'expires') expect(v).toMatch(ISO);
          else if (typeof v === 'number') expect(Number.isSafeInteger(v)).toBe(true);
          else expect(typeof v).toBe('string');
        }
      });
    }
  });

  it('writes the view files as the ROWs of datagen, line for line', () => {
    KINDS.forEach((kind, type) => {
      const view = readFileSync(files[kind], 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
      expect(view).toEqual(events.filter((e) => e.event_type === type).map((e) => e[kind]));
    });
    expect(readFileSync(files.sideInput, 'utf8').split('\n').slice(0, 3)).toEqual(['0,0', '1,1', '2,2']);
  });

  it('advances time by 1e6 / 10,000 µs per event, never backwards; auctions expire after they open', () => {
    const times = events.map((e) => Date.parse(((e.person ?? e.auction ?? e.bid) as { dateTime: string }).dateTime));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times[0]).toBe(Date.UTC(2026, 10, 25));
    expect(times[times.length - 1]! - times[0]!).toBe(200);
    for (const e of events) if (e.auction) expect(Date.parse(e.auction['expires'] as string)).toBeGreaterThan(Date.parse(e.auction['dateTime'] as string));
  });

  it('draws ids from the hot and active spaces, and prices and channels as Nexmark does', () => {
    const bids = events.flatMap((e) => (e.bid ? [e.bid as { auction: number; bidder: number; price: number; channel: string; url: string }] : []));
    const share = (f: (b: (typeof bids)[number]) => boolean) => bids.filter(f).length / bids.length;
    // Hot auctions and bidders are the first (bidders: second) of each block of 100 ids; bidder ids run 1000 above person ids, as Nexmark's.
    expect(share((b) => b.auction % 100 === 0)).toBeGreaterThan(0.45);
    expect(share((b) => b.bidder % 100 === 1 && b.bidder >= 2000)).toBeGreaterThan(0.7);
    expect(share((b) => ['Google', 'Facebook', 'Baidu', 'Apple'].includes(b.channel))).toBeGreaterThan(0.4);
    expect(share((b) => /&channel_id=-?\d+$/.test(b.url))).toBeGreaterThan(0.3);
    for (const b of bids) expect(b.price).toBeGreaterThanOrEqual(100);
    for (const b of bids) expect(b.price).toBeLessThanOrEqual(100_000_000);
    const lastAuction = Math.max(...events.flatMap((e) => (e.auction ? [e.auction['id'] as number] : [])));
    for (const b of bids) expect(b.auction).toBeLessThanOrEqual(lastAuction + 10);
  });
});

describe('Nexmark result comparison', () => {
  const write = (name: string, rows: object[]) => {
    const path = join(dir, name);
    writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return path;
  };

  it('takes rows in any order, by position, timestamps in either engine\'s spelling, fractions within the tolerance', async () => {
    const expected = write('e1.ndjson', [{ a: 1, t: '2026-11-25 00:00:00.1', p: 535.72 }, { a: 1, t: '2026-11-25 00:00:00.1', p: 535.72 }, { a: 2, t: '2026-11-25 00:00:01', p: 1.5 }]);
    const actual = write('a1.ndjson', [{ x: 2, y: '2026-11-25T00:00:01.000Z', z: 1.5 }, { x: 1, y: '2026-11-25T00:00:00.100Z', z: 535.7200000000001 }, { x: 1, y: '2026-11-25T00:00:00.100Z', z: 535.72 }]);
    const c = await compareResults(expected, actual);
    expect(c).toMatchObject({ ok: true, expectedRows: 3, actualRows: 3, missingCount: 0, unexpectedCount: 0 });
  });

  it('reports a missing duplicate, a changed value and a changed type', async () => {
    const expected = write('e2.ndjson', [{ a: 1, b: 'x' }, { a: 1, b: 'x' }, { a: 2, b: 'y' }, { a: 3, b: '4' }]);
    const actual = write('a2.ndjson', [{ a: 1, b: 'x' }, { a: 2, b: 'z' }, { a: 3, b: 4 }]);
    const c = await compareResults(expected, actual);
    expect(c.ok).toBe(false);
    expect(c.missingCount).toBe(3);
    expect(c.unexpectedCount).toBe(2);
    expect(c.missing).toContain('[1,"x"]');
    expect(c.unexpected).toContain('[2,"z"]');
    const off = await compareResults(write('e3.ndjson', [{ p: 535.72 }]), write('a3.ndjson', [{ p: 535.73 }]));
    expect(off.ok).toBe(false);
  });
});

describe('Nexmark q0-q2 through sluice run against DuckDB', () => {
  for (const query of ['q0', 'q1', 'q2']) {
    it(`${query}: the same rows on one thread and on 2 workers as DuckDB's batch query`, async () => {
      const r = await evaluateQuery(query, files, { outDir: dir, workers: 2, timeoutMs: 30_000 });
      expect(r.status, r.detail).toBe('ok');
      expect(r.comparisons).toHaveLength(2);
      expect(r.duckdb!.rows).toBeGreaterThan(0);
      expect(r.oneThread!.rows).toBe(r.duckdb!.rows);
      expect(r.withWorkers!.rows).toBe(r.duckdb!.rows);
      if (query !== 'q2') expect(r.duckdb!.rows).toBe(1840);
    });
  }

  it('npm run bench:nexmark prints the table, exits 0 with unsupported queries, and --strict exits 1 for them', () => {
    const run = fileURLToPath(new URL('../../dist/bench/nexmark/run.js', import.meta.url));
    const r = spawnSync(process.execPath, [run, '--strict', 'q2', 'q12'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NEXMARK_EVENTS: '1000', NEXMARK_DIR: join(dir, 'runner'), NEXMARK_WORKERS: '2' },
    });
    expect(r.stdout, r.stderr).toMatch(/^query\s+\| status\s+\| events\/s 1 thread\s+\| events\/s 2 workers\s+\| DuckDB\s+\| rows sluice \/ DuckDB$/m);
    expect(r.stdout).toMatch(/^q2 Selection\s+\| ok/m);
    const q12 = /^q12 Processing Time Windows\s+\| (.*)$/m.exec(r.stdout);
    expect(q12).not.toBeNull();
    // q12 has no batch equivalent: whether Sluice runs it or not, the runner says which without failing.
    const unsupported = /^unsupported/.test(q12![1]!);
    if (!unsupported) expect(q12![1]).toMatch(/^ran.*no batch equivalent/);
    expect(r.status).toBe(unsupported ? 1 : 0);
    const plain = spawnSync(process.execPath, [run, 'q12'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NEXMARK_EVENTS: '1000', NEXMARK_DIR: join(dir, 'runner') } });
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).toContain('reusing 1000 events');
  });
});
