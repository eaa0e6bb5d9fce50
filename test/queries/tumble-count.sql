-- input: clicks=clicks.ndjson
-- output: page_views
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM page_views AS
SELECT window_start, window_end, page, COUNT(*) AS views, AVG(duration_ms) AS avg_ms
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND))
WHERE country <> 'XX'
GROUP BY window_start, window_end, page;
