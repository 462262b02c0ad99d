-- A failed build leaves the model and its record as they were.
ROLLBACK;
