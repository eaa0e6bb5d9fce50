-- q7: the highest price of each 10 s tumbling window, joined back to the bids at that price whose
-- time is within [window_end - 10 s, window_end] (both ends included, as BETWEEN). As in Nexmark's
-- INSERT (columns by position), the price goes into the sink's bidder column and the bidder into price.
SELECT B.auction AS auction, B.price AS bidder, B.bidder AS price, B."dateTime" AS "dateTime", B.extra AS extra
FROM bid B
JOIN (
  SELECT max(price) AS maxprice,
         time_bucket(INTERVAL '10 seconds', "dateTime", TIMESTAMP '1970-01-01') + INTERVAL '10 seconds' AS "dateTime"
  FROM bid GROUP BY 2
) B1 ON B.price = B1.maxprice
WHERE B."dateTime" BETWEEN B1."dateTime" - INTERVAL '10 seconds' AND B1."dateTime"
