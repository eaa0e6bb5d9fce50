/**
 * The one mapping from a name a user chose (a Kinesis stream, a delivery stream, an S3 bucket, a
 * segment of an object key) to a path under a root folder. A name becomes one path component:
 * `%`, `/`, `\`, NUL and the other control characters are percent-escaped (`%2F`), and so is a
 * leading `.`, so no name can become `.`, `..`, a hidden file, a path separator or an absolute
 * path. Names made of letters, digits, `_`, `-` and inner dots (every name AWS's own patterns
 * allow, unless it starts with a dot) are left as they are.
 *
 * Every write and delete of such a path is checked with `assertInside` right before it runs.
 */

import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir } from '../ingest/log/fs-util.js';

export class PathEscapeError extends Error {
  override readonly name = 'PathEscapeError';
}

// Characters that would split, end or hide a path component, and `%` itself so decoding is exact.
const ESCAPED = /[%/\\\u0000-\u001f\u007f]/g;
const ESCAPE_SEQUENCE = /%([0-9A-F]{2})/g;

const hex = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/** The path component for `name`; throws PathEscapeError for an empty name. */
export function encodeName(name: string): string {
  if (typeof name !== 'string' || name === '') throw new PathEscapeError('an empty name has no path');
  const escaped = name.replace(ESCAPED, hex);
  return escaped.startsWith('.') ? `%2E${escaped.slice(1)}` : escaped;
}

/** The name a path component stands for; undefined when the component is not one `encodeName` makes. */
export function decodeName(component: string): string | undefined {
  if (component === '') return undefined;
  const name = component.replace(ESCAPE_SEQUENCE, (_, code: string) => String.fromCharCode(parseInt(code, 16)));
  return encodeName(name) === component ? name : undefined;
}

/** Whether `p` lies strictly inside `root` (or is `root` itself, when `orRoot`), judged on resolved paths. */
export function isInside(root: string, p: string, orRoot = false): boolean {
  if (p.includes('\0')) return false;
  const rel = path.relative(path.resolve(root), path.resolve(p));
  if (rel === '') return orRoot;
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** `p`, once it is known to lie strictly inside `root` (or to be `root`, when `orRoot`); throws PathEscapeError otherwise. */
export function assertInside(root: string, p: string, orRoot = false): string {
  if (!isInside(root, p, orRoot)) throw new PathEscapeError(`${p} is not inside ${root}`);
  return p;
}

/** `root/<name>/<name>...`, each name through `encodeName`. */
export function namedPath(root: string, ...names: string[]): string {
  if (names.length === 0) throw new PathEscapeError('a named path needs a name');
  return assertInside(root, path.join(root, ...names.map(encodeName)));
}

/**
 * Where an object key lands under a bucket's folder: each `/`-separated segment is one folder (or
 * the file), through `encodeName`, so a `..` segment is a folder named `%2E.` and cannot climb.
 * Empty segments (`a//b`, a leading `/`) are dropped, as a folder path cannot hold them.
 */
export function objectPath(root: string, key: string): string {
  const segments = key.split('/').filter((s) => s !== '');
  if (segments.length === 0) throw new PathEscapeError(`object key ${JSON.stringify(key)} names no object`);
  return namedPath(root, ...segments);
}

/**
 * Moves `root/<component>` to the folder `name` maps to: how a folder named before names were
 * encoded (`.hidden` for the name `.hidden`, now `%2Ehidden`) is brought to the current layout.
 */
export async function moveToNamedPath(root: string, component: string, name: string): Promise<string> {
  const from = assertInside(root, path.join(root, component));
  const to = namedPath(root, name);
  if (fs.existsSync(to)) throw new Error(`${name} has two folders, ${from} and ${to}; remove the stale one`);
  await fs.promises.rename(from, to);
  await fsyncDir(root);
  return to;
}
