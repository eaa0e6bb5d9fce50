-- fail: unknown interval unit FORTNIGHT
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM out AS SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' FORTNIGHT)) GROUP BY window_start, window_end;
