-- A merge that failed leaves bronze and its checkpoint as they were.
ROLLBACK;
