/**
 * AWS Signature Version 4, the verifying side: the canonical request and string to sign that a
 * client built for its `Authorization: AWS4-HMAC-SHA256 ...` header, rebuilt from what arrived, and
 * the signature compared in constant time. Paths are normalized and URI-encoded as for every
 * service but S3; the payload hash is always the hash of the body received, so a body changed in
 * transit (or a client that signs `UNSIGNED-PAYLOAD`) fails. Checked against AWS's SigV4 test suite.
 */

import crypto from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const TERMINATOR = 'aws4_request';

export type HeaderValue = string | readonly string[] | undefined;

/** What a signature covers: the request line and headers as received, and the whole body. */
export interface ReceivedRequest {
  readonly method: string;
  /** The request target as sent: a percent-encoded path and an optional `?query`. */
  readonly url: string;
  /** Lower-case names (HTTP/2 pseudo-headers included); a header sent more than once as an array. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
}

export interface Credential {
  readonly accessKeyId: string;
  /** YYYYMMDD */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
}

export interface AuthorizationHeader {
  readonly credential: Credential;
  /** Lower-case header names, in the order the client listed them. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export class IncompleteSignature extends Error {
  override readonly name = 'IncompleteSignature';
}

/** Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`; throws IncompleteSignature naming what is missing. */
export function parseAuthorization(value: string): AuthorizationHeader {
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) throw new IncompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'. Sluice accepts ${ALGORITHM}.`);
  const params = new Map<string, string>();
  for (const part of value.slice(space + 1).split(/[,\s]+/)) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq), part.slice(eq + 1));
  }
  let missing = '';
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!params.get(name)) missing += `Authorization header requires '${name}' parameter. `;
  }
  if (missing) throw new IncompleteSignature(`${missing}Authorization=${value}`);
  const parts = params.get('Credential')!.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    throw new IncompleteSignature(`Credential must have the form <AccessKeyId>/<YYYYMMDD>/<region>/<service>/${TERMINATOR}. Authorization=${value}`);
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  return {
    credential: { accessKeyId, date, region, service, terminator },
    signedHeaders: params.get('SignedHeaders')!.split(';').map((h) => h.toLowerCase()),
    signature: params.get('Signature')!,
  };
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, `!'()*` included. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The path with empty, `.` and `..` segments resolved, each segment encoded once more (AWS's double encoding outside S3). */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(uriEncode(segment));
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

/** Parameters decoded, re-encoded strictly, and sorted by name then value. */
export function canonicalQuery(query: string): string {
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([uriEncode(decode(name)), uriEncode(decode(value))]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** A header's values joined by commas, each trimmed and its runs of spaces squeezed to one. */
export function canonicalHeaderValue(value: HeaderValue): string {
  const values = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

export function sha256Hex(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export function canonicalRequest(request: ReceivedRequest, signedHeaders: readonly string[], payloadHash: string): string {
  const q = request.url.indexOf('?');
  const path = q < 0 ? request.url : request.url.slice(0, q);
  const query = q < 0 ? '' : request.url.slice(q + 1);
  const headers = signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request.headers[name])}\n`).join('');
  return [request.method.toUpperCase(), canonicalUri(path), canonicalQuery(query), headers, signedHeaders.join(';'), payloadHash].join('\n');
}

export function credentialScope(credential: Credential): string {
  return `${credential.date}/${credential.region}/${credential.service}/${credential.terminator}`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secret: string, credential: Credential): Buffer {
  let key: Buffer = Buffer.from(`AWS4${secret}`, 'utf8');
  for (const part of [credential.date, credential.region, credential.service, credential.terminator]) {
    key = crypto.createHmac('sha256', key).update(part, 'utf8').digest();
  }
  return key;
}

export function signature(key: Buffer, toSign: string): string {
  return crypto.createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

/** Equal hex signatures, compared in time that does not depend on where they differ. */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** `20150830T123600Z` → epoch ms; NaN when it is not ISO 8601 basic format. */
export function parseAmzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? ms : NaN;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
