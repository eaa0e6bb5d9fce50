-- q13: the side input is a fixed file, so the processing-time lookup join is the batch join.
SELECT B.auction, B.bidder, B.price, B."dateTime", S."value"
FROM bid B JOIN side_input S ON B.auction % 10000 = S.key
