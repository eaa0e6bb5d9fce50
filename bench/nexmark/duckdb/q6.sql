-- q6: the stated intent (Nexmark's text does not compile: A and B are out of scope where ROW_NUMBER
-- names them). Each auction's winning bid (highest price, the earliest of equal prices), then per
-- seller the average of that winning price and the 10 before it in time, as a BIGINT. The final
-- table has one row per winning bid. Ties in time are ordered by arrival.
WITH joined AS (
  SELECT A.id, A.seller, B.price, B."dateTime", B.seq
  FROM auction A, bid B
  WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires
),
winners AS (
  SELECT * FROM joined QUALIFY row_number() OVER (PARTITION BY id, seller ORDER BY price DESC, seq) = 1
)
SELECT CAST(seller AS VARCHAR) AS seller,
       CAST(sum(price) OVER w // count(*) OVER w AS BIGINT) AS avg_price
FROM winners
WINDOW w AS (PARTITION BY seller ORDER BY "dateTime", seq ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
