-- Raw rows read by this merge, and the latest events kept of them.
SELECT coalesce(max(_raw_rows), 0)::BIGINT AS raw_rows, count(*)::BIGINT AS latest FROM incoming;
