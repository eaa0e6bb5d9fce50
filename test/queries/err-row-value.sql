-- fail: column REC is a ROW value, which a stream cannot hold
CREATE STREAM logs (line VARCHAR(256));
CREATE STREAM parsed AS SELECT STREAM REGEX_LOG_PARSE(line, '(\w+) (\w+)') AS rec FROM logs;
