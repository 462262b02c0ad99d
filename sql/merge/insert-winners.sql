-- ... and the winning rows come in, in the same transaction.
INSERT INTO lake.bronze.{{table}} BY NAME
SELECT * FROM winners;
