/**
 * Who sent a request and what they may do. `begin` checks everything the headers tell (a SigV4
 * Authorization header, a known access key, the credential scope, the clock) before the body is
 * read, so an unsigned upload is refused without buffering it; the check it returns verifies the
 * signature over the body once the route has read it. `authorize` evaluates the user's policies
 * for one action on one resource. Failures throw ApiErrors shaped as AWS's (auth-errors.ts).
 */

import type { AuthConfig, AuthUser } from './auth-config.js';
import { authErrors } from './auth-errors.js';
import { evaluate } from './policy.js';
import {
  canonicalRequest,
  credentialScope,
  formatAmzDate,
  IncompleteSignature,
  parseAmzDate,
  parseAuthorization,
  sameSignature,
  sha256Hex,
  signature,
  signingKey,
  stringToSign,
  TERMINATOR,
  type AuthorizationHeader,
  type ReceivedRequest,
} from './sigv4.js';

export interface AuthenticatorOptions {
  /** Epoch ms (default Date.now). */
  readonly clock?: () => number;
  /** How far a request's date may be from the clock, either way (default 5 minutes, as AWS). */
  readonly maxSkewMs?: number;
}

/** Verifies the signature over the body the route read; returns the signer. */
export type SignatureCheck = (body: Uint8Array) => AuthUser;

export const MAX_SKEW_MS = 5 * 60_000;

export class Authenticator {
  private readonly users = new Map<string, AuthUser>();
  /** Derived signing keys by access key and scope: four HMACs saved per request. */
  private readonly keys = new Map<string, Buffer>();
  private readonly clock: () => number;
  private readonly maxSkewMs: number;

  constructor(readonly config: AuthConfig, options: AuthenticatorOptions = {}) {
    for (const user of config.users) this.users.set(user.accessKeyId, user);
    this.clock = options.clock ?? Date.now;
    this.maxSkewMs = options.maxSkewMs ?? MAX_SKEW_MS;
  }

  /** Checks the headers of a request for `service` (the credential scope's service must name it). */
  begin(req: ReceivedRequest, service: string): SignatureCheck {
    const value = req.headers.authorization;
    const q = req.url.indexOf('?');
    const presigned = q >= 0 && /(^|&)X-Amz-Algorithm=/.test(req.url.slice(q + 1));
    if (typeof value === 'string' && presigned) {
      throw authErrors.invalid("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
    }
    if (presigned) throw authErrors.incomplete('Sluice accepts SigV4 in the Authorization header only, not as query-string parameters.');
    if (typeof value !== 'string' || value === '') throw authErrors.missing();
    let header: AuthorizationHeader;
    try {
      header = parseAuthorization(value);
    } catch (err) {
      throw err instanceof IncompleteSignature ? authErrors.incomplete(err.message) : err;
    }
    const signedAt = this.signedAt(req, value);
    const { credential, signedHeaders } = header;
    if (credential.terminator !== TERMINATOR) throw authErrors.invalid(`Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${credential.terminator}'.`);
    if (credential.service !== service) throw authErrors.invalid(`Credential should be scoped to correct service: '${service}'. `);
    if (!/^[a-z0-9-]+$/.test(credential.region)) throw authErrors.invalid(`Credential should be scoped to a valid region, not '${credential.region}'. `);
    const amzDate = formatAmzDate(signedAt);
    if (credential.date !== amzDate.slice(0, 8)) {
      throw authErrors.invalid(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${credential.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
    }
    if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority')) {
      throw authErrors.incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    // The operation is named by a header, not the body: unsigned, a captured request could be replayed as another operation.
    if (req.headers['x-amz-target'] !== undefined && !signedHeaders.includes('x-amz-target')) {
      throw authErrors.incomplete("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
    }
    const user = this.users.get(credential.accessKeyId);
    if (!user) throw authErrors.unrecognizedKey();
    const now = this.clock();
    if (signedAt < now - this.maxSkewMs) throw authErrors.expired(signedAt, now, this.maxSkewMs);
    if (signedAt > now + this.maxSkewMs) throw authErrors.notYetCurrent(signedAt, now, this.maxSkewMs);
    return (body) => {
      const canonical = canonicalRequest(req, signedHeaders, sha256Hex(body));
      const toSign = stringToSign(amzDate, credentialScope(credential), canonical);
      if (!sameSignature(signature(this.signingKey(user, header), toSign), header.signature)) throw authErrors.mismatch(canonical, toSign);
      return user;
    };
  }

  /** Throws AccessDeniedException unless `user`'s policies allow `action` on `resource` (undefined: an account-level action, `*`). */
  authorize(user: AuthUser, action: string, resource: string | undefined): void {
    const decision = evaluate(user.statements, action, resource ?? '*');
    if (decision !== 'allow') throw authErrors.accessDenied(user.arn, action, resource, decision === 'explicit-deny');
  }

  /** When the request says it was signed: X-Amz-Date, or else the Date header. */
  private signedAt(req: ReceivedRequest, authorization: string): number {
    const amz = req.headers['x-amz-date'];
    const date = req.headers.date;
    if (typeof amz === 'string') {
      const at = parseAmzDate(amz);
      if (Number.isNaN(at)) throw authErrors.incomplete(`Date must be in ISO-8601 'basic format'. Got '${amz}'. See http://en.wikipedia.org/wiki/ISO_8601`);
      return at;
    }
    if (typeof date === 'string' && !Number.isNaN(Date.parse(date))) return Date.parse(date);
    throw authErrors.incomplete(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization}`);
  }

  private signingKey(user: AuthUser, header: AuthorizationHeader): Buffer {
    const id = `${user.accessKeyId}/${credentialScope(header.credential)}`;
    let key = this.keys.get(id);
    if (!key) {
      // A key serves one day's scope; the cache never holds more than a few days' worth per user.
      if (this.keys.size > 1024) this.keys.clear();
      key = signingKey(user.secretAccessKey, header.credential);
      this.keys.set(id, key);
    }
    return key;
  }
}
