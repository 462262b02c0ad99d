-- The newest TRUNCATE (op t, keyless) among the staged events, if any.
SELECT max(_pos)::VARCHAR AS pos FROM incoming WHERE _op = 't';
