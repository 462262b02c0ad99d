-- Rows of one silver or gold model table, for the rows-per-layer figure of `npm run demo`'s live view.
SELECT count(*)::BIGINT AS rows FROM {{schema}}.{{table}};
