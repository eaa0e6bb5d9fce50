-- Nexmark q13 over the view files (person.ndjson, auction.ndjson, bid.ndjson) in the dialect Sluice
-- parses today: each view a CREATE STREAM with its watermark, each CREATE TABLE a CREATE STREAM
-- (STRING as VARCHAR, no connector), identifiers quoted with double quotes instead of backticks.
-- The query itself is as in queries/q13.sql.
-- input: bid=bid.ndjson
-- input: side_input=side_input.csv
-- output: nexmark_q13

CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "dateTime" TIMESTAMP(3), extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (format = 'json');

CREATE STREAM side_input (
  key BIGINT,
  "value" VARCHAR
) WITH (format = 'csv');

CREATE STREAM nexmark_q13 (
  auction  BIGINT,
  bidder  BIGINT,
  price  BIGINT,
  "dateTime"  TIMESTAMP(3),
  "value"  VARCHAR
);

INSERT INTO nexmark_q13
SELECT
    B.auction,
    B.bidder,
    B.price,
    B."dateTime",
    S."value"
FROM (SELECT *, PROCTIME() as p_time FROM bid) B
JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S
ON mod(B.auction, 10000) = S.key;
