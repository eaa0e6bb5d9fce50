-- input: clicks=session-touching.ndjson
-- output: sessions
-- Rows exactly the gap apart belong to one session, as in Flink (windows [t, t + gap) that touch merge).
CREATE STREAM clicks (ts TIMESTAMP(3), user_id VARCHAR, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (format = 'json');
CREATE STREAM sessions AS
SELECT user_id, window_start, window_end, COUNT(*) AS clicks
FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '3' SECOND))
GROUP BY window_start, window_end, user_id;
