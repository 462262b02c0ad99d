-- Latest events that left columns unchanged (unchanged TOAST values): only then is fill-unchanged.sql run.
SELECT count(*)::BIGINT AS waiting FROM incoming WHERE _op <> 'd' AND len(coalesce(_unchanged, [])) > 0;
