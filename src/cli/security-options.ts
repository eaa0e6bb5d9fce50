/**
 * `sluice start`'s --auth, --tls-cert/--tls-key and --tls-self-signed: read and checked before
 * the server starts (a bad file stops it with a message), and the lines that tell what is open.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuthConfigError, loadAuthConfig } from '../server/auth/auth-config.js';
import { Authenticator } from '../server/auth/authenticator.js';
import { isLoopback } from '../server/auth/loopback-guard.js';
import type { StartServerOptions } from '../server/start-server.js';
import { readTlsFiles, selfSignedCertificate, TlsConfigError, type SelfSigned, type TlsMaterial } from '../server/tls-certificates.js';
import { CliError, type ParsedArgs } from './args.js';

export interface SecurityOptions {
  readonly auth?: Authenticator;
  readonly tls?: StartServerOptions['tls'];
  /** The auth file and how many users it has, for the start-up line. */
  readonly authSummary?: string;
  readonly certificate?: TlsMaterial | SelfSigned;
  /** Lines for stderr: what runs unprotected. */
  readonly warnings: string[];
}

export async function securityOptions(args: ParsedArgs, host: string, dataDir: string | null): Promise<SecurityOptions> {
  const warnings: string[] = [];
  const authFile = args.single('auth');
  let auth: Authenticator | undefined;
  let authSummary: string | undefined;
  if (authFile !== undefined) {
    try {
      const loaded = loadAuthConfig(authFile);
      if (loaded.warning) warnings.push(`warning: ${loaded.warning}`);
      auth = new Authenticator(loaded.config);
      authSummary = `${loaded.config.users.length} user${loaded.config.users.length === 1 ? '' : 's'} from ${authFile}`;
    } catch (err) {
      throw err instanceof AuthConfigError ? new CliError(`--auth ${authFile}: ${err.message}`) : err;
    }
  }
  const certificate = await tlsCertificate(args, dataDir);
  const local = host === 'localhost' || isLoopback(host);
  if (!auth) {
    warnings.push('no --auth: every request is served, unsigned or signed with any keys (DeleteStream included)');
    if (!local) warnings.push(`warning: listening on ${host} without --auth: anyone who can reach this port can read, write and delete every stream`);
  }
  if (!local && !certificate) {
    warnings.push(`warning: no TLS on ${host}: records, queries and signed requests cross the network in clear text (add --tls-cert and --tls-key)`);
  }
  return {
    ...(auth ? { auth, authSummary } : {}),
    ...(certificate ? { tls: { cert: certificate.cert, key: certificate.key }, certificate } : {}),
    warnings,
  };
}

async function tlsCertificate(args: ParsedArgs, dataDir: string | null): Promise<TlsMaterial | SelfSigned | undefined> {
  const certFile = args.single('tls-cert');
  const keyFile = args.single('tls-key');
  const selfSigned = args.flag('tls-self-signed');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new CliError('--tls-cert and --tls-key go together');
  if (selfSigned && certFile !== undefined) throw new CliError('--tls-self-signed makes its own certificate: leave out --tls-cert and --tls-key');
  try {
    if (certFile !== undefined) return readTlsFiles(certFile, keyFile!);
    if (!selfSigned) return undefined;
    // Kept with the data, so restarts keep the fingerprint; in memory, a fresh one per start.
    const dir = dataDir ? path.join(dataDir, 'tls') : fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-tls-'));
    return await selfSignedCertificate(dir);
  } catch (err) {
    throw err instanceof TlsConfigError ? new CliError(`TLS: ${err.message}`) : err;
  }
}
