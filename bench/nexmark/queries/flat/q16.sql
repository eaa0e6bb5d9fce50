-- Nexmark q16 over the view files (person.ndjson, auction.ndjson, bid.ndjson) in the dialect Sluice
-- parses today: each view a CREATE STREAM with its watermark, each CREATE TABLE a CREATE STREAM
-- (STRING as VARCHAR, no connector), identifiers quoted with double quotes instead of backticks.
-- The query itself is as in queries/q16.sql.
-- input: bid=bid.ndjson
-- output: nexmark_q16

CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "dateTime" TIMESTAMP(3), extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (format = 'json');

CREATE STREAM nexmark_q16 (
    channel VARCHAR,
    "day" VARCHAR,
    "minute" VARCHAR,
    total_bids BIGINT,
    rank1_bids BIGINT,
    rank2_bids BIGINT,
    rank3_bids BIGINT,
    total_bidders BIGINT,
    rank1_bidders BIGINT,
    rank2_bidders BIGINT,
    rank3_bidders BIGINT,
    total_auctions BIGINT,
    rank1_auctions BIGINT,
    rank2_auctions BIGINT,
    rank3_auctions BIGINT
);

INSERT INTO nexmark_q16
SELECT
    channel,
    DATE_FORMAT("dateTime", 'yyyy-MM-dd') as "day",
    max(DATE_FORMAT("dateTime", 'HH:mm')) as "minute",
    count(*) AS total_bids,
    count(*) filter (where price < 10000) AS rank1_bids,
    count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids,
    count(*) filter (where price >= 1000000) AS rank3_bids,
    count(distinct bidder) AS total_bidders,
    count(distinct bidder) filter (where price < 10000) AS rank1_bidders,
    count(distinct bidder) filter (where price >= 10000 and price < 1000000) AS rank2_bidders,
    count(distinct bidder) filter (where price >= 1000000) AS rank3_bidders,
    count(distinct auction) AS total_auctions,
    count(distinct auction) filter (where price < 10000) AS rank1_auctions,
    count(distinct auction) filter (where price >= 10000 and price < 1000000) AS rank2_auctions,
    count(distinct auction) filter (where price >= 1000000) AS rank3_auctions
FROM bid
GROUP BY channel, DATE_FORMAT("dateTime", 'yyyy-MM-dd');
