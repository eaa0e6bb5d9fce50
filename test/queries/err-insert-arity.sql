-- fail: DEST has 2 columns but the query returns 3
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
) WITH (format = 'json');
CREATE STREAM DEST (a VARCHAR, b BIGINT);
INSERT INTO DEST SELECT page, duration_ms, user_id FROM clicks;
