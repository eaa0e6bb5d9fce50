import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CreateStreamCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { startHarness, type Harness } from './harness.js';
import { parseCommandArgs } from '../../src/cli/args.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { startCommand } from '../../src/cli/start.js';
import type { RunningServer } from '../../src/server/index.js';
import { clientFor, settle } from '../server/helpers.js';

const CHROMIUM = '/usr/bin/chromium';

/** Clicks whose event time runs 1 s per 100 ms of wall time from a fixed start, so windows close while the page watches. */
const APP = `
CREATE STREAM clicks (ts TIMESTAMP(3), page VARCHAR, ms BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE STREAM page_views AS
SELECT window_start, page, COUNT(*) AS views, AVG(ms) AS avg_ms
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY window_start, window_end, page;
CREATE OR REPLACE STREAM "PAGE_COUNTS" (page VARCHAR(16), hits BIGINT);
CREATE OR REPLACE PUMP "COUNT_PUMP" AS INSERT INTO "PAGE_COUNTS"
SELECT STREAM page, COUNT(*) FROM clicks GROUP BY page, STEP(clicks.ts BY INTERVAL '2' SECOND);
`;
const START = Date.parse('2026-11-25T00:00:00.000Z');
const PAGES = ['/home', '/cart', '/search', '/product/1', '/product/2'];

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-quic', '--disable-component-update', '--disable-sync'],
  });
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return errors;
}

/** The chart's own account of itself (set by charts.js after each draw). */
async function chartState(page: Page, selector: string): Promise<{ points: number; first: number; last: number; xMin: number; xMax: number }> {
  const d = await page.locator(selector).evaluate((el: HTMLElement) => ({ ...el.dataset }));
  return { points: Number(d['points']), first: Number(d['first']), last: Number(d['last']), xMin: Number(d['xMin']), xMax: Number(d['xMax']) };
}

/** Pixels of the canvas in `selector` within a few levels of the color `hex`: what was actually drawn. */
async function pixelsOf(page: Page, selector: string, hex: string): Promise<number> {
  return page.locator(`${selector} canvas`).evaluate((canvas: HTMLCanvasElement, color: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - r!) < 12 && Math.abs(data[i + 1]! - g!) < 12 && Math.abs(data[i + 2]! - b!) < 12) n++;
    return n;
  }, hex);
}

describe.skipIf(!fs.existsSync(CHROMIUM))('dashboard in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let producer: NodeJS.Timeout;

  beforeAll(async () => {
    h = await startHarness({}, APP);
    let second = 0;
    producer = setInterval(() => {
      const lines: string[] = [];
      for (let i = 0; i < 40; i++) {
        // Skewed (16, 10, 6, 5 and 3 clicks a second), so the keys rank clearly.
        const page = PAGES[i < 16 ? 0 : i < 26 ? 1 : i < 32 ? 2 : i < 37 ? 3 : 4]!;
        lines.push(JSON.stringify({ ts: new Date(START + second * 1000 + i * 25).toISOString(), page, ms: 100 + ((i * 37) % 400) }));
      }
      second++;
      void h.engine.runtime('clicks').ingest(Buffer.from(lines.join('\n') + '\n'));
    }, 100);
    browser = await launch();
  });

  afterAll(async () => {
    clearInterval(producer);
    await browser?.close();
    await h?.close();
  });

  it('charts each numeric column of the results by window from the live feed, with axes over the data, and the latest window as bars', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${h.server.url}/?stream=page_views`);

    const views = '#metric-charts [data-metric="views"]';
    await page.waitForFunction((s) => Number(document.querySelector<HTMLElement>(s)?.dataset['points']) >= 10, views, { timeout: 15_000 });
    const before = await chartState(page, views);
    await page.waitForFunction(([s, n]) => Number(document.querySelector<HTMLElement>(s as string)?.dataset['last']) > (n as number), [views, before.last] as const, { timeout: 10_000 });
    const after = await chartState(page, views);
    // Live: later windows arrived and were drawn.
    expect(after.last).toBeGreaterThan(before.last);
    expect(after.points).toBeGreaterThanOrEqual(before.points);
    // The windows are in event time (2026-11-25), not the wall clock, and the x axis spans exactly them, with a little room.
    expect(after.first).toBeGreaterThanOrEqual(START / 1000);
    expect(after.xMin).toBeLessThanOrEqual(after.first);
    expect(after.xMax).toBeGreaterThanOrEqual(after.last);
    expect(after.xMax - after.xMin).toBeLessThan((after.last - after.first) * 1.2 + 10);
    // Something was drawn in the first key's color, and there is one chart per numeric column.
    const firstColor = await page.locator(`${views} .u-legend .u-series:first-child .u-marker`).evaluate((m: HTMLElement) => getComputedStyle(m).borderColor);
    const hex = '#' + (firstColor.match(/\d+/g) ?? []).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('');
    expect(await pixelsOf(page, views, hex)).toBeGreaterThan(30);
    expect(await page.locator('#metric-charts .chart').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['metric']))).toEqual(['views', 'avg_ms']);
    expect(await page.locator(`${views} .u-legend .u-series`).count()).toBe(PAGES.length);
    expect(Number(await page.locator('#bars').getAttribute('data-bars'))).toBe(PAGES.length);
    expect(await page.locator('#latest-title').textContent()).toMatch(/^Latest window · 2026-11-25 \d\d:\d\d:\d\d UTC$/);

    // Rows in and out per query, each query in a chart of its own.
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#rates-charts [data-query="COUNT_PUMP"]')?.dataset['points']) >= 4);
    expect(await page.locator('#rates-charts .chart').count()).toBe(2);
    expect(await page.locator('#queries tbody tr').count()).toBe(2);
    await page.waitForFunction(() => document.querySelector('#queries tbody')?.textContent?.includes('2026-11-25'));

    const shot = path.join(os.tmpdir(), `sluice-dashboard-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expect(errors).toEqual([]);
  });

  it("tells a KDA output's windows apart by ROWTIME", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${h.server.url}/?stream=PAGE_COUNTS`);
    // A KDA application's columns are named in upper case.
    const hits = '#metric-charts [data-metric="HITS"]';
    await page.waitForFunction((s) => Number(document.querySelector<HTMLElement>(s)?.dataset['points']) >= 10, hits, { timeout: 15_000 });
    expect(await page.locator('#rows thead th').allTextContents()).toEqual(['PAGE', 'HITS', 'ROWTIME']);
    expect(await page.locator(`${hits} .u-title`).textContent()).toBe(`HITS by ROWTIME, top ${PAGES.length} PAGE`);
    const s = await chartState(page, hits);
    expect(s.last - s.first).toBeGreaterThanOrEqual(4);
    expect(errors).toEqual([]);
  });
});

describe.skipIf(!fs.existsSync(CHROMIUM))('sluice start without an application', () => {
  it("serves / with the log's streams and shards: records, bytes and the last write", async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let server!: RunningServer;
    const done = startCommand(parseCommandArgs(COMMANDS['start']!, ['--memory', '--port', '0', '--no-throttle']), { stdout, stderr: new PassThrough(), stop: stopped, onListening: (s) => (server = s) });
    while (!server) await settle(10);
    const browser = await launch();
    try {
      expect(out).toContain(`dashboard ${server.url}/ (the log's streams and shards)`);
      const client = clientFor(server.url);
      await client.send(new CreateStreamCommand({ StreamName: 'clickstream', ShardCount: 2 }));
      await settle(300);
      await client.send(new PutRecordsCommand({ StreamName: 'clickstream', Records: Array.from({ length: 100 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`{"i":${i}}`) })) }));
      client.destroy();

      const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
      const errors = watchErrors(page);
      await page.goto(`${server.url}/`);
      await page.waitForSelector('#log tr.log-stream');
      expect(await page.locator('#no-app').isVisible()).toBe(true);
      expect(await page.locator('#results').isVisible()).toBe(false);
      const stream = await page.locator('#log tr.log-stream td').allTextContents();
      expect(stream.slice(0, 3)).toEqual(['clickstream', '2 shards · ACTIVE', '100']);
      expect(stream[3]).toMatch(/^\d+(\.\d)? kB$/);
      expect(stream[4]).toMatch(/ ago$/);
      const shards = await page.locator('#log tr.log-shard').evaluateAll((rows) => rows.map((r) => Number(r.children[2]!.textContent!.replace(/,/g, ''))));
      expect(shards).toHaveLength(2);
      expect(shards.reduce((a, b) => a + b, 0)).toBe(100);
      await page.screenshot({ path: path.join(os.tmpdir(), `sluice-dashboard-log-${process.pid}.png`), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      stop();
      await done;
    }
  });
});
