-- input: clicks=clicks.ndjson
-- output: out
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM out AS
SELECT window_start, window_end, COUNT(*) AS n, COUNT(DISTINCT user_id) AS users
FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
