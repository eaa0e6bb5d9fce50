/**
 * Live feeds of output streams over WebSocket: `ws://host:port/feeds/<stream>`.
 *
 * Messages, server to client, one JSON text frame each:
 *
 *   {"type":"history","stream":"page_views","columns":[{"name":"page","type":"VARCHAR"},…],"rows":[…]}
 *       once, on connect: the last `historyRows` rows of the stream (oldest first), possibly none;
 *   {"type":"rows","stream":"page_views","rows":[{"page":"/a","views":3,…},…]}
 *       one per batch the engine emits into the stream.
 *
 * Rows are plain objects (TIMESTAMP as ISO-8601 strings, as `toObjects` gives). A stream without
 * a TIMESTAMP column of its own (a KDA output) also carries ROWTIME, the end of the row's window,
 * so its windows can be told apart; it is then the last of `columns`.
 * Clients have nothing to say: what they send is ignored (frames over 4 KiB close the socket).
 *
 * A slow client never stalls the engine. Each batch is serialised once and handed to every
 * client; while a client's socket holds more than `socketHighWaterBytes` unsent, batches wait in
 * its own queue, and once that queue passes `maxQueuedBytes` the client is closed with 1013
 * "too slow" (and cut off for good if it does not read that within `closeGraceMs`). An unknown
 * stream is closed with 1008 and a reason naming it.
 */

import { WebSocketServer, WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from '../runtime/engine.js';
import { ROWTIME, userFields, type StreamDef } from '../planner/catalog.js';
import type { OutputRows } from '../operators/operator.js';
import type { Field } from '../planner/types.js';
import { toObjects, type Row } from '../runtime/rows.js';
import type { SluiceServer } from './sluice-server.js';

export interface FeedsOptions {
  /** Rows kept per stream and sent to a client on connect (default 1,000: some 20 windows of 50 keys). */
  readonly historyRows?: number;
  /** Unsent bytes a client's socket may hold before batches queue in the app (default 256 KiB). */
  readonly socketHighWaterBytes?: number;
  /** Bytes a client's app queue may hold before it is closed as too slow (default 1 MiB). */
  readonly maxQueuedBytes?: number;
  /** How long a closed client has to read its close frame before its socket is cut (default 2 s). */
  readonly closeGraceMs?: number;
}

export const FEEDS_PATH = '/feeds/';
export const CLOSE_TOO_SLOW = 1013;
export const CLOSE_UNKNOWN_STREAM = 1008;

interface Feed {
  readonly name: string;
  columns: readonly Field[];
  readonly history: Row[];
  readonly clients: Set<FeedClient>;
  rowsSeen: number;
  readonly unsubscribe: () => void;
}

export interface FeedStats {
  readonly clients: number;
  readonly rowsSeen: number;
}

export class Feeds {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false, clientTracking: false });
  private readonly feeds = new Map<string, Feed>();
  private readonly historyRows: number;
  /** Clients closed for being too slow, since start (for the API and tests). */
  droppedSlow = 0;
  private closed = false;

  constructor(private readonly engine: Engine, private readonly options: FeedsOptions = {}) {
    this.historyRows = options.historyRows ?? 1000;
    this.wss.on('error', () => undefined);
    this.refresh();
  }

  /** Serves `/feeds/<stream>` upgrades on `server`, and closes every client when it stops. */
  attach(server: SluiceServer): this {
    server.addUpgrade(`${FEEDS_PATH}*`, (req, socket, head) => this.upgrade(req, socket, head));
    server.onClose(() => this.close());
    return this;
  }

  /** Starts keeping history for streams created since the last call. */
  refresh(): void {
    for (const def of this.engine.catalog.all()) {
      const feed = this.feeds.get(def.name);
      if (feed) feed.columns = feedColumns(def);
      else this.subscribe(def);
    }
  }

  stats(stream: string): FeedStats {
    const feed = this.feeds.get(stream);
    return { clients: feed?.clients.size ?? 0, rowsSeen: feed?.rowsSeen ?? 0 };
  }

  /** Closes every client (1001, going away) and stops listening to the engine. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const feed of this.feeds.values()) {
      feed.unsubscribe();
      for (const client of feed.clients) client.close(1001, 'server stopping');
    }
    this.feeds.clear();
  }

  private subscribe(def: StreamDef): void {
    const feed: Feed = {
      name: def.name,
      columns: feedColumns(def),
      history: [],
      clients: new Set(),
      rowsSeen: 0,
      unsubscribe: this.engine.on(def.name, (rows, current) => this.publish(feed, feedRows(rows, current))),
    };
    this.feeds.set(def.name, feed);
  }

  private publish(feed: Feed, rows: Row[]): void {
    feed.rowsSeen += rows.length;
    const keep = rows.length > this.historyRows ? rows.slice(-this.historyRows) : rows;
    feed.history.push(...keep);
    if (feed.history.length > this.historyRows) feed.history.splice(0, feed.history.length - this.historyRows);
    if (feed.clients.size === 0) return;
    const message = JSON.stringify({ type: 'rows', stream: feed.name, rows });
    for (const client of feed.clients) client.send(message);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connect(ws, req));
  }

  private connect(ws: WebSocket, req: IncomingMessage): void {
    ws.on('error', () => undefined);
    // Clients only listen; whatever they send is dropped unread.
    ws.on('message', () => undefined);
    const path = (req.url ?? '').split('?')[0]!.slice(FEEDS_PATH.length);
    let name: string;
    try {
      name = decodeURIComponent(path);
    } catch {
      name = path;
    }
    this.refresh();
    const def = name ? this.engine.catalog.get(name, false) : undefined;
    const feed = def && this.feeds.get(def.name);
    const client = new FeedClient(ws, this.options, () => this.droppedSlow++);
    if (!feed) {
      client.close(CLOSE_UNKNOWN_STREAM, truncateReason(`unknown stream: ${name || '(none)'}`));
      return;
    }
    feed.clients.add(client);
    ws.once('close', () => feed.clients.delete(client));
    client.send(JSON.stringify({ type: 'history', stream: feed.name, columns: feed.columns, rows: feed.history }));
  }
}

/** One connected client: the socket plus its own bounded queue of messages not yet handed to it. */
class FeedClient {
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private closing = false;
  private readonly highWater: number;
  private readonly maxQueued: number;

  constructor(private readonly ws: WebSocket, private readonly options: FeedsOptions, private readonly onTooSlow: () => void) {
    this.highWater = options.socketHighWaterBytes ?? 256 * 1024;
    this.maxQueued = options.maxQueuedBytes ?? 1024 * 1024;
  }

  send(message: string): void {
    if (this.closing || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.queue.length === 0 && this.ws.bufferedAmount < this.highWater) {
      this.write(message);
      return;
    }
    this.queue.push(message);
    this.queuedBytes += message.length;
    if (this.queuedBytes > this.maxQueued) {
      this.onTooSlow();
      this.close(CLOSE_TOO_SLOW, `too slow: more than ${this.maxQueued} bytes of rows queued`);
    }
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.ws.close(code, reason);
    // ws waits 30 s for the client's close reply; a client that stopped reading gets much less.
    const cut = setTimeout(() => this.ws.terminate(), this.options.closeGraceMs ?? 2000);
    cut.unref();
    this.ws.once('close', () => clearTimeout(cut));
  }

  /** Hands a message to the socket; once the socket has taken it, moves queued ones along. */
  private write(message: string): void {
    this.ws.send(message, () => this.flush());
  }

  private flush(): void {
    while (!this.closing && this.queue.length > 0 && this.ws.readyState === WebSocket.OPEN && this.ws.bufferedAmount < this.highWater) {
      const next = this.queue.shift()!;
      this.queuedBytes -= next.length;
      this.write(next);
    }
  }
}

/** The stream's columns, and ROWTIME when none of them is a time. */
function feedColumns(def: StreamDef): Field[] {
  const user = userFields(def).map((f) => ({ name: f.name, type: f.type }));
  return user.some((f) => f.type === 'TIMESTAMP') ? user : [...user, { name: ROWTIME, type: 'TIMESTAMP' }];
}

function feedRows(rows: OutputRows, def: StreamDef): Row[] {
  const objects = toObjects(rows, userFields(def));
  if (userFields(def).some((f) => f.type === 'TIMESTAMP')) return objects;
  for (let i = 0; i < objects.length; i++) objects[i]![ROWTIME] = new Date(rows.rowtimes[i]!).toISOString();
  return objects;
}

/** A close reason is at most 123 bytes of UTF-8. */
function truncateReason(reason: string): string {
  let r = reason;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
}
