-- input: clicks=clicks.ndjson
-- output: out
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM out AS
SELECT ts, UPPER(page) AS up, LOWER(page) AS low, SUBSTRING(page FROM 2 FOR 4) AS part, CHAR_LENGTH(page) AS len,
  TRIM(BOTH '/' FROM page) AS trimmed, POSITION('o' IN page) AS pos, COALESCE(duration_ms, -1) AS d,
  ABS(duration_ms - 1000) AS dist, MOD(duration_ms, 7) AS m, ROUND(duration_ms / 3.0, 1) AS third,
  FLOOR(duration_ms / 1000.0) AS secs_floor, CEIL(duration_ms / 1000.0) AS secs_ceil,
  CASE WHEN duration_ms IS NULL THEN 'none' WHEN duration_ms < 1000 THEN 'short' ELSE 'long' END AS kind,
  CAST(duration_ms AS VARCHAR(3)) AS d3, page || '@' || country AS tag, duration_ms / 1000 AS whole_secs
FROM clicks
WHERE country IN ('DE', 'US') AND page LIKE '/%' AND NOT (page = '/checkout');
