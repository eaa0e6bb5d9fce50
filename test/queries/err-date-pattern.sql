-- fail: DATE_FORMAT: invalid date pattern: illegal pattern character 'b'
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM out AS SELECT DATE_FORMAT(ts, 'yyyy-MM-dd bb') AS d FROM clicks;
