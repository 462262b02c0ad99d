-- A small table the snapshot benchmark keeps changing while the snapshot runs: the stream keeps flowing.
CREATE TABLE public.stream_load (id integer PRIMARY KEY, n bigint NOT NULL, touched_at timestamptz);
INSERT INTO public.stream_load SELECT i, 0, now() FROM generate_series(1, 1000) AS i;
