-- input: SOURCE_SQL_STREAM_001=weblog.ndjson
-- output: DESTINATION_SQL_STREAM
-- FIXED_COLUMN_LOG_PARSE (typed fields by position, a TIMESTAMP with its format), SYS_LOG_PARSE and FAST_REGEX_LOG_PARSER
-- (lazy: the shortest first group), made for the reference's definitions.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (sector VARCHAR(16), code VARCHAR(4), qty INTEGER, at_time TIMESTAMP, sys_time TIMESTAMP, sys_text VARCHAR(64), lazy_head VARCHAR(16), lazy_tail VARCHAR(16));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM t.SECTOR, t.f.code, t.f.qty, t.f.at_time, t.s.COLUMN1 AS sys_time, t.s.COLUMN2 AS sys_text, t.z.COLUMN1 AS lazy_head, t.z.COLUMN2 AS lazy_tail
    FROM (SELECT STREAM SECTOR,
            FIXED_COLUMN_LOG_PARSE('ABCD 0042 24/May/2004:22:01:02', 'code TYPE VARCHAR(4) START 0 FOR 4, qty TYPE INTEGER START 5 FOR 4, at_time TYPE TIMESTAMP ''dd/MMM/yyyy:HH:mm:ss'' START 10') AS f,
            SYS_LOG_PARSE('Jan  5 14:02:01 host1 sshd[42]: ' || SECTOR) AS s,
            FAST_REGEX_LOG_PARSER(SECTOR, '(.+)(.+)') AS z
          FROM SOURCE_SQL_STREAM_001) AS t;
