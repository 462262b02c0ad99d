-- Records a model's build, in the same transaction as the build itself: its query's hash and the
-- checkpoints of the bronze tables it read, as that transaction saw them. A failure recorded before is over.
DELETE FROM lake.cdclake.models WHERE model = {{model}};
INSERT INTO lake.cdclake.models (model, query_hash, built_at, inputs_state) VALUES ({{model}}, {{query_hash}}, now(), {{inputs_state}});
DELETE FROM lake.cdclake.model_failures WHERE model = {{model}};
