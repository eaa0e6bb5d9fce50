import fs from 'node:fs';
import { CreateApplicationCommand, StartApplicationCommand, type KinesisAnalyticsClient } from '@aws-sdk/client-kinesis-analytics';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachDashboard } from '../../src/server/dashboard-route.js';
import { eventually, startTestServer, type TestServer } from '../server/helpers.js';
import { analyticsClient, createStreams, ROLE, streamArn, tickerApp, untilRecords, untilStatus } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';

interface AppReport {
  name: string;
  status: string;
  version: number;
  inputs: { stream: string; namePrefix: string; startingPosition: string | null }[];
  outputs: { name: string; target: string; format: string }[];
  queries: { name: string; rowsIn: number; rowsOut: number }[];
  notices: { message: string }[];
}

describe('Kinesis Analytics applications on the dashboard', () => {
  let t: TestServer;
  let ka: KinesisAnalyticsClient;

  beforeAll(async () => {
    t = await startTestServer({ throttle: false });
    attachDashboard(t.server.server, null, { log: t.server.store });
    ka = analyticsClient(t.server.url);
    await createStreams(t.client, 'in', 'out');
    const output = { Name: 'DESTINATION_SQL_STREAM', KinesisStreamsOutput: { ResourceARN: streamArn('out'), RoleARN: ROLE }, DestinationSchema: { RecordFormatType: 'JSON' as const } };
    await ka.send(new CreateApplicationCommand(tickerApp('shown', 'in', { Outputs: [output] })));
    await ka.send(new StartApplicationCommand({ ApplicationName: 'shown', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }] }));
    await untilStatus(ka, 'shown', 'RUNNING');
    await t.client.send(new PutRecordsCommand({ StreamName: 'in', Records: [{ PartitionKey: 'k', Data: Buffer.from('{"ticker":"AMZN","quote":{"price":12}}') }] }));
    await untilRecords(t.client, 'out', 1);
  });

  afterAll(async () => {
    ka?.destroy();
    await t?.close();
  });

  it('GET /api/applications reports status, inputs, outputs and what each engine ran', async () => {
    let apps: AppReport[] = [];
    await eventually('rows counted', async () => {
      apps = ((await (await fetch(`${t.server.url}/api/applications`)).json()) as { applications: AppReport[] }).applications;
      return apps[0]!.queries.some((q) => q.rowsOut > 0);
    });
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({
      name: 'shown',
      status: 'RUNNING',
      version: 1,
      inputs: [{ stream: 'in', namePrefix: 'SOURCE_SQL_STREAM', startingPosition: 'NOW' }],
      outputs: [{ name: 'DESTINATION_SQL_STREAM', target: 'out', format: 'JSON' }],
    });
    expect(apps[0]!.queries.map((q) => q.name)).toEqual(['STREAM_PUMP', 'SLUICE$OUTPUT_PUMP_2.1']);
    expect(apps[0]!.notices.map((n) => n.message)).toContain('reading stream in into SOURCE_SQL_STREAM_001');
  });

  it.skipIf(!fs.existsSync(CHROMIUM))('the page lists them (skipped when /usr/bin/chromium is missing)', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${t.server.url}/`);
      await page.waitForSelector('#apps-card:not([hidden]) #apps tbody tr', { timeout: 10_000 });
      const cells = await page.locator('#apps tbody tr td').allTextContents();
      expect(cells.slice(0, 5)).toEqual(['shown', 'RUNNING', '1', 'in → SOURCE_SQL_STREAM_001 (NOW)', 'DESTINATION_SQL_STREAM → out (JSON)']);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
