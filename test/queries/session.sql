-- input: clicks=clicks.ndjson
-- output: sessions
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM sessions AS
SELECT user_id, window_start, window_end, COUNT(*) AS clicks
FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '3' SECOND))
GROUP BY window_start, window_end, user_id;
