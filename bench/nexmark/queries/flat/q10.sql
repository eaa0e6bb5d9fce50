-- Nexmark q10 over the view files (person.ndjson, auction.ndjson, bid.ndjson) in the dialect Sluice
-- parses today: each view a CREATE STREAM with its watermark, each CREATE TABLE a CREATE STREAM
-- (STRING as VARCHAR, no connector), identifiers quoted with double quotes instead of backticks.
-- The query itself is as in queries/q10.sql.
-- input: bid=bid.ndjson
-- output: nexmark_q10

CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "dateTime" TIMESTAMP(3), extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (format = 'json');

CREATE STREAM nexmark_q10 (
  auction  BIGINT,
  bidder  BIGINT,
  price  BIGINT,
  "dateTime"  TIMESTAMP(3),
  extra  VARCHAR,
  dt VARCHAR,
  hm VARCHAR
);

INSERT INTO nexmark_q10
SELECT auction, bidder, price, "dateTime", extra, DATE_FORMAT("dateTime", 'yyyy-MM-dd'), DATE_FORMAT("dateTime", 'HH:mm')
FROM bid;
