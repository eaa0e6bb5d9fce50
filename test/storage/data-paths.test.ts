import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertInside, decodeName, encodeName, isInside, moveToNamedPath, namedPath, objectPath, PathEscapeError } from '../../src/storage/data-paths.js';

/** Names that have gone wrong somewhere: dots, separators, escapes, control characters, unicode. */
const hostileName = fc.oneof(
  fc.constantFrom('.', '..', '...', '.hidden', 'a/../b', '../x', '%2e', '%2E.', '%', '%25', 'a%2Fb', '\\..\\x', '/etc/passwd', 'C:\\x', 'a\u0000b', '\u0085', 'café', '☃/..'),
  fc.string({ unit: fc.constantFrom('.', '/', '\\', '%', '2', 'E', 'e', 'a', '-', '_', 'é', '\u0000', '\n', '\u007f'), minLength: 1, maxLength: 128 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
);

describe('the name mapping', () => {
  it('turns every name into one path component that is not . or .., holds no separator or NUL, and decodes back', () => {
    fc.assert(
      fc.property(hostileName, (name) => {
        const component = encodeName(name);
        expect(component).not.toBe('.');
        expect(component).not.toBe('..');
        expect(component.startsWith('.')).toBe(false);
        expect(component).not.toMatch(/[/\\\u0000-\u001f\u007f]/);
        expect(path.isAbsolute(component)).toBe(false);
        expect(decodeName(component)).toBe(name);
        const root = path.join(os.tmpdir(), 'root');
        const p = namedPath(root, name);
        expect(path.dirname(p)).toBe(root);
        expect(isInside(root, p)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves the names AWS allows alone unless they start with a dot, so existing folders keep their names', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9_-][a-zA-Z0-9_.-]{0,127}$/), (name) => {
        expect(encodeName(name)).toBe(name);
      }),
      { numRuns: 300 },
    );
    expect([encodeName('.'), encodeName('..'), encodeName('.hidden'), encodeName('%2e'), encodeName('a/b')]).toEqual(['%2E', '%2E.', '%2Ehidden', '%252e', 'a%2Fb']);
  });

  it('decodes only what it encodes', () => {
    for (const component of ['%2e', '%41', '%C3%A9', '.x', '%2', '%zz', 'a%2', '']) expect(decodeName(component), component).toBeUndefined();
    expect(decodeName('%2E.')).toBe('..');
    expect(() => encodeName('')).toThrow(PathEscapeError);
  });

  it('puts every object key inside its bucket, one folder per segment, whatever the key holds', () => {
    const root = path.join(os.tmpdir(), 'bucket');
    const key = fc.array(fc.oneof(hostileName, fc.constant('')), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('/'));
    fc.assert(
      fc.property(key, (k) => {
        const segments = k.split('/').filter((s) => s !== '');
        fc.pre(segments.length > 0);
        const p = objectPath(root, k);
        expect(isInside(root, p)).toBe(true);
        expect(path.relative(root, p).split(path.sep).map(decodeName)).toEqual(segments);
      }),
      { numRuns: 500 },
    );
    expect(path.relative(root, objectPath(root, '../../etc/passwd'))).toBe(path.join('%2E.', '%2E.', 'etc', 'passwd'));
    expect(() => objectPath(root, '//')).toThrow(PathEscapeError);
  });

  it('judges containment on resolved paths, and refuses the root itself unless asked', () => {
    expect(isInside('/data/firehose', '/data/firehose/..')).toBe(false);
    expect(isInside('/data/firehose', '/data/firehose/.')).toBe(false);
    expect(isInside('/data/firehose', '/data/firehose/.', true)).toBe(true);
    expect(isInside('/data/firehose', '/data/firehose-other/x')).toBe(false);
    expect(isInside('/data/firehose', '/data/firehose/..x')).toBe(true);
    expect(isInside('/data/firehose', '/data/firehose/a\u0000')).toBe(false);
    expect(() => assertInside('/data/s3', '/data/s3/../firehose')).toThrow(/is not inside/);
  });

  it('moves a folder named before names were encoded to where its name maps now', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-names-'));
    try {
      fs.mkdirSync(path.join(root, '.hidden'));
      fs.writeFileSync(path.join(root, '.hidden', 'stream.json'), '{}');
      const moved = await moveToNamedPath(root, '.hidden', '.hidden');
      expect(moved).toBe(path.join(root, '%2Ehidden'));
      expect(fs.readdirSync(root)).toEqual(['%2Ehidden']);
      fs.mkdirSync(path.join(root, '.hidden'));
      await expect(moveToNamedPath(root, '.hidden', '.hidden')).rejects.toThrow(/two folders/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
