import { createHash, randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  evenHashKeyRanges,
  HASH_KEY_MAX,
  parseHashKey,
  partitionKeyHashKey,
  shardIdOf,
  shardIndexOf,
} from '../../src/ingest/hashing.js';
import { crc32, crc32Of } from '../../src/ingest/log/checksum.js';
import { compareSequenceNumbers, formatSequenceNumber, parseSequenceNumber, SequenceCounter } from '../../src/ingest/sequence-number.js';

const md5Key = (key: string): bigint => BigInt(`0x${createHash('md5').update(key, 'utf8').digest('hex')}`);

describe('partition key hashing', () => {
  it('matches known MD5 digests read as unsigned big-endian integers', () => {
    // md5('') = d41d8cd98f00b204e9800998ecf8427e, md5('a') = 0cc175b9c0f1b6a831c399e269772661
    expect(partitionKeyHashKey('')).toBe(0xd41d8cd98f00b204e9800998ecf8427en);
    expect(partitionKeyHashKey('a')).toBe(0x0cc175b9c0f1b6a831c399e269772661n);
    expect(partitionKeyHashKey('The quick brown fox jumps over the lazy dog')).toBe(0x9e107d9d372bb6826bd81d3542a419d6n);
  });

  it('hashes the UTF-8 bytes, for short, block-boundary, long and non-ASCII keys', () => {
    const keys = ['user-1', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'k'.repeat(1000), 'ü€😀', 'é'.repeat(300), '\ud800'];
    for (let i = 0; i < 200; i++) keys.push(randomBytes(1 + (i % 90)).toString('base64'));
    for (const key of keys) expect(partitionKeyHashKey(key), key).toBe(md5Key(key));
  });
});

describe('hash key ranges', () => {
  it('gives one shard the whole space', () => {
    expect(evenHashKeyRanges(1)).toEqual([{ startingHashKey: 0n, endingHashKey: HASH_KEY_MAX }]);
  });

  it('splits like CreateStream: floor(2^128 / n) wide, the last ending at 2^128 - 1', () => {
    expect(evenHashKeyRanges(3).map((r) => [r.startingHashKey.toString(), r.endingHashKey.toString()])).toEqual([
      ['0', '113427455640312821154458202477256070484'],
      ['113427455640312821154458202477256070485', '226854911280625642308916404954512140969'],
      ['226854911280625642308916404954512140970', '340282366920938463463374607431768211455'],
    ]);
    expect(evenHashKeyRanges(2)[1]!.startingHashKey).toBe(1n << 127n);
  });

  it('tiles the space without gaps for any count', () => {
    for (const n of [1, 2, 5, 7, 16, 100, 1000]) {
      const ranges = evenHashKeyRanges(n);
      const width = (HASH_KEY_MAX + 1n) / BigInt(n);
      expect(ranges[0]!.startingHashKey).toBe(0n);
      expect(ranges[n - 1]!.endingHashKey).toBe(HASH_KEY_MAX);
      for (let i = 0; i < n; i++) {
        if (i > 0) expect(ranges[i]!.startingHashKey).toBe(ranges[i - 1]!.endingHashKey + 1n);
        if (i < n - 1) expect(ranges[i]!.endingHashKey - ranges[i]!.startingHashKey + 1n).toBe(width);
      }
    }
  });

  it('parses decimal hash keys and refuses anything else', () => {
    expect(parseHashKey('0')).toBe(0n);
    expect(parseHashKey(HASH_KEY_MAX.toString())).toBe(HASH_KEY_MAX);
    for (const bad of ['', '-1', '01', '1.5', '0x10', (HASH_KEY_MAX + 1n).toString(), ' 1']) {
      expect(() => parseHashKey(bad), bad).toThrow(/hash key/);
    }
  });

  it('names shards as Kinesis does', () => {
    expect(shardIdOf(0)).toBe('shardId-000000000000');
    expect(shardIdOf(42)).toBe('shardId-000000000042');
    expect(shardIndexOf('shardId-000000000042')).toBe(42);
    expect(shardIndexOf('shard-42')).toBeUndefined();
  });
});

describe('record checksum', () => {
  it('equals zlib.crc32 over any range', () => {
    const data = randomBytes(4096);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < 300; i++) {
      const start = (i * 37) % 1000;
      const end = start + ((i * 101) % 3000);
      expect(crc32(data, view, start, end)).toBe(zlib.crc32(data.subarray(start, end)));
    }
    expect(crc32Of(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('sequence numbers', () => {
  it('are fixed-width decimals that round-trip shard and ordinal', () => {
    const s = formatSequenceNumber(3, 12345);
    expect(s).toMatch(/^[1-9][0-9]{28}$/);
    expect(parseSequenceNumber(s)).toEqual({ shardIndex: 3, ordinal: 12345 });
    expect(parseSequenceNumber('49554751971385712311965096607999491514675643249030332418')).toBeUndefined();
    expect(parseSequenceNumber('abc')).toBeUndefined();
  });

  it('come out of the counter in increasing order, across its internal carries', () => {
    const counter = new SequenceCounter(7, 99_990);
    let previous = '';
    for (let i = 0; i < 30; i++) {
      const ordinal = counter.ordinal;
      const s = counter.take();
      expect(s).toBe(formatSequenceNumber(7, ordinal));
      if (previous) expect(compareSequenceNumbers(previous, s)).toBeLessThan(0);
      expect(BigInt(s) > BigInt(previous || '0')).toBe(true);
      previous = s;
    }
  });

  it('compare numerically even at different lengths', () => {
    expect(compareSequenceNumbers('9', '10')).toBeLessThan(0);
    expect(compareSequenceNumbers('10', '10')).toBe(0);
    expect(compareSequenceNumbers(formatSequenceNumber(1, 0), formatSequenceNumber(0, 5))).toBeGreaterThan(0);
  });
});
