-- Lets go of a named lease taken by this session.
SELECT pg_advisory_unlock(hashtextextended('cdclake:' || $1, 0)) AS released;
