-- Records a model's build, in the same transaction as the build itself; a failure recorded before is over.
DELETE FROM lake.cdclake.models WHERE model = {{model}};
INSERT INTO lake.cdclake.models VALUES ({{model}}, {{query_hash}}, now());
DELETE FROM lake.cdclake.model_failures WHERE model = {{model}};
