import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHarness, type Harness } from './harness.js';

interface Message {
  type: 'history' | 'rows';
  stream: string;
  columns?: { name: string; type: string }[];
  rows: { id: number; pad: string }[];
}

/** A client that records every message and how it closed. */
function watch(url: string): { ws: WebSocket; messages: Message[]; opened: Promise<void>; closed: Promise<{ code: number; reason: string }> } {
  const ws = new WebSocket(url);
  const messages: Message[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Message));
  ws.on('error', () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return { ws, messages, opened, closed };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ids = (messages: Message[]): number[] => messages.flatMap((m) => m.rows.map((r) => r.id));

describe('WebSocket feeds', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ historyRows: 200, socketHighWaterBytes: 64 * 1024, maxQueuedBytes: 256 * 1024, closeGraceMs: 5000 });
  });
  afterEach(async () => {
    await h.close();
  });

  it('sends the last rows on connect, then each new batch', async () => {
    await h.push(0, 300);
    const c = watch(h.feedUrl('echo'));
    await c.opened;
    await until(() => c.messages.length >= 1);
    const history = c.messages[0]!;
    expect(history.type).toBe('history');
    expect(history.stream).toBe('echo');
    // echo has no TIMESTAMP column of its own, so its rows carry ROWTIME.
    expect(history.columns).toEqual([{ name: 'id', type: 'BIGINT' }, { name: 'pad', type: 'VARCHAR' }, { name: 'ROWTIME', type: 'TIMESTAMP' }]);
    expect(history.rows.map((r) => r.id)).toEqual(Array.from({ length: 200 }, (_, i) => 100 + i));
    expect(Date.parse((history.rows[0] as unknown as { ROWTIME: string }).ROWTIME)).toBeGreaterThan(Date.now() - 60_000);
    await h.push(300, 5);
    await until(() => c.messages.length >= 2);
    expect(c.messages[1]).toMatchObject({ type: 'rows', stream: 'echo' });
    expect(c.messages[1]!.rows.map((r) => r.id)).toEqual([300, 301, 302, 303, 304]);
    c.ws.close();
  });

  it('closes a client that stops reading with 1013 "too slow", while a fast client keeps up', async () => {
    const fast = watch(h.feedUrl('echo'));
    const slow = watch(h.feedUrl('echo'));
    await Promise.all([fast.opened, slow.opened]);
    slow.ws.pause();
    // Rows of ~1 KB, until the kernel buffers and the slow client's queue are full.
    let pushed = 0;
    while (h.dashboard.feeds.droppedSlow === 0 && pushed < 100_000) {
      await h.push(pushed, 1000, 1000);
      pushed += 1000;
      await new Promise((r) => setImmediate(r));
    }
    expect(h.dashboard.feeds.droppedSlow).toBe(1);
    slow.ws.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/too slow/);
    // The fast client got every row, and keeps getting new ones.
    await until(() => ids(fast.messages).length === pushed, 10_000);
    await h.push(pushed, 3);
    await until(() => ids(fast.messages).length === pushed + 3);
    expect(ids(fast.messages).slice(-3)).toEqual([pushed, pushed + 1, pushed + 2]);
    expect(fast.ws.readyState).toBe(WebSocket.OPEN);
    expect(h.dashboard.feeds.stats('echo').clients).toBe(1);
    fast.ws.close();
  });

  it('closes a feed of an unknown stream with 1008 and the name', async () => {
    const c = watch(h.feedUrl('no_such_stream'));
    const closed = await c.closed;
    expect(closed).toEqual({ code: 1008, reason: 'unknown stream: no_such_stream' });
    expect(c.messages).toEqual([]);
  });

  it('survives garbage: bad frames, oversized messages, broken handshakes', async () => {
    const talker = watch(h.feedUrl('echo'));
    await talker.opened;
    talker.ws.send('hello?');
    talker.ws.send('x'.repeat(10_000));
    expect((await talker.closed).code).toBe(1009);

    const { port } = h.server;
    const raw = (text: string | Buffer): Promise<string> =>
      new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
        let got = '';
        socket.on('data', (d) => (got += d.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(got));
        setTimeout(() => socket.destroy(), 1500);
      });
    const handshake = 'GET /feeds/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n';
    expect(await raw(handshake + '\r\n')).toMatch(/^HTTP\/1.1 400/);
    const afterGarbage = await raw(Buffer.concat([Buffer.from(handshake + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'), Buffer.from([0xff, 0xff, 0x00, 0x13, 0x37, 0x42])]));
    expect(afterGarbage).toMatch(/^HTTP\/1.1 101/);

    await h.push(0, 2);
    const res = await fetch(`${h.server.url}/api/streams`);
    expect(res.status).toBe(200);
  });

  it('GET /api/streams lists streams, columns and queries with rates', async () => {
    await h.push(0, 50);
    const res = await fetch(`${h.server.url}/api/streams`);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { streams: unknown[]; queries: Record<string, unknown>[] };
    expect(body.streams).toEqual(
      expect.arrayContaining([
        { name: 'src', columns: [{ name: 'id', type: 'BIGINT' }, { name: 'pad', type: 'VARCHAR' }], output: false, clients: 0, rowsSeen: 0 },
        { name: 'echo', columns: [{ name: 'id', type: 'BIGINT' }, { name: 'pad', type: 'VARCHAR' }], output: true, clients: 0, rowsSeen: 50 },
        expect.objectContaining({ name: 'error_stream', output: true }),
      ]),
    );
    expect(body.queries).toHaveLength(1);
    expect(body.queries[0]).toEqual({
      name: 'echo', source: 'src', target: 'echo', rowsIn: 50, rowsOut: 50, rowsInPerSec: expect.any(Number), rowsOutPerSec: expect.any(Number), openGroups: 0,
      watermark: null, lagMs: null,
    });
    expect(body).toMatchObject({ errors: { total: 0, perSec: 0 }, log: false });
    expect((await fetch(`${h.server.url}/api/log`)).status).toBe(404);

    const page = await fetch(`${h.server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/dashboard/app.js');
    for (const path of ['/dashboard/app.js', '/dashboard/style.css', '/vendor/uplot.iife.min.js', '/vendor/uplot.min.css']) {
      expect((await fetch(h.server.url + path)).status, path).toBe(200);
    }
  });
});

describe('feeds of windowed results', () => {
  it("a KDA output's rows carry ROWTIME, the end of their window; the query reports its watermark and lag, and errors are counted", async () => {
    const h = await startHarness({}, `CREATE STREAM src (ts TIMESTAMP, page VARCHAR);
CREATE OR REPLACE STREAM "DEST" (page VARCHAR(8), n BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
SELECT STREAM page, COUNT(*) FROM src GROUP BY page, STEP(src.ts BY INTERVAL '10' SECOND);
CREATE STREAM views AS SELECT window_start, page, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, page;`);
    try {
      const lines = ['{"ts":"2026-01-01T00:00:01Z","page":"a"}', '{"ts":"2026-01-01T00:00:02Z","page":"b"}', '{"ts":"2026-01-01T00:00:12Z","page":"a"}', 'not json'];
      await h.engine.runtime('src').ingest(Buffer.from(lines.join('\n') + '\n'));
      const dest = watch(h.feedUrl('DEST'));
      const views = watch(h.feedUrl('views'));
      await until(() => dest.messages.length >= 1 && views.messages.length >= 1);
      // The pump's stream has KDA's names; the Flink-style query's keep theirs.
      expect(dest.messages[0]!.columns).toEqual([{ name: 'PAGE', type: 'VARCHAR' }, { name: 'N', type: 'BIGINT' }, { name: 'ROWTIME', type: 'TIMESTAMP' }]);
      expect(dest.messages[0]!.rows).toEqual([
        { PAGE: 'a', N: 1, ROWTIME: '2026-01-01T00:00:10.000Z' },
        { PAGE: 'b', N: 1, ROWTIME: '2026-01-01T00:00:10.000Z' },
      ]);
      // A result with a time column of its own gets no ROWTIME.
      expect(views.messages[0]!.columns!.map((c) => c.name)).toEqual(['window_start', 'page', 'n']);
      const body = (await (await fetch(`${h.server.url}/api/streams`)).json()) as { queries: { name: string; watermark: string; lagMs: number }[]; errors: { total: number } };
      const p = body.queries.find((q) => q.name === 'P')!;
      expect(p.watermark).toBe('2026-01-01T00:00:12.000Z');
      expect(p.lagMs).toBeGreaterThan(Date.now() - Date.parse('2026-01-01T00:00:12.000Z') - 60_000);
      expect(body.errors.total).toBe(1);
      dest.ws.close();
      views.ws.close();
    } finally {
      await h.close();
    }
  });
});
