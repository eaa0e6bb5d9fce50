import { mulberry32, DEFAULT_START_MS } from './clickstream.js';

/**
 * Deterministic Nexmark-shaped events as NDJSON, the record layout of Nexmark's `datagen` table:
 * `{"event_type":2,"person":null,"auction":null,"bid":{...}}`. Of every 50 events the first is a
 * person, the next 3 auctions and the other 46 bids (Nexmark's default proportions). Event k's
 * nominal time is startMs + k / eventsPerSecond, its dateTime that minus up to maxLatenessMs, so a
 * watermark of `dateTime - INTERVAL '4' SECOND` (with the default 1000 ms) sees no late event.
 */
export interface NexmarkOptions {
  readonly events: number;
  /** PRNG seed (mulberry32); default 7. */
  readonly seed?: number;
  readonly startMs?: number;
  /** Default 10,000. */
  readonly eventsPerSecond?: number;
  /** Largest backwards jitter of dateTime; default 1000 ms. */
  readonly maxLatenessMs?: number;
}

const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** NDJSON lines (without '\n'), one Nexmark event each. */
export function* generateNexmark(opts: NexmarkOptions): Generator<string> {
  const random = mulberry32(opts.seed ?? 7);
  const start = opts.startMs ?? DEFAULT_START_MS;
  const perSecond = opts.eventsPerSecond ?? 10_000;
  const lateness = opts.maxLatenessMs ?? 1000;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  let persons = 0;
  let auctions = 0;
  for (let k = 0; k < opts.events; k++) {
    const nominal = start + Math.floor((k * 1000) / perSecond);
    const dateTime = iso(nominal - Math.floor(random() * (lateness + 1)));
    const slot = k % 50;
    if (slot === 0) {
      const id = 1000 + persons++;
      const name = `${pick(NAMES)} ${pick(NAMES)}`;
      const person = { id, name, emailAddress: `${name.replace(' ', '.').toLowerCase()}@example.com`, creditCard: `${1000 + Math.floor(random() * 9000)} ${1000 + Math.floor(random() * 9000)} ${1000 + Math.floor(random() * 9000)} ${1000 + Math.floor(random() * 9000)}`, city: pick(CITIES), state: pick(STATES), dateTime, extra: '' };
      yield `{"event_type":0,"person":${JSON.stringify(person)},"auction":null,"bid":null}`;
    } else if (slot <= 3) {
      const id = 1000 + auctions++;
      const initialBid = 1 + Math.floor(random() * 1000);
      const auction = { id, itemName: `item-${Math.floor(random() * 10_000)}`, description: 'a Nexmark auction', initialBid, reserve: initialBid + Math.floor(random() * 1000), dateTime, expires: iso(nominal + 10_000 + Math.floor(random() * 20_000)), seller: 1000 + Math.floor(random() * Math.max(1, persons)), category: 10 + Math.floor(random() * 5), extra: '' };
      yield `{"event_type":1,"person":null,"auction":${JSON.stringify(auction)},"bid":null}`;
    } else {
      const auction = 1000 + Math.max(0, auctions - 1 - Math.floor(random() * Math.min(auctions, 100)));
      const bid = { auction, bidder: 1000 + Math.floor(random() * Math.max(1, persons)), price: 1 + Math.floor(-Math.log(1 - random()) * 1000), channel: pick(CHANNELS), url: `https://www.nexmark.com/item.htm?query=${Math.floor(random() * 1000)}`, dateTime, extra: '' };
      yield `{"event_type":2,"person":null,"auction":null,"bid":${JSON.stringify(bid)}}`;
    }
  }
}

/** Nexmark's source table as its Flink DDL declares it (ddl_gen.sql), reading NDJSON. */
export const NEXMARK_DDL = `CREATE TABLE datagen (
    event_type int,
    person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
    auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, \`dateTime\` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
    \`dateTime\` AS CASE WHEN event_type = 0 THEN person.\`dateTime\` WHEN event_type = 1 THEN auction.\`dateTime\` ELSE bid.\`dateTime\` END,
    WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
) WITH ('format' = 'json');`;

/** Nexmark's views over it (ddl_views.sql). */
export const NEXMARK_VIEWS = `CREATE VIEW person AS
SELECT person.id, person.name, person.emailAddress, person.creditCard, person.city, person.state, \`dateTime\`, person.extra
FROM datagen WHERE event_type = 0;
CREATE VIEW auction AS
SELECT auction.id, auction.itemName, auction.description, auction.initialBid, auction.reserve, \`dateTime\`, auction.expires, auction.seller, auction.category, auction.extra
FROM datagen WHERE event_type = 1;
CREATE VIEW bid AS
SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, \`dateTime\`, bid.extra
FROM datagen WHERE event_type = 2;`;

/** DuckDB's read_json of a Nexmark NDJSON file, its nested objects as STRUCTs. */
export function duckdbReadNexmark(path: string): string {
  const person = `STRUCT(id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, dateTime TIMESTAMP, extra VARCHAR)`;
  const auction = `STRUCT(id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR)`;
  const bid = `STRUCT(auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, dateTime TIMESTAMP, extra VARCHAR)`;
  return `read_json('${path.replace(/'/g, "''")}', format = 'newline_delimited', columns = {event_type: 'INTEGER', person: '${person}', auction: '${auction}', bid: '${bid}'})`;
}
