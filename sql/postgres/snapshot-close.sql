CLOSE cdclake_snapshot;
