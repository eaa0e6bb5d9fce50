-- input: clicks=clicks.ndjson
-- output: out
-- rowtime-from: ts
-- A computed column p AS PROCTIME() is the row's arrival time (ROWTIME, here replayed from ts); computed columns read through SELECT *.
CREATE STREAM clicks (
  ts TIMESTAMP(3), user_id VARCHAR, page VARCHAR, country VARCHAR, duration_ms BIGINT,
  p AS PROCTIME(),
  seconds AS duration_ms / 1000.0
) WITH (format = 'json');
CREATE VIEW slow AS SELECT * FROM clicks WHERE seconds > 2;
CREATE STREAM out AS SELECT user_id, page, seconds, p, p = ROWTIME AS same FROM slow;
