import fs from 'node:fs';
import { CreateApplicationCommand, StartApplicationCommand, StopApplicationCommand, TagResourceCommand, ListTagsForResourceCommand } from '@aws-sdk/client-kinesis-analytics';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { describe as group, expect, it } from 'vitest';
import { settle, startTestServer, tempDir } from '../server/helpers.js';
import { analyticsClient, createStreams, describe, readStream, ROLE, streamArn, tickerApp, untilRecords, untilStatus } from './helpers.js';

const output = { Name: 'DESTINATION_SQL_STREAM', KinesisStreamsOutput: { ResourceARN: streamArn('out'), RoleARN: ROLE }, DestinationSchema: { RecordFormatType: 'JSON' as const } };

group('applications across a restart of Sluice', () => {
  it('come back in the state they were in; a RUNNING one goes on from its checkpoint, reading each record once', async () => {
    const dir = tempDir();
    try {
      let t = await startTestServer({ dataDir: dir, throttle: false, analytics: { checkpointIntervalMs: 100 } });
      let ka = analyticsClient(t.server.url);
      await createStreams(t.client, 'in', 'out');
      await ka.send(new CreateApplicationCommand(tickerApp('kept-running', 'in', { Outputs: [output] })));
      await ka.send(new CreateApplicationCommand(tickerApp('kept-ready', 'in', { ApplicationDescription: 'never started' })));
      await ka.send(new TagResourceCommand({ ResourceARN: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/kept-ready', Tags: [{ Key: 'env', Value: 'test' }] }));
      await ka.send(new StartApplicationCommand({ ApplicationName: 'kept-running', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } }] }));
      await untilStatus(ka, 'kept-running', 'RUNNING');
      await t.client.send(new PutRecordCommand({ StreamName: 'in', PartitionKey: 'a', Data: Buffer.from('{"ticker":"ONE","quote":{"price":11}}') }));
      await untilRecords(t.client, 'out', 1);
      const before = await describe(ka, 'kept-running');
      ka.destroy();
      await t.close();
      expect(fs.existsSync(`${dir}/analytics/kept-running/application.json`)).toBe(true);
      expect(fs.existsSync(`${dir}/analytics/kept-running/checkpoint/checkpoint.json`)).toBe(true);

      t = await startTestServer({ dataDir: dir, throttle: false, analytics: { checkpointIntervalMs: 100 } });
      ka = analyticsClient(t.server.url);
      try {
        await untilStatus(ka, 'kept-running', 'RUNNING');
        const after = await describe(ka, 'kept-running');
        expect(after).toEqual(before);
        const ready = await describe(ka, 'kept-ready');
        expect(ready).toMatchObject({ ApplicationStatus: 'READY', ApplicationDescription: 'never started', ApplicationVersionId: 1 });
        expect((await ka.send(new ListTagsForResourceCommand({ ResourceARN: ready.ApplicationARN! }))).Tags).toEqual([{ Key: 'env', Value: 'test' }]);
        await t.client.send(new PutRecordCommand({ StreamName: 'in', PartitionKey: 'a', Data: Buffer.from('{"ticker":"TWO","quote":{"price":12}}') }));
        await untilRecords(t.client, 'out', 2);
        await settle(400);
        expect((await readStream(t.client, 'out')).map((r) => JSON.parse(r).ticker_symbol)).toEqual(['ONE', 'TWO']);
      } finally {
        ka.destroy();
        await t.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a data directory keep nothing, but LAST_STOPPED_POINT still goes on from where the last run stopped', async () => {
    const t = await startTestServer({ dataDir: null, throttle: false, analytics: { checkpointIntervalMs: 100 } });
    const ka = analyticsClient(t.server.url);
    const start = (position: 'TRIM_HORIZON' | 'LAST_STOPPED_POINT') =>
      ka.send(new StartApplicationCommand({ ApplicationName: 'in-memory', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: position } }] }));
    try {
      await createStreams(t.client, 'in', 'out');
      await ka.send(new CreateApplicationCommand(tickerApp('in-memory', 'in', { Outputs: [output] })));
      await t.client.send(new PutRecordCommand({ StreamName: 'in', PartitionKey: 'a', Data: Buffer.from('{"ticker":"ONE","quote":{"price":11}}') }));
      await start('TRIM_HORIZON');
      await untilStatus(ka, 'in-memory', 'RUNNING');
      await untilRecords(t.client, 'out', 1);
      await ka.send(new StopApplicationCommand({ ApplicationName: 'in-memory' }));
      await untilStatus(ka, 'in-memory', 'READY');
      await t.client.send(new PutRecordCommand({ StreamName: 'in', PartitionKey: 'a', Data: Buffer.from('{"ticker":"TWO","quote":{"price":12}}') }));
      await start('LAST_STOPPED_POINT');
      await untilStatus(ka, 'in-memory', 'RUNNING');
      await untilRecords(t.client, 'out', 2);
      await settle(300);
      expect((await readStream(t.client, 'out')).map((r) => JSON.parse(r).ticker_symbol)).toEqual(['ONE', 'TWO']);
    } finally {
      ka.destroy();
      await t.close();
    }
  });

  it('keep each application in one folder of <data>/analytics, whatever its name', async () => {
    const dir = tempDir();
    try {
      let t = await startTestServer({ dataDir: dir, throttle: false });
      let ka = analyticsClient(t.server.url);
      for (const name of ['..', '.hidden', 'plain.name']) await ka.send(new CreateApplicationCommand({ ApplicationName: name }));
      ka.destroy();
      await t.close();
      expect(fs.readdirSync(`${dir}/analytics`).sort()).toEqual(['%2E.', '%2Ehidden', 'plain.name']);
      expect(fs.existsSync(`${dir}/analytics/%2E./application.json`)).toBe(true);
      t = await startTestServer({ dataDir: dir, throttle: false });
      ka = analyticsClient(t.server.url);
      try {
        expect((await describe(ka, '..')).ApplicationName).toBe('..');
        expect((await describe(ka, '.hidden')).ApplicationStatus).toBe('READY');
      } finally {
        ka.destroy();
        await t.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
