-- input: orders=orders.csv
-- output: revenue
CREATE STREAM orders (
  ts TIMESTAMP, order_id VARCHAR, country VARCHAR, product VARCHAR, qty INTEGER, price DOUBLE,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (format = 'csv');
CREATE STREAM revenue AS
SELECT window_start, country, COUNT(*) AS orders, SUM(qty * price) AS revenue, MAX(product) AS top_product
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, country;
