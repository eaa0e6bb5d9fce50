-- input: SOURCE_SQL_STREAM_001=referrers.ndjson
-- output: DESTINATION_SQL_STREAM
-- rowtime-from: ts
-- The Developer Guide's REGEX_REPLACE example, with ROWTIME for APPROXIMATE_ARRIVAL_TIME (a Kinesis source's column).
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "ingest_time" TIMESTAMP,
    "referrer" VARCHAR(32));

CREATE OR REPLACE PUMP "myPUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM
         ROWTIME,
         REGEX_REPLACE("REFERRER", 'http://', 'https://', 1, 0)
      FROM "SOURCE_SQL_STREAM_001";
