-- Each model as last built: from which query, and the state of the bronze tables it read (inputs_state).
SELECT model AS name, query_hash, inputs_state FROM lake.cdclake.models;
