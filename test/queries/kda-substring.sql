-- input: SOURCE_SQL_STREAM_001=referrers.ndjson
-- output: DESTINATION_SQL_STREAM
-- rowtime-from: ts
-- The Developer Guide's SUBSTRING example: the domain between 'www.' and '.com' (ROWTIME for APPROXIMATE_ARRIVAL_TIME).
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "ingest_time" TIMESTAMP,
    "referrer" VARCHAR(32));

CREATE OR REPLACE PUMP "myPUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM
         ROWTIME,
         SUBSTRING("REFERRER", 12, (POSITION('.com' IN "REFERRER") - POSITION('www.' IN "REFERRER") - 4))
      FROM "SOURCE_SQL_STREAM_001";
