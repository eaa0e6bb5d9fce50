/**
 * The file `sluice start --auth` reads: users with access keys and IAM identity-based policies.
 *
 *   {"users": [{"name": "app", "accessKeyId": "AKIA...", "secretAccessKey": "...",
 *               "policies": [{"Version": "2012-10-17", "Statement": [...]}]}]}
 *
 * Everything is checked at load, so a typo stops the server instead of opening or closing it
 * silently. Users live in the one account whose ARNs Sluice reports (000000000000).
 */

import fs from 'node:fs';
import { ACCOUNT_ID } from '../../ingest/api/errors.js';
import { parsePolicy, PolicyError, type Statement } from './policy.js';

export interface AuthUser {
  readonly name: string;
  /** `arn:aws:iam::000000000000:user/<name>`, as access denied messages name the caller. */
  readonly arn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly statements: readonly Statement[];
}

export interface AuthConfig {
  readonly users: readonly AuthUser[];
}

export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

/** IAM's user name and access key id alphabets. */
const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCESS_KEY_ID = /^\w{16,128}$/;
/** A short secret makes a captured signature cheap to brute-force offline. */
export const MIN_SECRET_LENGTH = 16;

export function parseAuthConfig(json: unknown): AuthConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new AuthConfigError('the auth file must hold a JSON object: {"users": [...]}');
  const doc = json as Record<string, unknown>;
  for (const key of Object.keys(doc)) if (key !== 'users') throw new AuthConfigError(`unknown key ${key} (the file has "users" only)`);
  if (!Array.isArray(doc.users) || doc.users.length === 0) throw new AuthConfigError('"users" must be a non-empty list');
  const users = doc.users.map((u, i) => parseUser(u, `users[${i}]`));
  const seen = new Map<string, string>();
  for (const u of users) {
    for (const [kind, value] of [['name', u.name], ['accessKeyId', u.accessKeyId]] as const) {
      const key = `${kind}:${value}`;
      if (seen.has(key)) throw new AuthConfigError(`two users have ${kind} ${value}`);
      seen.set(key, u.name);
    }
  }
  return { users };
}

function parseUser(value: unknown, where: string): AuthUser {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AuthConfigError(`${where} must be an object`);
  const u = value as Record<string, unknown>;
  for (const key of Object.keys(u)) {
    if (!['name', 'accessKeyId', 'secretAccessKey', 'policies'].includes(key)) throw new AuthConfigError(`${where} has an unknown key ${key}`);
  }
  if (typeof u.name !== 'string' || !USER_NAME.test(u.name)) throw new AuthConfigError(`${where}.name must be 1-64 characters of letters, digits and +=,.@_-`);
  if (typeof u.accessKeyId !== 'string' || !ACCESS_KEY_ID.test(u.accessKeyId)) {
    throw new AuthConfigError(`${where}.accessKeyId must be 16-128 letters, digits or _ (AWS keys look like AKIAIOSFODNN7EXAMPLE)`);
  }
  if (typeof u.secretAccessKey !== 'string' || u.secretAccessKey.length < MIN_SECRET_LENGTH) {
    throw new AuthConfigError(`${where}.secretAccessKey must be a string of at least ${MIN_SECRET_LENGTH} characters (openssl rand -base64 30 makes one)`);
  }
  if (!Array.isArray(u.policies)) throw new AuthConfigError(`${where}.policies must be a list of policy documents (empty: the user may do nothing)`);
  const statements: Statement[] = [];
  u.policies.forEach((p, i) => {
    try {
      statements.push(...parsePolicy(p, `${where}.policies[${i}]`));
    } catch (err) {
      throw err instanceof PolicyError ? new AuthConfigError(err.message) : err;
    }
  });
  return { name: u.name, arn: `arn:aws:iam::${ACCOUNT_ID}:user/${u.name}`, accessKeyId: u.accessKeyId, secretAccessKey: u.secretAccessKey, statements };
}

export interface LoadedAuthConfig {
  readonly config: AuthConfig;
  /** Set when others than the owner may read the file, which holds secret keys. */
  readonly warning?: string;
}

export function loadAuthConfig(file: string): LoadedAuthConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AuthConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AuthConfigError(`${file} is not JSON: ${(err as Error).message}`);
  }
  const config = parseAuthConfig(json);
  const mode = fs.statSync(file).mode;
  const warning = process.platform !== 'win32' && (mode & 0o077) !== 0 ? `${file} holds secret keys and others may read it (chmod 600 ${file})` : undefined;
  return warning ? { config, warning } : { config };
}
