import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { loadAuthConfig } from '../../../src/server/auth/auth-config.js';
import { Authenticator, type AuthenticatorOptions } from '../../../src/server/auth/authenticator.js';

/** The README's example auth file: the tests run against the file users copy. */
export const EXAMPLE_AUTH_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'auth.json');

export function exampleAuthenticator(options: AuthenticatorOptions = {}): Authenticator {
  return new Authenticator(loadAuthConfig(EXAMPLE_AUTH_FILE).config, options);
}

/** A user's keys from the example file, by name. */
export function keysOf(name: string): AwsCredentialIdentity {
  const user = loadAuthConfig(EXAMPLE_AUTH_FILE).config.users.find((u) => u.name === name);
  if (!user) throw new Error(`no user ${name} in ${EXAMPLE_AUTH_FILE}`);
  return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
}

/** SHA-256 and HMAC-SHA-256 in the shape @smithy/signature-v4 takes (the SDK's own, without its bundle). */
export class NodeSha256 {
  private readonly hash: crypto.Hash | crypto.Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? crypto.createHash('sha256') : crypto.createHmac('sha256', toBuffer(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {}
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export interface SignOptions {
  readonly credentials: AwsCredentialIdentity;
  readonly service: string;
  readonly region?: string;
  /** Sign as of this moment (default now). */
  readonly at?: Date;
}

/**
 * Headers that sign an HTTP/1.1 request with the SDK's own signer (an implementation other than the
 * one under test); `authority` is the Host header, host:port.
 */
export async function signedHeaders(
  request: { method: string; authority: string; path: string; headers: Record<string, string>; body: string | Buffer },
  options: SignOptions,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: options.credentials, region: options.region ?? 'us-east-1', service: options.service, sha256: NodeSha256 });
  const [hostname, port] = request.authority.split(':');
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: hostname!,
      port: port === undefined ? undefined : Number(port),
      path: request.path,
      query: {},
      headers: { host: request.authority, ...request.headers },
      body: request.body,
    },
    options.at ? { signingDate: options.at } : {},
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') headers[name] = value;
  return headers;
}
