-- input: datagen=nexmark.ndjson
-- output: per_window
-- Computed columns in WHERE, and one (dateTime) as the window's time column with its watermark.
CREATE TABLE datagen (
    event_type int,
    person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
    auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, `dateTime` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
    `dateTime` AS CASE WHEN event_type = 0 THEN person.`dateTime` WHEN event_type = 1 THEN auction.`dateTime` ELSE bid.`dateTime` END,
    is_bid AS event_type = 2,
    price_cents AS bid.price * 100,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (format = 'json');
CREATE STREAM per_window AS
SELECT window_start, window_end, COUNT(*) AS bids, SUM(price_cents) AS cents, MAX(`dateTime`) AS last_bid
FROM TABLE(TUMBLE(TABLE datagen, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))
WHERE is_bid AND price_cents > 1000
GROUP BY window_start, window_end;
