import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { generate, type Auction, type Bid, type GenerateOptions, type NexmarkEvent, type Person } from './generator.js';
import { isoFormatter } from '../clickstream.js';

/** Rows of the side input q13 looks bids up in: key i, value 'i', for i in [0, 10000). */
const SIDE_INPUT_ROWS = 10_000;

export interface NexmarkFiles {
  /** One line per event, shaped as Nexmark's `datagen` table: {"event_type", "person", "auction", "bid"}. */
  readonly datagen: string;
  /** The rows of the person, auction and bid views, one flat object per line. */
  readonly person: string;
  readonly auction: string;
  readonly bid: string;
  /** Header-less CSV `key,value` for q13. */
  readonly sideInput: string;
  readonly counts: { readonly persons: number; readonly auctions: number; readonly bids: number };
  readonly bytes: number;
}


// Every generated string is letters, digits, spaces, '@', '_' or URL punctuation: none needs JSON escaping.
function personJson(p: Person, iso: (ms: number) => string): string {
  return `{"id":${p.id},"name":"${p.name}","emailAddress":"${p.emailAddress}","creditCard":"${p.creditCard}","city":"${p.city}","state":"${p.state}","dateTime":"${iso(p.dateTime)}","extra":"${p.extra}"}`;
}

function auctionJson(a: Auction, iso: (ms: number) => string): string {
  return `{"id":${a.id},"itemName":"${a.itemName}","description":"${a.description}","initialBid":${a.initialBid},"reserve":${a.reserve},"dateTime":"${iso(a.dateTime)}","expires":"${iso(a.expires)}","seller":${a.seller},"category":${a.category},"extra":"${a.extra}"}`;
}

function bidJson(b: Bid, iso: (ms: number) => string): string {
  return `{"auction":${b.auction},"bidder":${b.bidder},"price":${b.price},"channel":"${b.channel}","url":"${b.url}","dateTime":"${iso(b.dateTime)}","extra":"${b.extra}"}`;
}

const DATAGEN_PREFIX = ['{"event_type":0,"person":', '{"event_type":1,"person":null,"auction":', '{"event_type":2,"person":null,"auction":null,"bid":'];
const DATAGEN_SUFFIX = [',"auction":null,"bid":null}', ',"bid":null}', '}'];

function rowJson(e: NexmarkEvent, iso: (ms: number) => string): string {
  return e.event_type === 0 ? personJson(e.person, iso) : e.event_type === 1 ? auctionJson(e.auction, iso) : bidJson(e.bid, iso);
}

/** The `datagen` NDJSON lines (without '\n'). */
export function* datagenLines(opts: GenerateOptions): Generator<string> {
  const iso = isoFormatter();
  for (const e of generate(opts)) yield `${DATAGEN_PREFIX[e.event_type]!}${rowJson(e, iso)}${DATAGEN_SUFFIX[e.event_type]!}`;
}

/** Appends ASCII text to a file through a 1 MiB buffer (encoding piece by piece beats joining ropes). */
class BufferedFile {
  readonly #fd: number;
  readonly buffer = Buffer.allocUnsafe(1 << 20);
  used = 0;
  bytes = 0;

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'w');
  }

  /** Makes room for `length` more bytes in the buffer, writing it out if it must. */
  reserve(length: number): void {
    if (this.used + length > this.buffer.length) this.flush();
    if (length > this.buffer.length) throw new Error(`a line of ${length} bytes does not fit the write buffer`);
  }

  text(s: string): void {
    this.used += this.buffer.write(s, this.used, 'latin1');
  }

  line(s: string): void {
    this.reserve(s.length + 1);
    this.text(s);
    this.buffer[this.used++] = 10;
  }

  flush(): void {
    let at = 0;
    while (at < this.used) at += writeSync(this.#fd, this.buffer, at, this.used - at);
    this.bytes += this.used;
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.#fd);
  }
}

/**
 * Writes datagen.ndjson, the three view files and side_input.csv into `dir` in one pass over the
 * events. Each file is written under a temporary name and renamed when complete.
 */
export function writeNexmarkFiles(dir: string, opts: GenerateOptions): NexmarkFiles {
  mkdirSync(dir, { recursive: true });
  const names = { datagen: 'datagen.ndjson', person: 'person.ndjson', auction: 'auction.ndjson', bid: 'bid.ndjson', sideInput: 'side_input.csv' };
  const out = {
    datagen: new BufferedFile(join(dir, `.${names.datagen}.tmp`)),
    views: [new BufferedFile(join(dir, `.${names.person}.tmp`)), new BufferedFile(join(dir, `.${names.auction}.tmp`)), new BufferedFile(join(dir, `.${names.bid}.tmp`))],
    sideInput: new BufferedFile(join(dir, `.${names.sideInput}.tmp`)),
  };
  const counts = [0, 0, 0];
  const iso = isoFormatter();
  for (const e of generate(opts)) {
    const row = rowJson(e, iso);
    const prefix = DATAGEN_PREFIX[e.event_type]!;
    const suffix = DATAGEN_SUFFIX[e.event_type]!;
    // Three writes rather than one concatenation: the row is flattened once and written twice.
    out.datagen.reserve(prefix.length + row.length + suffix.length + 1);
    out.datagen.text(prefix);
    out.datagen.text(row);
    out.datagen.line(suffix);
    out.views[e.event_type]!.line(row);
    counts[e.event_type]!++;
  }
  for (let i = 0; i < SIDE_INPUT_ROWS; i++) out.sideInput.line(`${i},${i}`);
  const files = [out.datagen, ...out.views, out.sideInput];
  for (const f of files) f.close();
  const finals = [names.datagen, names.person, names.auction, names.bid, names.sideInput].map((n) => join(dir, n));
  files.forEach((f, i) => renameSync(f.path, finals[i]!));
  return {
    datagen: finals[0]!, person: finals[1]!, auction: finals[2]!, bid: finals[3]!, sideInput: finals[4]!,
    counts: { persons: counts[0]!, auctions: counts[1]!, bids: counts[2]! },
    bytes: files.reduce((n, f) => n + f.bytes, 0),
  };
}
