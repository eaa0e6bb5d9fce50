-- q8: people and sellers grouped per 10 s tumbling window (epoch-aligned), joined on id and window.
SELECT P.id, P.name, P.starttime AS stime
FROM (
  SELECT id, name, time_bucket(INTERVAL '10 seconds', "dateTime", TIMESTAMP '1970-01-01') AS starttime
  FROM person GROUP BY ALL
) P
JOIN (
  SELECT seller, time_bucket(INTERVAL '10 seconds', "dateTime", TIMESTAMP '1970-01-01') AS starttime
  FROM auction GROUP BY ALL
) A ON P.id = A.seller AND P.starttime = A.starttime
