-- fail: bid is a ROW column: a query reads its fields, not the whole row
CREATE TABLE datagen (
    event_type int,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT>
) WITH (format = 'json');
CREATE STREAM out AS SELECT event_type, bid FROM datagen;
