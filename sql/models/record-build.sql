-- Records a model's build, in the same transaction as the build itself.
DELETE FROM lake.cdclake.models WHERE model = {{model}};
INSERT INTO lake.cdclake.models VALUES ({{model}}, {{query_hash}}, now());
