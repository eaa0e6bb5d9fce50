-- q19: the final table of a Top-10 per auction by price; equal prices rank in arrival order (the
-- earlier first), as Flink's append-only Top-N keeps them.
SELECT auction, bidder, price, channel, url, "dateTime", extra, rank_number
FROM (
  SELECT *, row_number() OVER (PARTITION BY auction ORDER BY price DESC, seq ASC) AS rank_number FROM bid
)
WHERE rank_number <= 10
