import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { CliError, parseCommandArgs } from '../../src/cli/args.js';
import { securityOptions } from '../../src/cli/security-options.js';
import { startCommand } from '../../src/cli/start.js';
import { COMMANDS } from '../../src/cli/commands.js';
import type { RunningServer } from '../../src/server/index.js';
import { EXAMPLE_AUTH_FILE, keysOf } from '../server/auth/helpers.js';
import { clientFor, settle } from '../server/helpers.js';

const args = (...argv: string[]) => parseCommandArgs(COMMANDS['start']!, [...argv]);

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-start-'));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('sluice start: what is open, said at start', () => {
  it('says that it runs open without --auth, and warns when that is reachable from elsewhere, or unencrypted', async () => {
    expect((await securityOptions(args(), '127.0.0.1', null)).warnings).toEqual(['no --auth: every request is served, unsigned or signed with any keys (DeleteStream included)']);
    const exposed = (await securityOptions(args('--host', '0.0.0.0'), '0.0.0.0', null)).warnings;
    expect(exposed).toHaveLength(3);
    expect(exposed[1]).toBe('warning: listening on 0.0.0.0 without --auth: anyone who can reach this port can read, write and delete every stream');
    expect(exposed[2]).toMatch(/^warning: no TLS on 0\.0\.0\.0: .* clear text/);
    const guarded = await securityOptions(args('--auth', EXAMPLE_AUTH_FILE), '0.0.0.0', null);
    expect(guarded.authSummary).toBe(`3 users from ${EXAMPLE_AUTH_FILE}`);
    expect(guarded.warnings.filter((w) => !w.includes('chmod 600'))).toEqual([expect.stringMatching(/^warning: no TLS on 0\.0\.0\.0/)]);
  });

  it('stops on a bad auth file or TLS flags that do not fit, naming the problem', async () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'users.json');
      fs.writeFileSync(file, JSON.stringify({ users: [{ name: 'a', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(20), policies: [{ Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: {} } }] }] }), { mode: 0o600 });
      const bad = await failure(securityOptions(args('--auth', file), '127.0.0.1', null));
      expect(bad).toBeInstanceOf(CliError);
      expect(bad.message).toBe(`--auth ${file}: users[0].policies[0].Statement[0]: Condition is not supported by Sluice; write the statement without it`);
      expect((await failure(securityOptions(args('--auth', path.join(dir, 'missing.json')), '127.0.0.1', null))).message).toMatch(/cannot read/);
      expect((await failure(securityOptions(args('--tls-cert', file), '127.0.0.1', null))).message).toBe('--tls-cert and --tls-key go together');
      expect((await failure(securityOptions(args('--tls-self-signed', '--tls-cert', file, '--tls-key', file), '127.0.0.1', null))).message).toMatch(/leave out --tls-cert/);
      expect((await failure(securityOptions(args('--tls-cert', file, '--tls-key', file), '127.0.0.1', null))).message).toMatch(/^TLS: .* is not a PEM certificate/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with --auth and --tls-self-signed: serves https, keeps the certificate with the data, prints its fingerprint, and refuses the wrong keys', async () => {
    const dir = tempDir();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let server: RunningServer | undefined;
    const done = startCommand(args('--port', '0', '--data', dir, '--no-throttle', '--auth', EXAMPLE_AUTH_FILE, '--tls-self-signed'), {
      stdout,
      stderr,
      stop: stopped,
      onListening: (s) => (server = s),
    });
    try {
      while (!server) await settle(10);
      const certPath = path.join(dir, 'tls', 'localhost-cert.pem');
      expect(out).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+ /);
      expect(out).toContain('SigV4 auth: 3 users from');
      expect(out).toContain(`self-signed certificate for localhost, 127.0.0.1, ::1 made at ${certPath}`);
      expect(out).toMatch(/TLS certificate SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}\n/);
      expect(out).toContain(`--ca-bundle ${certPath} kinesis list-streams`);
      expect(err).not.toContain('no --auth');
      const ca = fs.readFileSync(certPath, 'utf8');
      const handler = (): NodeHttp2Handler => new NodeHttp2Handler({ nodeHttp2ConnectOptions: { ca } });
      const admin = clientFor(server.url, { credentials: keysOf('admin'), requestHandler: handler() });
      const stranger = clientFor(server.url, { credentials: { accessKeyId: 'AKIASTRANGER00000001', secretAccessKey: 'whatever-it-is-12345' }, requestHandler: handler() });
      try {
        expect((await admin.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
        await expect(stranger.send(new ListStreamsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
      } finally {
        admin.destroy();
        stranger.destroy();
      }
    } finally {
      stop();
      await done;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
