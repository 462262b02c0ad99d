-- A TRUNCATE (or the reconcile that ends a full snapshot) at position {{truncated_before}}: every live row
-- whose last change is older is gone from the source. It is kept as a delete marker at that position, so an
-- older event replayed later cannot bring it back; the pass's later events are applied after this.
UPDATE lake.bronze.{{table}}
SET _deleted = true, _op = 't', _pos = {{truncated_before}}::DECIMAL(38, 0), _merged_at = now()
WHERE NOT _deleted AND _pos < {{truncated_before}}::DECIMAL(38, 0);
