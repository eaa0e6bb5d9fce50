-- input: clicks=clicks.ndjson
-- output: top
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM per_page AS
SELECT window_start, window_end, page, COUNT(*) AS views
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end, page;
CREATE STREAM top AS
SELECT window_start, window_end, MAX(views) AS most, COUNT(*) AS pages
FROM TABLE(TUMBLE(TABLE per_page, DESCRIPTOR(window_start), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
