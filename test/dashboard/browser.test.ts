import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startHarness, type Harness } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!fs.existsSync(CHROMIUM))('dashboard in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let producer: NodeJS.Timeout;

  beforeAll(async () => {
    h = await startHarness();
    let next = 0;
    producer = setInterval(() => {
      void h.push(next, 20);
      next += 20;
    }, 100);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-quic', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    clearInterval(producer);
    await browser?.close();
    await h?.close();
  });

  it('shows the queries and live rows of an output stream, without errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${h.server.url}/`);

    await page.waitForFunction(() => Number(document.querySelector('#row-count')?.getAttribute('data-count')) > 0, undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('#rows tbody tr').length > 0);
    expect(await page.locator('#pick').inputValue()).toBe('echo');
    expect(await page.locator('#rows thead th').allTextContents()).toEqual(['id', 'pad']);
    await page.waitForFunction(() => document.querySelector('#queries tbody')?.textContent?.includes('src → echo'));
    await page.waitForSelector('#chart .uplot canvas');

    const shot = path.join(os.tmpdir(), `sluice-dashboard-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    const png = fs.readFileSync(shot);
    expect(png.length).toBeGreaterThan(0);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(errors).toEqual([]);
  });
});
