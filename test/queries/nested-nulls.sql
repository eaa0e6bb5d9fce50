-- input: datagen=nexmark.ndjson
-- output: out
-- Fields of a ROW that is null or missing, and fields missing from a ROW, are NULL; t.row.field names a field through the stream's alias.
CREATE TABLE datagen (
    event_type int,
    person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
    auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, `dateTime` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
    `dateTime` AS CASE WHEN event_type = 0 THEN person.`dateTime` WHEN event_type = 1 THEN auction.`dateTime` ELSE bid.`dateTime` END,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (format = 'json');
CREATE STREAM out AS
SELECT event_type, d.bid.price, bid.channel, person.name, COALESCE(bid.extra, 'missing') AS bid_extra, auction.id IS NULL AS no_auction, `dateTime`
FROM datagen AS d WHERE event_type <> 1;
