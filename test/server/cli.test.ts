import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { CreateStreamCommand, ListStreamsCommand, PutRecordCommand, StartStreamEncryptionCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/args.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { startCommand } from '../../src/cli/start.js';
import { LogStore } from '../../src/ingest/log-store.js';
import type { RunningServer } from '../../src/server/index.js';
import { clientFor, settle, startTestServer, tempDir, untilActive, type TestServer } from './helpers.js';

const run = promisify(execFile);
/** Debian's AWS CLI (apt-get install awscli), never a pyenv shim that may shadow it on PATH. */
const AWS = '/usr/bin/aws';

describe('sluice start', () => {
  it('prints where it listens, serves the SDK, and flushes the log when stopped', async () => {
    const dir = tempDir();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let server!: RunningServer;
    const args = parseCommandArgs(COMMANDS['start']!, ['--port', '0', '--data', dir, '--no-throttle']);
    const done = startCommand(args, { stdout, stderr, stop: stopped, onListening: (s) => (server = s) });
    while (!server) await settle(10);
    expect(out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(data: .*, throughput limits off\)/);
    expect(out).toContain(`:${server.port}`);
    const client = clientFor(server.url);
    await client.send(new CreateStreamCommand({ StreamName: 'started', ShardCount: 1 }));
    await settle(250);
    const put = await client.send(new PutRecordCommand({ StreamName: 'started', PartitionKey: 'k', Data: Buffer.from('kept') }));
    expect((await client.send(new ListStreamsCommand({}))).StreamNames).toEqual(['started']);
    client.destroy();
    stop();
    await done;
    const store = await LogStore.open(dir, { retentionCheckMs: 0 });
    try {
      const shard = store.getStream('started').shard(put.ShardId!);
      const read = await shard.read(shard.position({ type: 'TRIM_HORIZON' }));
      expect(read.records.map((r) => Buffer.from(r.data).toString())).toEqual(['kept']);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sluice start --kms-key-file', () => {
  it('encrypts under the named key file, and refuses to start without it', async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, 'team.key');
    fs.writeFileSync(keyFile, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const io = { stdout: new PassThrough(), stderr: new PassThrough() };
    const startArgs = (file: string) => parseCommandArgs(COMMANDS['start']!, ['--port', '0', '--data', dir, '--no-throttle', '--kms-key-file', file]);
    try {
      let stop!: () => void;
      let server!: RunningServer;
      const done = startCommand(startArgs(keyFile), { ...io, stop: new Promise<void>((resolve) => (stop = resolve)), onListening: (s) => (server = s) });
      while (!server) await settle(10);
      const client = clientFor(server.url);
      await client.send(new CreateStreamCommand({ StreamName: 'sealed', ShardCount: 1 }));
      await settle(250);
      await client.send(new StartStreamEncryptionCommand({ StreamName: 'sealed', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
      await untilActive(client, 'sealed');
      const put = await client.send(new PutRecordCommand({ StreamName: 'sealed', PartitionKey: 'k', Data: Buffer.from('under-the-team-key') }));
      expect(put.EncryptionType).toBe('KMS');
      client.destroy();
      stop();
      await done;
      expect(fs.existsSync(path.join(dir, 'keys'))).toBe(false);

      await expect(startCommand(startArgs(path.join(dir, 'absent.key')), io)).rejects.toThrow(/absent\.key does not exist/);
      await expect(LogStore.open(dir, { retentionCheckMs: 0 })).rejects.toThrow(/stream sealed is encrypted under KeyId alias\/aws\/kinesis: key file .*master\.key does not exist/);
      const store = await LogStore.open(dir, { retentionCheckMs: 0, kmsKeyFile: keyFile });
      try {
        const shard = store.getStream('sealed').shard(put.ShardId!);
        const read = await shard.read(shard.position({ type: 'TRIM_HORIZON' }));
        expect(read.records.map((r) => Buffer.from(r.data).toString())).toEqual(['under-the-team-key']);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!fs.existsSync(AWS))('the AWS CLI over HTTP/1.1', () => {
  let t: TestServer;
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  const aws = async (...args: string[]): Promise<unknown> => {
    const { stdout } = await run(AWS, ['--endpoint-url', t.server.url, '--no-cli-pager', '--output', 'json', 'kinesis', ...args], { env, timeout: 30_000 });
    return stdout.trim() ? JSON.parse(stdout) : undefined;
  };

  beforeAll(async () => {
    t = await startTestServer({ throttle: false });
  });

  afterAll(async () => {
    await t.close();
  });

  it('creates a stream, puts a record and reads it back', async () => {
    await aws('create-stream', '--stream-name', 'cli', '--shard-count', '2');
    const described = (await aws('describe-stream-summary', '--stream-name', 'cli')) as { StreamDescriptionSummary: { OpenShardCount: number } };
    expect(described.StreamDescriptionSummary.OpenShardCount).toBe(2);
    const put = (await aws('put-record', '--stream-name', 'cli', '--partition-key', 'pk', '--data', 'hello from the cli', '--cli-binary-format', 'raw-in-base64-out')) as {
      ShardId: string;
      SequenceNumber: string;
    };
    expect(put.ShardId).toMatch(/^shardId-/);
    const it0 = (await aws('get-shard-iterator', '--stream-name', 'cli', '--shard-id', put.ShardId, '--shard-iterator-type', 'TRIM_HORIZON')) as { ShardIterator: string };
    const got = (await aws('get-records', '--shard-iterator', it0.ShardIterator)) as { Records: { Data: string; PartitionKey: string; SequenceNumber: string }[] };
    expect(got.Records).toHaveLength(1);
    expect(Buffer.from(got.Records[0]!.Data, 'base64').toString()).toBe('hello from the cli');
    expect(got.Records[0]!.SequenceNumber).toBe(put.SequenceNumber);
    const listed = (await aws('list-streams')) as { StreamNames: string[] };
    expect(listed.StreamNames).toEqual(['cli']);
    await aws('start-stream-encryption', '--stream-name', 'cli', '--encryption-type', 'KMS', '--key-id', 'alias/aws/kinesis');
    await untilActive(t.client, 'cli');
    const sealed = (await aws('describe-stream-summary', '--stream-name', 'cli')) as { StreamDescriptionSummary: { EncryptionType: string; KeyId: string } };
    expect(sealed.StreamDescriptionSummary).toMatchObject({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    const missing = await run(AWS, ['--endpoint-url', t.server.url, '--no-cli-pager', 'kinesis', 'describe-stream', '--stream-name', 'nope'], { env }).catch(
      (err: { stderr: string }) => err,
    );
    expect((missing as { stderr: string }).stderr).toContain('ResourceNotFoundException');
  });
});
