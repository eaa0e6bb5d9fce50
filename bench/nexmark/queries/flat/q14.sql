-- Nexmark q14 over the view files (person.ndjson, auction.ndjson, bid.ndjson) in the dialect Sluice
-- parses today: each view a CREATE STREAM with its watermark, each CREATE TABLE a CREATE STREAM
-- (STRING as VARCHAR, no connector), identifiers quoted with double quotes instead of backticks.
-- The query itself is as in queries/q14.sql.
-- input: bid=bid.ndjson
-- output: nexmark_q14

CREATE STREAM bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "dateTime" TIMESTAMP(3), extra VARCHAR,
  WATERMARK FOR "dateTime" AS "dateTime" - INTERVAL '4' SECOND
) WITH (format = 'json');

-- Adapted: Nexmark's Java UDF class is Sluice's JavaScript count_char.
CREATE FUNCTION count_char AS '../../../../examples/udfs/count-char.js#count_char' LANGUAGE JAVASCRIPT;

CREATE STREAM nexmark_q14 (
    auction BIGINT,
    bidder BIGINT,
    price  DECIMAL(23, 3),
    bidTimeType VARCHAR,
    "dateTime" TIMESTAMP(3),
    extra VARCHAR,
    c_counts BIGINT
);

INSERT INTO nexmark_q14
SELECT 
    auction,
    bidder,
    0.908 * price as price,
    CASE
        WHEN HOUR("dateTime") >= 8 AND HOUR("dateTime") <= 18 THEN 'dayTime'
        WHEN HOUR("dateTime") <= 6 OR HOUR("dateTime") >= 20 THEN 'nightTime'
        ELSE 'otherTime'
    END AS bidTimeType,
    "dateTime",
    extra,
    count_char(extra, 'c') AS c_counts
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;
