-- input: SOURCE_SQL_STREAM_001=stock.ndjson
-- output: DESTINATION_SQL_STREAM
-- rowtime-from: ts
-- FIRST_VALUE, LAST_VALUE (respecting NULLs, and IGNORE NULLS) and EXP_AVG with a 30-second half-life, per ticker per minute;
-- ROWTIME in the select list is the window's end. Made for the reference's definitions.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (window_end TIMESTAMP, ticker_symbol VARCHAR(4), first_price REAL, last_price REAL, last_known_price REAL, avg_price REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ROWTIME, ticker_symbol,
        FIRST_VALUE(price), LAST_VALUE(price), LAST_VALUE(price) IGNORE NULLS,
        EXP_AVG(price, INTERVAL '30' SECOND)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);
