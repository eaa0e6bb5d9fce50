-- input: clicks=clicks.ndjson
-- output: out
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM out AS
SELECT user_id, page, duration_ms FROM clicks
WHERE duration_ms BETWEEN 500 AND 2500 OR duration_ms IS NULL OR page NOT LIKE '/%o%';
