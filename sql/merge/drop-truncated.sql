-- Staged events older than the truncate watermark, and the truncate events themselves, leave the pass.
DELETE FROM incoming WHERE _op = 't' OR _pos < {{truncated_before}}::DECIMAL(38, 0);
