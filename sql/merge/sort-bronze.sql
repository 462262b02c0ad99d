-- bronze.<table>'s data files sorted by its key (DuckLake sorts on insert, compaction and inlined-data
-- flushes): the files' min/max statistics then let a merge's join skip the row groups whose keys the
-- micro-batch does not touch, so its cost follows the key range it changes, not the table's size.
ALTER TABLE lake.bronze.{{table}} SET SORTED BY ({{key}});
