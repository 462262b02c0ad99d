-- The merge of one table becomes visible, with its checkpoint.
COMMIT;
