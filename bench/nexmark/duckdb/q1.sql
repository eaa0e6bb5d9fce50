-- q1: every bid with its price in euros, exact to the thousandth as Flink's DECIMAL(23, 3).
SELECT auction, bidder, CAST(0.908 * price AS DECIMAL(23, 3)) AS price, "dateTime", extra FROM bid
