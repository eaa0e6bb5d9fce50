-- q5: HOP windows of 10 s every 2 s, aligned to the epoch: a bid at t is in the windows starting at
-- the multiples of 2 s in (t - 10 s, t]. Every window is compared: at end of input all of them close.
WITH windowed AS (
  SELECT auction, unnest(generate_series(b - INTERVAL '8 seconds', b, INTERVAL '2 seconds')) AS starttime
  FROM (SELECT auction, time_bucket(INTERVAL '2 seconds', "dateTime", TIMESTAMP '1970-01-01') AS b FROM bid)
),
counts AS (SELECT auction, count(*) AS num, starttime FROM windowed GROUP BY auction, starttime),
maxes AS (SELECT max(num) AS maxn, starttime FROM counts GROUP BY starttime)
SELECT C.auction, C.num
FROM counts C JOIN maxes M ON C.starttime = M.starttime AND C.num >= M.maxn
