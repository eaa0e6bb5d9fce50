-- q4: the final table of an updating aggregate over a join. Flink's AVG of a BIGINT is a BIGINT:
-- sum / count in integer arithmetic, truncated.
SELECT category AS id, CAST(sum(final) // count(final) AS BIGINT) AS final
FROM (
  SELECT max(B.price) AS final, A.category
  FROM auction A, bid B
  WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires
  GROUP BY A.id, A.category
) Q
GROUP BY category
