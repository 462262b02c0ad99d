-- One change of the stream the snapshot benchmark keeps flowing.
UPDATE public.stream_load SET n = n + 1, touched_at = clock_timestamp() WHERE id = $1;
