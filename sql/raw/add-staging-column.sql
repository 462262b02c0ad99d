-- A source column met for the first time in this batch (a new writer schema): rows before it read NULL.
ALTER TABLE {{table}} ADD COLUMN {{column}};
