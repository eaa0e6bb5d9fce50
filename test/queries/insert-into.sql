-- input: clicks=clicks.ndjson
-- output: alerts
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM alerts (who VARCHAR, at TIMESTAMP, dwell BIGINT);
INSERT INTO alerts SELECT user_id, ts, duration_ms FROM clicks WHERE duration_ms > 4000;
