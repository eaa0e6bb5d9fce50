import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { parseAuthConfig } from '../../../src/server/auth/auth-config.js';
import { Authenticator } from '../../../src/server/auth/authenticator.js';
import { canonicalQuery, canonicalRequest, canonicalUri, credentialScope, parseAuthorization, sha256Hex, stringToSign, type HeaderValue } from '../../../src/server/auth/sigv4.js';
import type { ApiError } from '../../../src/ingest/api/errors.js';
import { NodeSha256 } from './helpers.js';

const SUITE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sigv4');

interface Vector {
  readonly name: string;
  readonly context: { credentials: { access_key_id: string; secret_access_key: string }; region: string; service: string; timestamp: string };
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, HeaderValue>;
  readonly body: Buffer;
  readonly canonical: string;
  readonly toSign: string;
}

/** A signed request as the suite writes it: request line, `Name:value` lines (continuations folded), blank line, body. */
function readVector(name: string): Vector {
  const dir = path.join(SUITE, name);
  const raw = fs.readFileSync(path.join(dir, 'header-signed-request.txt'), 'utf8');
  const blank = raw.indexOf('\n\n');
  const head = blank < 0 ? raw : raw.slice(0, blank);
  const lines = head.split('\n');
  const first = lines.shift()!;
  const method = first.slice(0, first.indexOf(' '));
  const url = first.slice(method.length + 1, first.lastIndexOf(' '));
  const headers: Record<string, string[]> = {};
  let last: string[] | undefined;
  for (const line of lines) {
    if (/^\s/.test(line) && last) {
      last[last.length - 1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    const key = line.slice(0, colon).toLowerCase();
    last = headers[key] ??= [];
    last.push(line.slice(colon + 1));
  }
  const length = Number(headers['content-length']?.[0] ?? 0);
  const body = Buffer.from(blank < 0 ? '' : raw.slice(blank + 2), 'utf8').subarray(0, length);
  return {
    name,
    context: JSON.parse(fs.readFileSync(path.join(dir, 'context.json'), 'utf8')),
    method,
    url,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.length === 1 ? v[0]! : v])),
    body,
    canonical: fs.readFileSync(path.join(dir, 'header-canonical-request.txt'), 'utf8'),
    toSign: fs.readFileSync(path.join(dir, 'header-string-to-sign.txt'), 'utf8'),
  };
}

const vectors = fs.readdirSync(SUITE).filter((n) => fs.statSync(path.join(SUITE, n)).isDirectory()).map(readVector);

function authenticatorFor(v: Vector, now = Date.parse(v.context.timestamp)): Authenticator {
  const config = parseAuthConfig({
    users: [{ name: 'example', accessKeyId: 'AKIDEXAMPLE00000', secretAccessKey: v.context.credentials.secret_access_key, policies: [] }],
  });
  // The suite's key id is shorter than IAM's; the verifier does not care how a key id looks.
  const user = { ...config.users[0]!, accessKeyId: v.context.credentials.access_key_id };
  return new Authenticator({ users: [user] }, { clock: () => now });
}

function thrown(f: () => unknown): ApiError {
  try {
    f();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected a throw');
}

describe("AWS's SigV4 test suite", () => {
  it('has the cases', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(30);
  });

  for (const v of vectors) {
    it(`${v.name}: rebuilds the canonical request and string to sign, and accepts the signature`, () => {
      const header = parseAuthorization(v.headers.authorization as string);
      const canonical = canonicalRequest(v, header.signedHeaders, sha256Hex(v.body));
      expect(canonical).toBe(v.canonical);
      expect(stringToSign(v.headers['x-amz-date'] as string, credentialScope(header.credential), canonical)).toBe(v.toSign);
      const user = authenticatorFor(v).begin(v, v.context.service)(v.body);
      expect(user.name).toBe('example');
    });
  }

  it('refuses a signature with one character changed, and a body changed after signing', () => {
    const v = vectors.find((x) => x.name === 'post-x-www-form-urlencoded')!;
    const auth = v.headers.authorization as string;
    const flipped = auth.slice(0, -1) + (auth.endsWith('0') ? '1' : '0');
    const bad = thrown(() => authenticatorFor(v).begin({ ...v, headers: { ...v.headers, authorization: flipped } }, v.context.service)(v.body));
    expect(bad.type).toBe('InvalidSignatureException');
    expect(bad.message).toContain(`The Canonical String for this request should have been\n'${v.canonical}'`);
    const tampered = thrown(() => authenticatorFor(v).begin(v, v.context.service)(Buffer.from('Param1=value2')));
    expect(tampered.type).toBe('InvalidSignatureException');
  });

  it('names the skew the way AWS does, both ways', () => {
    const v = vectors.find((x) => x.name === 'get-vanilla')!;
    const signedAt = Date.parse(v.context.timestamp);
    const late = thrown(() => authenticatorFor(v, signedAt + 6 * 60_000).begin(v, 'service'));
    expect(late.type).toBe('InvalidSignatureException');
    expect(late.message).toBe('Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T124200Z - 5 min.)');
    const early = thrown(() => authenticatorFor(v, signedAt - 6 * 60_000).begin(v, 'service'));
    expect(early.message).toBe('Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T123000Z + 5 min.)');
    expect(() => authenticatorFor(v, signedAt + 4 * 60_000).begin(v, 'service')(v.body)).not.toThrow();
  });

  it('checks the credential scope: service, terminator, date', () => {
    const v = vectors.find((x) => x.name === 'get-vanilla')!;
    expect(thrown(() => authenticatorFor(v).begin(v, 'kinesis')).message).toBe("Credential should be scoped to correct service: 'kinesis'. ");
    const otherDay = { ...v, headers: { ...v.headers, authorization: (v.headers.authorization as string).replace('/20150830/', '/20150831/') } };
    expect(thrown(() => authenticatorFor(v).begin(otherDay, 'service')).message).toMatch(/^Date in Credential scope does not match/);
    const terminator = { ...v, headers: { ...v.headers, authorization: (v.headers.authorization as string).replace('aws4_request', 'aws5_request') } };
    expect(thrown(() => authenticatorFor(v).begin(terminator, 'service')).message).toContain("not 'aws5_request'");
  });

  it('reports what an incomplete Authorization header lacks', () => {
    const v = vectors.find((x) => x.name === 'get-vanilla')!;
    const partial = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';
    const err = thrown(() => authenticatorFor(v).begin({ ...v, headers: { ...v.headers, authorization: partial } }, 'service'));
    expect(err.type).toBe('IncompleteSignatureException');
    expect(err.message).toBe(`Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${partial}`);
  });
});

describe('canonical forms', () => {
  it('encodes a path received percent-encoded once more, as every service but S3 signs it', () => {
    expect(canonicalUri('/a%20b/./c/../d')).toBe('/a%2520b/d');
    expect(canonicalUri('/')).toBe('/');
  });

  it('sorts query parameters by name then value, encoded strictly', () => {
    expect(canonicalQuery('b=2&a=2&a=1&c')).toBe('a=1&a=2&b=2&c=');
    expect(canonicalQuery("x=(it's)*")).toBe('x=%28it%27s%29%2A');
  });
});

describe('requests signed by the AWS SDK signer', () => {
  it('verifies what @smithy/signature-v4 signs, over HTTP/2 pseudo-headers too', async () => {
    const credentials = { accessKeyId: 'AKIASLUICETEST0001', secretAccessKey: 'a-secret-of-enough-length' };
    const signer = new SignatureV4({ credentials, region: 'eu-west-1', service: 'kinesis', sha256: NodeSha256 });
    const body = '{"StreamName":"clicks"}';
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname: 'sluice.test',
      path: '/',
      query: { b: 'x y', a: '1' },
      headers: { ':authority': 'sluice.test:4567', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.DescribeStream' },
      body,
    });
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const config = parseAuthConfig({ users: [{ name: 'app', ...credentials, policies: [] }] });
    const auth = new Authenticator(config);
    const req = { method: 'POST', url: '/?b=x%20y&a=1', headers };
    expect(auth.begin(req, 'kinesis')(Buffer.from(body)).name).toBe('app');
    expect(thrown(() => auth.begin(req, 'kinesis')(Buffer.from(body.replace('clicks', 'orders')))).type).toBe('InvalidSignatureException');
    const unsignedTarget = { ...req, headers: { ...headers, authorization: (headers.authorization as string).replace(';x-amz-target', '') } };
    expect(thrown(() => auth.begin(unsignedTarget, 'kinesis')).type).toBe('IncompleteSignatureException');
  });
});
