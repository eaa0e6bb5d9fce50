import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_COUNTRIES, generateClickstream, generateClickstreamCsv, writeClickstreamFile } from '../../bench/clickstream.js';

interface Click {
  ts: string;
  user_id: string;
  page: string;
  country: string;
  duration_ms: number;
}

describe('clickstream generator', () => {
  it('is deterministic per seed and writes the documented line format', () => {
    const a = [...generateClickstream({ events: 1000, seed: 1 })];
    const b = [...generateClickstream({ events: 1000, seed: 1 })];
    const c = [...generateClickstream({ events: 1000, seed: 2 })];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toHaveLength(1000);
    for (const line of a) {
      expect(line).toMatch(/^\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","user_id":"u\d+","page":"\/products\/\d+","country":"[A-Z]{2}","duration_ms":\d+\}$/);
    }
  });

  it('advances at eventsPerSecond and is never later than maxLatenessMs, so a 2 s watermark drops nothing', () => {
    const start = Date.UTC(2026, 10, 25);
    const events = [...generateClickstream({ events: 20_000, seed: 3, startMs: start, eventsPerSecond: 500 })].map((l) => JSON.parse(l) as Click);
    let maxSeen = -Infinity;
    events.forEach((e, k) => {
      const ts = Date.parse(e.ts);
      const nominal = start + Math.floor((k * 1000) / 500);
      expect(ts).toBeLessThanOrEqual(nominal);
      expect(ts).toBeGreaterThanOrEqual(nominal - 1000);
      // The watermark `ts - INTERVAL '2' SECOND` trails the largest ts seen so far.
      expect(ts).toBeGreaterThanOrEqual(maxSeen - 2000);
      maxSeen = Math.max(maxSeen, ts);
    });
    // Out of order, as promised, not merely sorted.
    expect(events.some((e, k) => k > 0 && Date.parse(e.ts) < Date.parse(events[k - 1]!.ts))).toBe(true);
    expect(Date.parse(events.at(-1)!.ts)).toBeGreaterThan(start + 39_000 - 1000);
  });

  it('draws users, pages and countries from the configured ranges, with about 1% XX', () => {
    const events = [...generateClickstream({ events: 50_000, seed: 4, users: 50, pages: 7 })].map((l) => JSON.parse(l) as Click);
    expect(new Set(events.map((e) => e.user_id)).size).toBe(50);
    expect(new Set(events.map((e) => e.page))).toEqual(new Set(Array.from({ length: 7 }, (_, k) => `/products/${k}`)));
    const xx = events.filter((e) => e.country === 'XX').length / events.length;
    expect(xx).toBeGreaterThan(0.005);
    expect(xx).toBeLessThan(0.02);
    expect(new Set(events.map((e) => e.country))).toEqual(new Set([...DEFAULT_COUNTRIES, 'XX']));
    expect(events.every((e) => Number.isInteger(e.duration_ms) && e.duration_ms >= 1)).toBe(true);
    const custom = [...generateClickstream({ events: 2000, seed: 4, countries: ['NO'] })].map((l) => (JSON.parse(l) as Click).country);
    expect(new Set(custom)).toEqual(new Set(['NO', 'XX']));
  });

  it('gives every event its own page with distinctPages', () => {
    const pages = [...generateClickstream({ events: 5000, distinctPages: true })].map((l) => (JSON.parse(l) as Click).page);
    expect(new Set(pages).size).toBe(5000);
  });

  it('writes CSV with the same events in the column order ts,user_id,page,country,duration_ms', () => {
    const json = [...generateClickstream({ events: 500, seed: 6 })].map((l) => JSON.parse(l) as Click);
    const csv = [...generateClickstreamCsv({ events: 500, seed: 6 })];
    expect(csv).toEqual(json.map((e) => `${e.ts},${e.user_id},${e.page},${e.country},${e.duration_ms}`));
  });

  it('streams a file that equals the generated lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-clicks-'));
    try {
      const path = join(dir, 'clicks.ndjson');
      await writeClickstreamFile(path, { events: 30_000, seed: 9 });
      expect(await readFile(path, 'utf8')).toBe([...generateClickstream({ events: 30_000, seed: 9 })].map((l) => l + '\n').join(''));
      const csvPath = join(dir, 'clicks.csv');
      await writeClickstreamFile(csvPath, { events: 1000, seed: 9, format: 'csv' });
      expect(await readFile(csvPath, 'utf8')).toBe([...generateClickstreamCsv({ events: 1000, seed: 9 })].map((l) => l + '\n').join(''));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
