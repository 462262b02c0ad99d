-- Unchanged columns (unchanged TOAST values) of the latest event per key, filled from the same pass: when a
-- key's latest event did not send a column, the newest earlier event of the pass that did send it gives the
-- value. So an insert and a later update that leaves a column unchanged, merged together, keep the
-- insert's value instead of NULL. A column no event of the pass sent stays in _unchanged, and the merge then
-- keeps bronze's stored value. Each value travels in a struct, so a NULL that was sent counts as sent.
-- Only keys whose latest event lists unchanged columns are read again.
UPDATE incoming
SET {{fills}}
    _unchanged = list_filter(incoming._unchanged, name -> NOT list_contains(carried._cdclake_carried, name))
FROM (
    SELECT *, list_filter([{{carried_names}}], name -> name IS NOT NULL) AS _cdclake_carried
    FROM (
        SELECT {{raw_key}},
            {{carried}}
        FROM read_parquet({{files}}, union_by_name = true, hive_partitioning = false) AS raw
        JOIN merge_bounds AS bounds
            ON raw._topic = bounds.topic AND raw._partition = bounds."partition"
        SEMI JOIN (SELECT * FROM incoming WHERE _op <> 'd' AND len(coalesce(_unchanged, [])) > 0) AS waiting
            ON {{waiting_match}}
        WHERE raw._offset >= bounds.next_offset AND raw._op <> 't'
        GROUP BY ALL
    )
) AS carried
WHERE incoming._op <> 'd' AND len(coalesce(incoming._unchanged, [])) > 0 AND {{carried_match}};
