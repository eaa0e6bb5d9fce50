-- Nexmark q6 over the view files (person.ndjson, auction.ndjson, bid.ndjson) in the dialect Sluice
-- parses today: each view a CREATE STREAM with its watermark, each CREATE TABLE a CREATE STREAM
-- (STRING as VARCHAR, no connector), identifiers quoted with double quotes instead of backticks.
-- The query itself is as in queries/q6.sql.
-- input: auction=auction.ndjson
-- input: bid=bid.ndjson
-- output: nexmark_q6

CREATE STREAM auction (
  id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT,
  "dateTime" TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (format = 'json');

CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "dateTime" TIMESTAMP(3), extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (format = 'json');

CREATE STREAM nexmark_q6 (
  seller VARCHAR,
  avg_price  BIGINT
);

-- TODO: this query is not supported yet in Flink SQL, because the OVER WINDOW operator doesn't
--  support to consume retractions.
INSERT INTO nexmark_q6
SELECT
    Q.seller,
    AVG(Q.price) OVER
        (PARTITION BY Q.seller ORDER BY Q."dateTime" ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY A.id, A.seller ORDER BY B.price DESC) AS rownum
    FROM (SELECT A.id, A.seller, B.price, B."dateTime"
        FROM auction AS A,
            bid AS B
        WHERE A.id = B.auction
            and B."dateTime" between A."dateTime" and A.expires)
    WHERE rownum <= 1
) AS Q;
