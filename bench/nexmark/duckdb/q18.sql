-- q18: the last bid of each (bidder, auction), the final table of a keep-last deduplication on
-- event time: of bids at the same time the later arrival replaces the earlier, as in Flink.
SELECT auction, bidder, price, channel, url, "dateTime", extra
FROM bid
QUALIFY row_number() OVER (PARTITION BY bidder, auction ORDER BY "dateTime" DESC, seq DESC) = 1
