/**
 * The local stand-in for KMS: master keys that wrap the data key of every encrypted segment. They
 * live in a key file (`<data>/keys/master.key`, made with mode 0600 on first use, or the file
 * `--kms-key-file` names), one per line as 64 hex digits, optionally after a name and a space:
 *
 *   # comments and blank lines are skipped
 *   alias/orders 6b1f…(64 hex digits)
 *   1234abcd-12ab-34cd-56ef-1234567890ab 0c9e…(64 hex digits)
 *
 * A KeyId (as StartStreamEncryption takes it) names a key by its name; with one key in the file
 * every KeyId maps to it, and `alias/aws/kinesis` maps to the first key. Segments record a key's
 * fingerprint, not its name, so renaming a key or adding others keeps old segments readable.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ingestErrors } from '../errors.js';
import { closeFile, fsyncDir, fsyncFile, openFile, writeAllAt } from './fs-util.js';

export const MASTER_KEY_BYTES = 32;
export const FINGERPRINT_BYTES = 8;
export const KINESIS_OWNED_KEY = 'alias/aws/kinesis';

export interface MasterKey {
  readonly name: string | undefined;
  readonly key: Buffer;
  /** SHA-256 of a label and the key, cut short: names the key in segment headers, reveals nothing of it. */
  readonly fingerprint: Buffer;
}

const KEY_LINE = /^(?:(\S+)\s+)?([0-9a-fA-F]{64})$/;
const KEY_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$|^mrk-[0-9a-fA-F]{32}$/;
const ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/.+|alias\/.+)$/;

/** The key's name as the key file would spell it: `alias/NAME` for aliases, the bare id for keys. */
export function normalizeKeyId(keyId: string): string | undefined {
  const arn = KEY_ARN.exec(keyId);
  const bare = arn ? arn[1]!.replace(/^key\//, '') : keyId;
  return KEY_ID.test(bare) || ALIAS.test(bare) ? bare : undefined;
}

export function masterKey(name: string | undefined, key: Buffer): MasterKey {
  const fingerprint = crypto.createHash('sha256').update('sluice master key\0').update(key).digest().subarray(0, FINGERPRINT_BYTES);
  return { name, key, fingerprint };
}

export class Keyring {
  private keys: Promise<readonly MasterKey[]> | undefined;

  private constructor(
    /** null: one key made for this process, for a store kept in memory. */
    readonly file: string | null,
    /** Whether a missing file is made (the default file) or is an error (a file the user named). */
    private readonly createIfMissing: boolean,
  ) {}

  /** The default key file of a data directory, made on first use. */
  static forDataDir(dir: string): Keyring {
    return new Keyring(path.join(dir, 'keys', 'master.key'), true);
  }

  /** A key file the user keeps; it must exist, readable by its owner only. */
  static fromFile(file: string): Keyring {
    return new Keyring(path.resolve(file), false);
  }

  static inMemory(): Keyring {
    return new Keyring(null, true);
  }

  /** Reads the file now, so a bad --kms-key-file stops the server at start. */
  async check(): Promise<void> {
    await this.loadExisting();
  }

  /** The master key a KeyId names; KMSNotFoundException when it names none. Makes the default file if needed. */
  async resolve(keyId: string, create = true): Promise<MasterKey> {
    const name = normalizeKeyId(keyId);
    if (name === undefined) throw ingestErrors.kmsNotFound(`Invalid keyId ${keyId}`);
    const keys = create ? await this.load(true) : await this.loadExisting();
    const named = keys.find((k) => k.name === name);
    if (named) return named;
    if (keys.length === 1 || name === KINESIS_OWNED_KEY) return keys[0]!;
    throw ingestErrors.kmsNotFound(`Key '${keyId}' does not exist in ${this.describe()}`);
  }

  /** The key with this fingerprint, or undefined; never makes a key (a new one could not read the data). */
  async find(fingerprint: Uint8Array): Promise<MasterKey | undefined> {
    return (await this.loadExisting()).find((k) => k.fingerprint.equals(fingerprint));
  }

  describe(): string {
    return this.file === null ? 'the in-memory keyring' : `key file ${this.file}`;
  }

  private async loadExisting(): Promise<readonly MasterKey[]> {
    try {
      return await this.load(false);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${this.describe()} does not exist`);
      throw err;
    }
  }

  private load(create: boolean): Promise<readonly MasterKey[]> {
    if (this.file === null) return (this.keys ??= Promise.resolve([masterKey(undefined, crypto.randomBytes(MASTER_KEY_BYTES))]));
    const file = this.file;
    const loading = (this.keys ??= readKeyFile(file).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' || !create || !this.createIfMissing) throw err;
      return [await createKeyFile(file)];
    }));
    // A failed read is not kept: the file may be fixed (or a later call may create it).
    loading.catch(() => {
      if (this.keys === loading) this.keys = undefined;
    });
    return loading;
  }
}

async function readKeyFile(file: string): Promise<MasterKey[]> {
  const stat = await fs.promises.stat(file);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new Error(`key file ${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  const keys: MasterKey[] = [];
  const lines = (await fs.promises.readFile(file, 'utf8')).split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = KEY_LINE.exec(line);
    if (!match) throw new Error(`key file ${file} line ${i + 1}: expected 64 hex digits, optionally after a key name`);
    const name = match[1] === undefined ? undefined : normalizeKeyId(match[1]);
    if (match[1] !== undefined && name === undefined) {
      throw new Error(`key file ${file} line ${i + 1}: ${match[1]} is not a KeyId (alias/NAME, a key id, or their ARNs)`);
    }
    if (name !== undefined && keys.some((k) => k.name === name)) throw new Error(`key file ${file} line ${i + 1}: ${name} is named twice`);
    keys.push(masterKey(name, Buffer.from(match[2]!, 'hex')));
  });
  if (keys.length === 0) throw new Error(`key file ${file} holds no key`);
  return keys;
}

/** A new random key, durably, readable by this user only; a file made meanwhile by another process wins. */
async function createKeyFile(file: string): Promise<MasterKey> {
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const key = crypto.randomBytes(MASTER_KEY_BYTES);
  const text = `# Sluice master key: wraps the data keys of encrypted segments. Without it they cannot be read.\n${key.toString('hex')}\n`;
  let fd: number;
  try {
    fd = await openFile(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return (await readKeyFile(file))[0]!;
    throw err;
  }
  try {
    await writeAllAt(fd, [Buffer.from(text)], 0);
    await fsyncFile(fd);
  } finally {
    await closeFile(fd);
  }
  await fsyncDir(dir);
  await fsyncDir(path.dirname(dir));
  return masterKey(undefined, key);
}
