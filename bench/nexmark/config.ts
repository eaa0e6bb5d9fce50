/**
 * Nexmark's generator settings (the defaults of its NexmarkConfiguration and of the `nexmark`
 * connector's options) and the arithmetic that turns an event's number into ids and times.
 */
export interface NexmarkConfig {
  /** Event time of the first event, ms since epoch (Nexmark uses the wall clock at start-up). */
  readonly baseTimeMs: number;
  /** `first-event.rate`: events per second of event time, which sets the gap between timestamps. */
  readonly eventsPerSecond: number;
  /** Out of every personProportion + auctionProportion + bidProportion events (1 : 3 : 46). */
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  /** A bid is for a hot auction with probability 1 - 1/hotAuctionRatio. */
  readonly hotAuctionRatio: number;
  /** An auction is by a hot seller with probability 1 - 1/hotSellersRatio. */
  readonly hotSellersRatio: number;
  /** A bid is by a hot bidder with probability 1 - 1/hotBiddersRatio. */
  readonly hotBiddersRatio: number;
  /** People who may place auctions or bids: the last numActivePeople created. */
  readonly numActivePeople: number;
  /** Auctions a bid may be for: about the last numInFlightAuctions created. */
  readonly numInFlightAuctions: number;
  /** Average sizes the `extra` field pads events to. */
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
}

export const NEXMARK_DEFAULTS: NexmarkConfig = {
  baseTimeMs: Date.UTC(2026, 10, 25),
  eventsPerSecond: 10_000,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numActivePeople: 1000,
  numInFlightAuctions: 100,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
};

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
/** Ids a random pick may run ahead of the last one created, so some references precede their entity. */
const ID_LEAD = 10;

/**
 * The connector numbers events from 1 and gives the generator first event id 1, so the n-th event
 * generated (from 0) has event number n + 1 and event id n + 2; the id decides its kind and ids.
 */
export const eventNumber = (n: number): number => n + 1;
export const eventId = (n: number): number => n + 2;

export function totalProportion(c: NexmarkConfig): number {
  return c.personProportion + c.auctionProportion + c.bidProportion;
}

/** 0 person, 1 auction, 2 bid: by where the event id falls in its epoch of totalProportion ids. */
export function eventKind(c: NexmarkConfig, id: number): 0 | 1 | 2 {
  const rem = id % totalProportion(c);
  return rem < c.personProportion ? 0 : rem < c.personProportion + c.auctionProportion ? 1 : 2;
}

/** Event time: base + eventNumber × (1e6 / rate) µs, truncated to ms as Nexmark's long arithmetic does. */
export function timestampForEvent(c: NexmarkConfig, number: number): number {
  const delayUs = 1_000_000 / c.eventsPerSecond;
  return c.baseTimeMs + Math.floor(Math.floor(number * delayUs) / 1000);
}

/** The last person id (from 0) created at or before this event id. */
export function lastBase0PersonId(c: NexmarkConfig, id: number): number {
  const total = totalProportion(c);
  const epoch = Math.floor(id / total);
  const offset = id % total;
  return epoch * c.personProportion + (offset >= c.personProportion ? c.personProportion - 1 : offset);
}

/** The last auction id (from 0) created at or before this event id. */
export function lastBase0AuctionId(c: NexmarkConfig, id: number): number {
  const total = totalProportion(c);
  let epoch = Math.floor(id / total);
  let offset = id % total;
  if (offset < c.personProportion) {
    epoch--;
    offset = c.auctionProportion - 1;
  } else if (offset >= c.personProportion + c.auctionProportion) {
    offset = c.auctionProportion - 1;
  } else {
    offset -= c.personProportion;
  }
  return epoch * c.auctionProportion + offset;
}

/** A random active person (from 0), or one of the next few not yet created. */
export function nextBase0PersonId(c: NexmarkConfig, id: number, draw: (n: number) => number): number {
  const people = lastBase0PersonId(c, id) + 1;
  const active = Math.min(people, c.numActivePeople);
  return people - active + draw(active + ID_LEAD);
}

/** A random auction (from 0) among those likely still open, or one of the next few. */
export function nextBase0AuctionId(c: NexmarkConfig, id: number, draw: (n: number) => number): number {
  const last = lastBase0AuctionId(c, id);
  const first = Math.max(last - c.numInFlightAuctions, 0);
  return first + draw(last - first + 1 + ID_LEAD);
}

/**
 * How far ahead in event time the auction numInFlightAuctions auctions from now will be created:
 * an auction's length is drawn uniformly from 1 ms to twice that, so about that many are open at once.
 */
export function auctionHorizonMs(c: NexmarkConfig, number: number, timestamp: number): number {
  const eventsForAuctions = Math.floor((c.numInFlightAuctions * totalProportion(c)) / c.auctionProportion);
  return timestampForEvent(c, number + eventsForAuctions) - timestamp;
}
