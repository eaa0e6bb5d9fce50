import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllowedPaths, PathNotAllowedError } from '../../src/storage/allowed-paths.js';

const data = path.join(os.tmpdir(), 'sluice-data');
const extra = path.join(os.tmpdir(), 'sluice-exports');

describe('where a caller-given file path may land', () => {
  it('takes relative paths from the data directory and keeps them inside it', () => {
    const files = new AllowedPaths(data);
    expect(files.resolve('analytics.duckdb', 'DuckDB file')).toBe(path.join(data, 'analytics.duckdb'));
    expect(files.resolve('out/a/b.ndjson', 'sink path')).toBe(path.join(data, 'out', 'a', 'b.ndjson'));
    expect(files.resolve(path.join(data, 'x.duckdb'), 'DuckDB file')).toBe(path.join(data, 'x.duckdb'));
    for (const outside of ['../x.duckdb', 'a/../../x', '/etc/cron.d/x', path.join(extra, 'x.duckdb'), '.', '']) {
      expect(() => files.resolve(outside, 'DuckDB file'), outside).toThrow(PathNotAllowedError);
    }
    expect(() => files.resolve('/tmp/x.duckdb', 'DuckDB file')).toThrow(/--allow-path DIR/);
  });

  it("refuses the folders and files that hold Sluice's own state", () => {
    const files = new AllowedPaths(data, ['/']);
    for (const own of ['streams/s/stream.json', 'firehose/x/stream.json', 'trash/x', 'apps/1/checkpoint.json', 'keys/master.key', 'tls/localhost-key.pem', 'LOCK', 'kinesis-api.json', path.join(data, 'streams', 'x')]) {
      expect(() => files.resolve(own, 'sink path'), own).toThrow(/keeps its own state/);
    }
    expect(files.resolve('s3/bucket/t.duckdb', 'sink path')).toBe(path.join(data, 's3', 'bucket', 't.duckdb'));
  });

  it('opens the folders given with --allow-path, and nothing beside them', () => {
    const files = new AllowedPaths(data, [extra]);
    expect(files.resolve(path.join(extra, 'deep', 'x.duckdb'), 'DuckDB file')).toBe(path.join(extra, 'deep', 'x.duckdb'));
    expect(() => files.resolve(`${extra}-sibling/x.duckdb`, 'DuckDB file')).toThrow(PathNotAllowedError);
    expect(() => files.resolve(path.join(extra, '..', 'x.duckdb'), 'DuckDB file')).toThrow(PathNotAllowedError);
    expect(() => files.resolve(extra, 'DuckDB file')).toThrow(PathNotAllowedError);
  });

  it('without a data directory, takes only absolute paths inside allowed folders', () => {
    const files = new AllowedPaths(null, [extra]);
    expect(() => files.resolve('x.duckdb', 'DuckDB file')).toThrow(/no data directory/);
    expect(files.resolve(path.join(extra, 'x.duckdb'), 'DuckDB file')).toBe(path.join(extra, 'x.duckdb'));
    expect(() => new AllowedPaths(null).resolve('/tmp/x.duckdb', 'DuckDB file')).toThrow(/--allow-path/);
  });
});
