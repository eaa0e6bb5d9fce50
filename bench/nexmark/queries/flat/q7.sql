-- Nexmark q7 over the view files (person.ndjson, auction.ndjson, bid.ndjson) in the dialect Sluice
-- parses today: each view a CREATE STREAM with its watermark, each CREATE TABLE a CREATE STREAM
-- (STRING as VARCHAR, no connector), identifiers quoted with double quotes instead of backticks.
-- The query itself is as in queries/q7.sql.
-- input: bid=bid.ndjson
-- output: nexmark_q7

CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "dateTime" TIMESTAMP(3), extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (format = 'json');

CREATE STREAM nexmark_q7 (
  auction  BIGINT,
  bidder  BIGINT,
  price  BIGINT,
  "dateTime"  TIMESTAMP(3),
  extra  VARCHAR
);

INSERT INTO nexmark_q7
SELECT B.auction, B.price, B.bidder, B."dateTime", B.extra
from bid B
JOIN (
  SELECT MAX(price) AS maxprice, window_end as "dateTime"
  FROM TABLE(
          TUMBLE(TABLE bid, DESCRIPTOR("dateTime"), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end
) B1
ON B.price = B1.maxprice
WHERE B."dateTime" BETWEEN B1."dateTime"  - INTERVAL '10' SECOND AND B1."dateTime";
