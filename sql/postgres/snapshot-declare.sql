-- Every row of one table as of the exported snapshot, read in chunks through a cursor.
DECLARE cdclake_snapshot NO SCROLL CURSOR FOR SELECT {{columns}} FROM {{schema}}.{{table}};
