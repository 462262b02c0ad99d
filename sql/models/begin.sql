-- A model's build and its record commit together.
BEGIN TRANSACTION;
