-- input: clicks=clicks.ndjson
-- output: busy
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM busy AS
SELECT window_start, country, COUNT(*) AS n, SUM(duration_ms) AS total, MIN(page) AS first_page, MAX(duration_ms) AS longest
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, country
HAVING COUNT(*) >= 2 AND SUM(duration_ms) > 1000;
