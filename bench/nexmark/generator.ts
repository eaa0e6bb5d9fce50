import {
  NEXMARK_DEFAULTS, FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID, auctionHorizonMs, eventId, eventKind, eventNumber,
  lastBase0AuctionId, lastBase0PersonId, nextBase0AuctionId, nextBase0PersonId, timestampForEvent, type NexmarkConfig,
} from './config.js';
import { NexmarkRandom } from './random.js';

/** The three kinds of Nexmark event, fields as in Nexmark's `datagen` table; times in ms since epoch. */
export interface Person {
  id: number; name: string; emailAddress: string; creditCard: string; city: string; state: string; dateTime: number; extra: string;
}
export interface Auction {
  id: number; itemName: string; description: string; initialBid: number; reserve: number; dateTime: number; expires: number;
  seller: number; category: number; extra: string;
}
export interface Bid {
  auction: number; bidder: number; price: number; channel: string; url: string; dateTime: number; extra: string;
}
export type NexmarkEvent =
  | { readonly event_type: 0; readonly person: Person }
  | { readonly event_type: 1; readonly auction: Auction }
  | { readonly event_type: 2; readonly bid: Bid };

export interface GenerateOptions extends Partial<NexmarkConfig> {
  readonly events: number;
  /** Seed of every random draw; default 42. */
  readonly seed?: number;
}

const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const CHANNELS = 10_000;
const CATEGORIES = 5;
/** Hot sellers, bidders and auctions are the first (bidders: second) of each block of 100 ids. */
const HOT_BLOCK = 100;

/** Java's Math.abs(Integer.reverse(i)): the bits of i reversed as a signed 32-bit int (abs of -2^31 stays negative). */
function reversedChannelId(i: number): number {
  let r = 0;
  for (let b = 0; b < 32; b++) r = (r << 1) | ((i >>> b) & 1);
  return r === -2147483648 ? r : Math.abs(r);
}

function baseUrl(random: NexmarkRandom): string {
  return `https://www.nexmark.com/${random.string(5, '_')}/${random.string(5, '_')}/${random.string(5, '_')}/item.htm?query=1`;
}

/**
 * Nexmark's event stream, reproduced from its generator (same id spaces, proportions, hot ratios,
 * timestamps, field distributions) over a seeded PRNG. Events are in event-time order.
 */
export function* generate(opts: GenerateOptions): Generator<NexmarkEvent> {
  const c: NexmarkConfig = { ...NEXMARK_DEFAULTS, ...definedOnly(opts) };
  const random = new NexmarkRandom(opts.seed ?? 42);
  const draw = (n: number): number => random.int(n);
  const hotUrls = HOT_CHANNELS.map(() => baseUrl(random));
  const channelNames: string[] = [];
  const channelUrls: string[] = [];
  for (let i = 0; i < CHANNELS; i++) {
    channelNames.push(`channel-${i}`);
    const url = baseUrl(random);
    channelUrls.push(random.int(10) > 0 ? `${url}&channel_id=${reversedChannelId(i)}` : url);
  }

  for (let n = 0; n < opts.events; n++) {
    const id = eventId(n);
    const number = eventNumber(n);
    const dateTime = timestampForEvent(c, number);
    const kind = eventKind(c, id);
    if (kind === 0) {
      const name = `${FIRST_NAMES[random.int(FIRST_NAMES.length)]!} ${LAST_NAMES[random.int(LAST_NAMES.length)]!}`;
      const emailAddress = `${random.string(7)}@${random.string(5)}.com`;
      const creditCard = `${card(random)} ${card(random)} ${card(random)} ${card(random)}`;
      const city = US_CITIES[random.int(US_CITIES.length)]!;
      const state = US_STATES[random.int(US_STATES.length)]!;
      const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
      const extra = random.extra(size, c.avgPersonByteSize);
      yield { event_type: 0, person: { id: lastBase0PersonId(c, id) + FIRST_PERSON_ID, name, emailAddress, creditCard, city, state, dateTime, extra } };
    } else if (kind === 1) {
      const seller = (random.int(c.hotSellersRatio) > 0
        ? Math.floor(lastBase0PersonId(c, id) / HOT_BLOCK) * HOT_BLOCK
        : nextBase0PersonId(c, id, draw)) + FIRST_PERSON_ID;
      const category = FIRST_CATEGORY_ID + random.int(CATEGORIES);
      const initialBid = random.price();
      const expires = dateTime + 1 + random.int(Math.max(auctionHorizonMs(c, number, dateTime) * 2, 1));
      const itemName = random.string(20);
      const description = random.string(100);
      const reserve = initialBid + random.price();
      const extra = random.extra(8 + itemName.length + description.length + 40, c.avgAuctionByteSize);
      yield {
        event_type: 1,
        auction: { id: lastBase0AuctionId(c, id) + FIRST_AUCTION_ID, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra },
      };
    } else {
      const auction = (random.int(c.hotAuctionRatio) > 0
        ? Math.floor(lastBase0AuctionId(c, id) / HOT_BLOCK) * HOT_BLOCK
        : nextBase0AuctionId(c, id, draw)) + FIRST_AUCTION_ID;
      // Nexmark's BidGenerator adds FIRST_PERSON_ID twice, so bidder ids run 1000 above person ids: kept, as it shapes q23's join.
      const bidder = (random.int(c.hotBiddersRatio) > 0
        ? Math.floor(lastBase0PersonId(c, id) / HOT_BLOCK) * HOT_BLOCK + 1
        : nextBase0PersonId(c, id, draw)) + 2 * FIRST_PERSON_ID;
      const price = random.price();
      let channel: string;
      let url: string;
      if (random.int(2) > 0) {
        const i = random.int(HOT_CHANNELS.length);
        channel = HOT_CHANNELS[i]!;
        url = hotUrls[i]!;
      } else {
        const i = random.int(CHANNELS);
        channel = channelNames[i]!;
        url = channelUrls[i]!;
      }
      yield { event_type: 2, bid: { auction, bidder, price, channel, url, dateTime, extra: random.extra(32, c.avgBidByteSize) } };
    }
  }
}

function card(random: NexmarkRandom): string {
  return String(random.int(10_000)).padStart(4, '0');
}

function definedOnly(opts: GenerateOptions): Partial<NexmarkConfig> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) if (v !== undefined && k !== 'events' && k !== 'seed') out[k] = v;
  return out as Partial<NexmarkConfig>;
}
