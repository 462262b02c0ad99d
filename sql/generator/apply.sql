-- Generated transactions (a JSON array of transactions, each an array of changes), each committed on its own.
CALL pg_temp.cdclake_apply_transactions($1::jsonb);
