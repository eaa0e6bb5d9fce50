-- fail: a streaming GROUP BY needs a time bucket
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM out AS SELECT STREAM page, COUNT(*) AS n FROM clicks GROUP BY page;
