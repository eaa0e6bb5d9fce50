-- Nexmark q17 over the view files (person.ndjson, auction.ndjson, bid.ndjson) in the dialect Sluice
-- parses today: each view a CREATE STREAM with its watermark, each CREATE TABLE a CREATE STREAM
-- (STRING as VARCHAR, no connector), identifiers quoted with double quotes instead of backticks.
-- The query itself is as in queries/q17.sql.
-- input: bid=bid.ndjson
-- output: nexmark_q17

CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "dateTime" TIMESTAMP(3), extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (format = 'json');

CREATE STREAM nexmark_q17 (
  auction BIGINT,
  "day" VARCHAR,
  total_bids BIGINT,
  rank1_bids BIGINT,
  rank2_bids BIGINT,
  rank3_bids BIGINT,
  min_price BIGINT,
  max_price BIGINT,
  avg_price BIGINT,
  sum_price BIGINT
);

INSERT INTO nexmark_q17
SELECT
     auction,
     DATE_FORMAT("dateTime", 'yyyy-MM-dd') as "day",
     count(*) AS total_bids,
     count(*) filter (where price < 10000) AS rank1_bids,
     count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids,
     count(*) filter (where price >= 1000000) AS rank3_bids,
     min(price) AS min_price,
     max(price) AS max_price,
     avg(price) AS avg_price,
     sum(price) AS sum_price
FROM bid
GROUP BY auction, DATE_FORMAT("dateTime", 'yyyy-MM-dd');
