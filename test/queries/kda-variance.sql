-- input: SOURCE_SQL_STREAM_001=stock.ndjson
-- output: DESTINATION_SQL_STREAM
-- rowtime-from: ts
-- The SQL Reference's VAR_POP, VAR_SAMP, STDDEV_POP and STDDEV_SAMP examples ("Using STEP"), in one pump over a sample stock stream.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), var_pop_price REAL, var_samp_price REAL, stddev_pop_price REAL, stddev_samp_price REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol,
        VAR_POP(price) AS var_pop_price,
        VAR_SAMP(price) AS var_samp_price,
        STDDEV_POP(price) AS stddev_pop_price,
        STDDEV_SAMP(ALL price) AS stddev_samp_price
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol, STEP(("SOURCE_SQL_STREAM_001".ROWTIME) BY INTERVAL '60' SECOND);
