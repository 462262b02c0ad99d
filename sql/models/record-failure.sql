-- Records why a model's build failed (its own transaction: the build itself was rolled back).
BEGIN TRANSACTION;
DELETE FROM lake.cdclake.model_failures WHERE model = {{model}};
INSERT INTO lake.cdclake.model_failures VALUES ({{model}}, {{error}}, now());
COMMIT;
