-- q9: each auction's winning bid within its lifetime, the final table of ROW_NUMBER ... <= 1.
-- Bids of equal price and time are ordered by arrival (the earlier wins), as Flink's Top-N keeps them.
SELECT id, itemName, description, initialBid, reserve, "dateTime", expires, seller, category, extra,
       auction, bidder, price, bid_dateTime, bid_extra
FROM (
  SELECT A.id, A.itemName, A.description, A.initialBid, A.reserve, A."dateTime", A.expires, A.seller, A.category, A.extra,
         B.auction, B.bidder, B.price, B."dateTime" AS bid_dateTime, B.extra AS bid_extra,
         row_number() OVER (PARTITION BY A.id ORDER BY B.price DESC, B."dateTime" ASC, B.seq ASC) AS rownum
  FROM auction A, bid B
  WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires
)
WHERE rownum <= 1
