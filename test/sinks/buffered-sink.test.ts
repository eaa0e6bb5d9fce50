import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferedSink, expandPrefix, formatTimestamp, ManualScheduler, objectName, readFrames, RecordBuffer, SinkClosedError, type Batch } from '../../src/sinks/index.js';
import { bytes, tempDir } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const dir = (): string => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
const text = (batch: Batch): string => batch.records.map((r) => Buffer.from(r).toString()).join('');

describe('RecordBuffer', () => {
  it('acknowledges concurrent appends once durable and keeps them in order', async () => {
    const d = dir();
    const { buffer, recovered } = await RecordBuffer.open(d);
    expect(recovered).toEqual([]);
    await Promise.all(Array.from({ length: 200 }, (_, i) => buffer.append([bytes(`${i},`)], 1000)));
    const files = fs.readdirSync(d);
    expect(files).toEqual(['buffer-000000000000-1000.log']);
    const frames = readFrames(fs.readFileSync(path.join(d, files[0]!)));
    expect(frames.map((f) => Buffer.from(f).toString()).join('')).toBe(Array.from({ length: 200 }, (_, i) => `${i},`).join(''));
    const sealed = await buffer.seal();
    expect(sealed?.records).toHaveLength(200);
    expect(sealed?.firstArrival).toBe(1000);
    await sealed!.discard();
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('recovers sealed and open buffers in order and stops at a corrupt frame', async () => {
    const d = dir();
    const { buffer } = await RecordBuffer.open(d);
    await buffer.append([bytes('a')], 1);
    await buffer.seal();
    await buffer.append([bytes('b'), bytes('c')], 2);
    const open = fs.readdirSync(d).sort()[1]!;
    const data = fs.readFileSync(path.join(d, open));
    data[data.length - 1] ^= 0xff; // flip a byte of the last record: its checksum no longer matches
    fs.writeFileSync(path.join(d, open), data);
    const { buffer: again, recovered } = await RecordBuffer.open(d);
    expect(recovered.map((r) => [r.firstArrival, r.records.map((x) => Buffer.from(x).toString())])).toEqual([
      [1, ['a']],
      [2, ['b']],
    ]);
    await again.append([bytes('d')], 3);
    expect(fs.readdirSync(d).sort().at(-1)).toMatch(/^buffer-000000000002-3\.log$/);
  });
});

describe('BufferedSink', () => {
  it('keeps a buffer that no target accepts, and delivers it on the next open', async () => {
    const d = dir();
    const errors: unknown[] = [];
    const scheduler = new ManualScheduler();
    const failing = await BufferedSink.open({
      dir: d,
      maxBytes: 1 << 20,
      intervalMs: 1000,
      scheduler,
      retry: { attempts: 2, sleep: async () => undefined },
      deliver: () => Promise.reject(new Error('bucket down')),
      deadLetter: () => Promise.reject(new Error('error bucket down too')),
      onError: (e) => errors.push(e),
    });
    await failing.write([bytes('x'), bytes('y')]);
    await failing.close();
    expect(errors).toHaveLength(1);
    await expect(failing.write([bytes('z')])).rejects.toBeInstanceOf(SinkClosedError);
    expect(fs.readdirSync(d)).toHaveLength(1);

    const delivered: string[] = [];
    const working = await BufferedSink.open({ dir: d, maxBytes: 1 << 20, intervalMs: 1000, scheduler, deliver: async (b) => void delivered.push(text(b)) });
    await working.flush();
    expect(delivered).toEqual(['xy']);
    expect(fs.readdirSync(d)).toEqual([]);
    await working.close();
  });

  it('works in memory, delivering on size, interval and flush', async () => {
    const scheduler = new ManualScheduler(0);
    const delivered: [number, string][] = [];
    const sink = await BufferedSink.open({ dir: null, maxBytes: 4, intervalMs: 100, scheduler, deliver: async (b) => void delivered.push([b.firstArrival, text(b)]) });
    await sink.write([bytes('ab')]);
    await sink.write([bytes('cd')]); // 4 bytes: size reached
    scheduler.advance(10);
    await sink.write([bytes('e')]);
    scheduler.advance(99);
    await sink.flush(); // flush delivers whatever is there; nothing is left for the timer
    await sink.write([bytes('f')]);
    scheduler.advance(100);
    await sink.close();
    expect(delivered).toEqual([
      [0, 'abcd'],
      [10, 'e'],
      [109, 'f'],
    ]);
    expect(scheduler.pendingTimers).toBe(0);
  });
});

describe('S3 naming', () => {
  const at = Date.UTC(2031, 11, 31, 23, 59, 58, 7);
  it('formats Java DateTimeFormatter patterns in UTC', () => {
    expect(formatTimestamp("yyyy-MM-dd'T'HH:mm:ss.SSS yy M d", at)).toBe('2031-12-31T23:59:58.007 31 12 31');
  });
  it('expands prefixes and appends the default time prefix when there is no timestamp', () => {
    expect(expandPrefix('', at)).toBe('2031/12/31/23/');
    expect(expandPrefix('a/', at)).toBe('a/2031/12/31/23/');
    expect(expandPrefix('a/!{timestamp:yyyy}/!{firehose:random-string}/', at)).toMatch(/^a\/2031\/[a-z0-9]{11}\/$/);
    expect(expandPrefix('e/!{firehose:error-output-type}/!{timestamp:HH}/', at)).toBe('e/delivery-failed/23/');
    expect(objectName('s', 3, at, 'u')).toBe('s-3-2031-12-31-23-59-58-u');
  });
});
