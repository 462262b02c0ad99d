FETCH 5000 FROM cdclake_snapshot;
