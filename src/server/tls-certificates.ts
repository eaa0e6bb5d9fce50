/**
 * Certificates for `sluice start`: a pair of PEM files given with --tls-cert/--tls-key, checked
 * before the server listens, or with --tls-self-signed a development certificate for localhost,
 * 127.0.0.1 and ::1 that is made once and kept (so its fingerprint stays the same across
 * restarts) until it nears its end. The generator (the `selfsigned` package) loads only when one
 * is needed.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** SHA-256 of the certificate, colon-separated hex, as browsers and `openssl x509 -fingerprint -sha256` show it. */
  readonly fingerprint: string;
  readonly notAfter: Date;
}

export interface SelfSigned extends TlsMaterial {
  readonly certPath: string;
  readonly keyPath: string;
  /** False when an earlier start's certificate was kept. */
  readonly created: boolean;
}

export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}

export const SELF_SIGNED_NAMES = ['localhost', '127.0.0.1', '::1'] as const;
const VALID_DAYS = 365;
/** A kept certificate this close to its end is made anew. */
const RENEW_BEFORE_MS = 7 * 24 * 3600_000;

/** Parses and pairs a certificate with its key; throws TlsConfigError saying what is wrong. */
export function tlsMaterial(cert: string, key: string, names = { cert: 'certificate', key: 'key' }): TlsMaterial {
  let x509: crypto.X509Certificate;
  try {
    x509 = new crypto.X509Certificate(cert);
  } catch (err) {
    throw new TlsConfigError(`${names.cert} is not a PEM certificate: ${(err as Error).message}`);
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(key);
  } catch (err) {
    throw new TlsConfigError(`${names.key} is not a PEM private key: ${(err as Error).message}`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new TlsConfigError(`${names.key} is not the key of ${names.cert}`);
  return { cert, key, fingerprint: x509.fingerprint256, notAfter: new Date(x509.validTo) };
}

/** --tls-cert FILE --tls-key FILE */
export function readTlsFiles(certFile: string, keyFile: string): TlsMaterial {
  const read = (file: string): string => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new TlsConfigError(`cannot read ${file}: ${(err as Error).message}`);
    }
  };
  return tlsMaterial(read(certFile), read(keyFile), { cert: certFile, key: keyFile });
}

/** The development certificate under `dir` (`localhost-cert.pem`, `localhost-key.pem`), made if missing, unusable or near its end. */
export async function selfSignedCertificate(dir: string, now = Date.now()): Promise<SelfSigned> {
  const certPath = path.join(dir, 'localhost-cert.pem');
  const keyPath = path.join(dir, 'localhost-key.pem');
  if (fs.existsSync(certPath) && fs.existsSync(keyPath)) {
    try {
      const kept = tlsMaterial(fs.readFileSync(certPath, 'utf8'), fs.readFileSync(keyPath, 'utf8'));
      if (kept.notAfter.getTime() - now > RENEW_BEFORE_MS) return { ...kept, certPath, keyPath, created: false };
    } catch {
      // Unreadable or mismatched: made anew below.
    }
  }
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(now - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + VALID_DAYS * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  fs.mkdirSync(dir, { recursive: true });
  writePrivately(keyPath, pems.private);
  fs.writeFileSync(certPath, pems.cert);
  return { ...tlsMaterial(pems.cert, pems.private), certPath, keyPath, created: true };
}

/** Written under a temporary name with mode 0600, then renamed: the key is never readable by others, nor half-written. */
function writePrivately(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text, { mode: 0o600 });
  fs.renameSync(temp, file);
}
