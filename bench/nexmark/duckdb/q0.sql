-- q0: every bid, passed through.
SELECT auction, bidder, price, "dateTime", extra FROM bid
