-- q11: session windows per bidder with a 10 s gap, as Flink's legacy GROUP BY SESSION: a bid at t
-- opens [t, t + 10 s), and windows that overlap or touch merge, so bids at most 10 s apart share a
-- session. SESSION_START is the first bid's time, SESSION_END the last bid's time + 10 s.
WITH marked AS (
  SELECT bidder, "dateTime" AS t,
         CASE WHEN "dateTime" - lag("dateTime") OVER (PARTITION BY bidder ORDER BY "dateTime") <= INTERVAL '10 seconds' THEN 0 ELSE 1 END AS brk
  FROM bid
),
sessions AS (
  SELECT bidder, t, sum(brk) OVER (PARTITION BY bidder ORDER BY t ROWS UNBOUNDED PRECEDING) AS sid FROM marked
)
SELECT bidder, count(*) AS bid_count, min(t) AS starttime, max(t) + INTERVAL '10 seconds' AS endtime
FROM sessions GROUP BY bidder, sid
