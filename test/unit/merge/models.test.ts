import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { dependencyOrder, loadModels, modelInputs } from '../../../merge/models.ts';

function modelsIn(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-models-'));
  for (const [name, sql] of Object.entries(files)) {
    fs.mkdirSync(path.join(root, path.dirname(name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), sql);
  }
  return root;
}

describe('models', () => {
  test('inputs are the bronze, silver and gold tables a query names, not those in comments or strings', () => {
    expect(
      modelInputs(`-- reads silver.ignored
        SELECT * FROM silver.orders o JOIN "silver"."x" ON 1 = 1 JOIN bronze . customers c USING (id)
        WHERE note <> 'gold.not_a_table' /* gold.nor_this */`),
    ).toEqual(['bronze.customers', 'silver.orders']);
  });

  test('the shipped models load, and each comes after the models it reads', () => {
    const order = dependencyOrder(loadModels()).map((m) => `${m.schema}.${m.name}`);
    expect(order).toEqual(
      expect.arrayContaining([
        'silver.customers',
        'silver.orders',
        'silver.products',
        'gold.monthly_revenue',
        'gold.rfm_segments',
        'gold.top_products_by_category',
        'gold.revenue_by_segment_category_quarter',
      ]),
    );
    expect(order.indexOf('silver.orders')).toBeLessThan(order.indexOf('gold.monthly_revenue'));
    expect(order.indexOf('silver.products')).toBeLessThan(order.indexOf('gold.top_products_by_category'));
  });

  test('a model added as a file joins in dependency order, gold over gold included', () => {
    const root = modelsIn({
      'gold/b_summary.sql': 'SELECT count(*) AS n FROM gold.a_detail',
      'gold/a_detail.sql': 'SELECT * FROM silver.base;',
      'silver/base.sql': 'SELECT * FROM bronze.things WHERE NOT _deleted',
    });
    const models = dependencyOrder(loadModels(root));
    expect(models.map((m) => `${m.schema}.${m.name}`)).toEqual([
      'silver.base',
      'gold.a_detail',
      'gold.b_summary',
    ]);
    expect(models[1]?.query).toBe('SELECT * FROM silver.base');
  });

  test('a cycle is an error that names it; a file name that is not an identifier is refused', () => {
    const cycle = modelsIn({
      'silver/a.sql': 'SELECT * FROM silver.b',
      'silver/b.sql': 'SELECT * FROM silver.a',
    });
    expect(() => dependencyOrder(loadModels(cycle))).toThrow(/cycle: silver\.a -> silver\.b -> silver\.a/);
    const badName = modelsIn({ 'gold/my-model.sql': 'SELECT 1' });
    expect(() => loadModels(badName)).toThrow(/my-model is not a plain identifier/);
  });
});
