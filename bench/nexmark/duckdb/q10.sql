-- q10: every bid with its day and hour:minute, as DATE_FORMAT's 'yyyy-MM-dd' and 'HH:mm'.
SELECT auction, bidder, price, "dateTime", extra, strftime("dateTime", '%Y-%m-%d') AS dt, strftime("dateTime", '%H:%M') AS hm
FROM bid
