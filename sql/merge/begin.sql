-- One merge of one table: data and checkpoint commit together.
BEGIN TRANSACTION;
